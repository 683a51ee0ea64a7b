// The in-cluster stdio backend: the server runs in its own pod (StatefulSet `<name>`, pod `<name>-0`)
// and the proxy talks to the `mcp` container's stdin/stdout through the API server's pods/attach
// (client-node's Attach, a WebSocket). It follows the pod: when the attach ends (container restart,
// pod deleted and re-created under the same name), it waits for the pod to run again and re-attaches.
// A stream that stays open but carries nothing is caught above, by the health pings of
// multiplexed.ts, which then recycle() it. The Kubernetes calls sit behind AttachIO so tests can
// replace them; only kubernetesAttachIO touches the API.
// Not here: exec (attach reaches the container's PID 1, which is the server), TTYs, stderr (the
// server's logs stay in its pod's log).
import { PassThrough, Writable } from 'node:stream';
import { Attach, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import type { Logger } from '../../lib/log.ts';
import type { AttachTarget } from '../config.ts';
import { STABLE_AFTER_MS, restartDelay, type ServerStream, type StreamEvents } from './stream.ts';

export interface AttachedStream {
  /** Resolves with a reason when the attach ends, from either side. */
  ended: Promise<string>;
  close(): void;
}

export interface AttachIO {
  /** Resolves once the pod runs with the container started; rejects on a read error (retried). */
  waitForRunning(target: AttachTarget): Promise<void>;
  /** Attaches stdin and stdout; rejects when the API server refuses. */
  attach(target: AttachTarget, stdout: Writable, stdin: PassThrough): Promise<AttachedStream>;
}

export class AttachStream implements ServerStream {
  private readonly target: AttachTarget;
  private readonly io: AttachIO;
  private readonly log: Logger;
  private events: StreamEvents | undefined;
  private stdin: PassThrough | undefined;
  private current: AttachedStream | undefined;
  private failures = 0;
  private closing = false;
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(target: AttachTarget, io: AttachIO, log: Logger) {
    this.target = target;
    this.io = io;
    this.log = log.child({ pod: target.pod, namespace: target.namespace });
  }

  start(events: StreamEvents): void {
    this.events = events;
    void this.connect();
  }

  write(data: string): boolean {
    return this.stdin ? this.stdin.write(data) : true;
  }

  recycle(reason: string): void {
    this.log.warn({ reason }, 'Re-attaching to MCP server pod');
    this.current?.close();
  }

  close(): Promise<void> {
    this.closing = true;
    clearTimeout(this.retryTimer);
    this.current?.close();
    return Promise.resolve();
  }

  private async connect(): Promise<void> {
    const startedAt = Date.now();
    try {
      await this.io.waitForRunning(this.target);
      if (this.closing) return;
      const stdin = new PassThrough();
      const stdout = new Writable({
        write: (chunk: Buffer, _enc, done) => (this.events?.data(chunk), done()),
      });
      stdin.on('drain', () => this.events?.drained());
      this.current = await this.io.attach(this.target, stdout, stdin);
      this.stdin = stdin;
      this.log.info('Attached to MCP server pod');
      this.events?.opened();
      const reason = await this.current.ended;
      this.detached(reason, startedAt);
    } catch (err) {
      this.log.warn({ err }, 'Failed to attach to MCP server pod');
      this.retry(startedAt);
    }
  }

  private detached(reason: string, startedAt: number): void {
    this.stdin?.end();
    this.stdin = undefined;
    this.current = undefined;
    this.events?.closed(reason);
    this.retry(startedAt);
  }

  private retry(startedAt: number): void {
    if (this.closing) return;
    this.failures = Date.now() - startedAt > STABLE_AFTER_MS ? 1 : this.failures + 1;
    this.retryTimer = setTimeout(() => void this.connect(), restartDelay(this.failures));
  }
}

/** The part of the ws WebSocket client-node returns that is used here (ws's types are not installed). */
interface AttachSocket {
  on(event: 'close', listener: (code: number) => void): void;
  on(event: 'error', listener: (err: Error) => void): void;
  close(): void;
}

// How often the pod is read while waiting for it to run again.
const POD_POLL_MS = 2000;

/** AttachIO through the API server, with the kubeconfig given or the default (in a pod: its token). */
export function kubernetesAttachIO(kubeconfigPath: string | undefined): AttachIO {
  const kubeConfig = new KubeConfig();
  if (kubeconfigPath) kubeConfig.loadFromFile(kubeconfigPath);
  else kubeConfig.loadFromDefault();
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const attach = new Attach(kubeConfig);
  return {
    async waitForRunning(target) {
      for (;;) {
        const pod = await core.readNamespacedPod({ name: target.pod, namespace: target.namespace });
        const status = pod.status?.containerStatuses?.find((c) => c.name === target.container);
        if (pod.status?.phase === 'Running' && status?.state?.running) return;
        await new Promise((resolve) => setTimeout(resolve, POD_POLL_MS));
      }
    },
    async attach(target, stdout, stdin) {
      const ws = (await attach.attach(
        target.namespace,
        target.pod,
        target.container,
        stdout,
        null,
        stdin,
        false,
      )) as unknown as AttachSocket;
      const ended = new Promise<string>((resolve) => {
        ws.on('close', (code: number) => resolve(`attach closed (code ${code})`));
        ws.on('error', (err: Error) => resolve(`attach failed: ${err.message}`));
      });
      return { ended, close: () => ws.close() };
    },
  };
}

export function kubernetesAttachStream(
  target: AttachTarget,
  deps: { kubeconfig?: string; log: Logger },
): ServerStream {
  return new AttachStream(target, kubernetesAttachIO(deps.kubeconfig), deps.log);
}
