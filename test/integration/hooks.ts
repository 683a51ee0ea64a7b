// Mocha global fixtures: start one local control plane before any integration test and stop it after
// the last. A watchdog ends it too if this process dies without running the teardown.
import { startControlPlane } from '../../controlplane/cluster.ts';
import { createLogger } from '../../lib/log.ts';
import { controlPlane, setControlPlane } from './harness.ts';

export async function mochaGlobalSetup(): Promise<void> {
  const log = createLogger('integration', process.env.LOG_LEVEL ?? 'info');
  setControlPlane(await startControlPlane({ log }));
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      void controlPlane()
        .stop()
        .finally(() => process.exit(130));
    });
  }
}

export async function mochaGlobalTeardown(): Promise<void> {
  await controlPlane().stop();
  setControlPlane(undefined);
}
