// AttachIO through the API server: pods/attach for the container's PID 1, pods/exec for a command
// started in the container. Both are client-node WebSockets carrying stdin and stdout, handed to the
// shared stream code in attach.ts. This is the only proxy file that loads @kubernetes/client-node
// (about 90 MiB resident), so the CLI imports it only when the target is a pod.
import type { PassThrough, Writable } from 'node:stream';
import { Attach, CoreV1Api, Exec, KubeConfig } from '@kubernetes/client-node';
import type { Logger } from '../../lib/log.ts';
import type { PodTarget } from '../config.ts';
import { AttachStream, type AttachIO, type AttachedStream } from './attach.ts';
import type { ServerStream } from './stream.ts';

/** The part of the ws WebSocket client-node returns that is used here (ws's types are not installed). */
interface PodSocket {
  on(event: 'close', listener: (code: number) => void): void;
  on(event: 'error', listener: (err: Error) => void): void;
  close(): void;
}

// How often the pod is read while waiting for it to run (again): one GET, only while it does not run.
const POD_POLL_MS = 500;

/** AttachIO with the kubeconfig given or the default (in a pod: its service account token). */
export function kubernetesPodIO(kubeconfigPath: string | undefined): AttachIO {
  const kubeConfig = new KubeConfig();
  if (kubeconfigPath) kubeConfig.loadFromFile(kubeconfigPath);
  else kubeConfig.loadFromDefault();
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const attach = new Attach(kubeConfig);
  const exec = new Exec(kubeConfig);
  const open = (target: PodTarget, stdout: Writable, stdin: PassThrough): Promise<unknown> =>
    target.kind === 'exec'
      ? exec.exec(target.namespace, target.pod, target.container, target.command, stdout, null, stdin, false)
      : attach.attach(target.namespace, target.pod, target.container, stdout, null, stdin, false);
  return {
    async waitForRunning(target) {
      for (;;) {
        const pod = await core.readNamespacedPod({ name: target.pod, namespace: target.namespace });
        const status = pod.status?.containerStatuses?.find((c) => c.name === target.container);
        if (pod.status?.phase === 'Running' && status?.state?.running) return;
        await new Promise((resolve) => setTimeout(resolve, POD_POLL_MS));
      }
    },
    async attach(target, stdout, stdin): Promise<AttachedStream> {
      const ws = (await open(target, stdout, stdin)) as PodSocket;
      const ended = new Promise<string>((resolve) => {
        ws.on('close', (code: number) => resolve(`${target.kind} closed (code ${code})`));
        ws.on('error', (err: Error) => resolve(`${target.kind} failed: ${err.message}`));
      });
      return { ended, close: () => ws.close() };
    },
  };
}

export function kubernetesPodStream(
  target: PodTarget,
  deps: { kubeconfig?: string; log: Logger },
): ServerStream {
  return new AttachStream(target, kubernetesPodIO(deps.kubeconfig), deps.log);
}
