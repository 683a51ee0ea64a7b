// Mocha global fixtures of the node suite: one local cluster with a real node, and the operator
// installed on it with `helm install` from the working tree (cli/real-node-operator.ts), its image
// assembled offline and imported into the node's containerd. The last test file (zz-teardown) stops it
// and checks the host is clean; the teardown here only stops what is still running after a failure.
import { helmInstallOperator } from '../../cli/real-node-operator.ts';
import { startControlPlane } from '../../controlplane/cluster.ts';
import { createLogger } from '../../lib/log.ts';
import { cluster, kubectl, setCluster } from './harness.ts';
import { before as hostBefore, hostSnapshot } from './host-snapshot.ts';

export async function mochaGlobalSetup(): Promise<void> {
  const log = createLogger('node-suite', process.env.LOG_LEVEL ?? 'info');
  hostBefore.snapshot = await hostSnapshot();
  setCluster(await startControlPlane({ log, node: 'real', name: 'node-suite' }));
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      void cluster()
        .stop()
        .finally(() => process.exit(130));
    });
  }
  await helmInstallOperator(cluster(), log);
  const pods = await kubectl(['get', 'pods', '-A', '-o', 'wide']);
  log.info({ pods: pods.trim().split('\n') }, 'Pods on the real node');
}

export async function mochaGlobalTeardown(): Promise<void> {
  await cluster().stop(); // a no-op when zz-teardown.test.ts already stopped it
  setCluster(undefined);
}
