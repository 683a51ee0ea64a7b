// The sse and streamable-http backends: an MCP server that already speaks HTTP, in the server's
// Service (`mcp-<name>:<mcpPort>`) or at --target-url. Each client session gets an upstream session of
// its own (streamable-upstream.ts, or the SDK's SSE client), so nothing is multiplexed and ids pass
// through unchanged; the upstream's Mcp-Session-Id stays between the proxy and the upstream (clients see
// the proxy's). MCP-Protocol-Version is passed on once the session's initialize response names it, and the
// headers of sessionless revisions (Mcp-Method, Mcp-Name) are sent as they came.
// Health: the upstream answers (any HTTP status) an OPTIONS request within the ping interval; OPTIONS
// because a GET on an SSE endpoint would open a session there.
// Several backend pods (target.podUrls, spec.backendReplicas): each is probed; a new session goes to
// the answering pod with the fewest sessions (shared-state/pod-picker.ts); a pod that refuses
// connections ends its sessions with an error that says so, and new sessions go to the others.
// Sessions another replica opened are adopted through their handle (spec.sessionStorage).
// Outgoing authentication (options.credentials, proxy/outgoing-auth/): every upstream request of a
// session carries the headers the credentials give for the session's latest caller; when they cannot
// be had (a failed token exchange), the client's request is answered with an error naming why.
import type { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import type { Logger } from '../../lib/log.ts';
import type { Caller } from '../caller.ts';
import { OutgoingAuthError } from '../outgoing-auth/failure.ts';
import type { OutgoingCredentials } from '../outgoing-auth/outgoing-auth.ts';
import { credentialedFetch } from '../outgoing-auth/fetch.ts';
import type { Transport } from '../config.ts';
import {
  CONNECTION_CLOSED,
  INTERNAL_ERROR,
  asMessage,
  errorResponse,
  isRequest,
  isResponse,
  type RequestId,
  type RpcMessage,
} from '../jsonrpc.ts';
import type { Backend, BackendSession, SendOutcome, SessionOptions, SessionSink } from './backend.ts';
import { LocalPodPicker, type PodPicker } from '../shared-state/pod-picker.ts';
import type { UpstreamHandle } from '../shared-state/session-directory.ts';
import { StreamableUpstream, keptAliveAgents, probe } from './streamable-upstream.ts';

/** How often a server that does not answer (yet) is probed again. */
const RETRY_MS = 500;

/**
 * What UpstreamSession needs of a client transport: StreamableUpstream, or the SDK's SSE one. Messages
 * are typed `never` here because the SDK's JSONRPCMessage and our RpcMessage are the same JSON typed apart.
 */
interface UpstreamTransport {
  onmessage?: (message: never, related?: RequestId, eventId?: string) => void;
  onclose?: () => void;
  onerror?: (err: Error) => void;
  onstreamclosed?: (requestId: RequestId) => void;
  onstreamopened?: (requestId: RequestId) => void;
  start(): Promise<void>;
  send(message: never): Promise<void>;
  close(): Promise<void>;
  setProtocolVersion?(version: string): void;
  terminateSession?(): Promise<void>;
  credentials?: () => Record<string, string> | Promise<Record<string, string>>;
}

export interface HttpBackendOptions {
  url: string;
  /** The backend pods' URLs; [url] when absent. */
  podUrls?: string[];
  transport: Transport;
  limits: { maxQueuedMessages: number; pingIntervalMs: number };
  /** Spreads sessions over podUrls; this process's own counts when absent. */
  picker?: PodPicker;
  /** What authenticates the proxy to the server (run config outgoingAuth); absent: nothing. */
  credentials?: OutgoingCredentials;
}

/** Connection errors that mean the pod is not there (gone, restarting, its name no longer resolves). */
const POD_GONE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'EAI_AGAIN']);

export class HttpBackend implements Backend {
  private readonly options: HttpBackendOptions;
  private readonly log: Logger;
  private readonly pods: string[];
  /** The pods that answered their last probe. */
  private readonly answeringPods = new Set<string>();
  private readonly picker: PodPicker;
  private prober: NodeJS.Timeout | undefined;
  private lastFullProbe = 0;
  private closed = false;
  private readonly agents = keptAliveAgents();
  /** The SDK's SSE client, loaded only for sse servers (the SDK costs about 30 MiB resident). */
  private sseTransport: typeof SSEClientTransport | undefined;

  constructor(options: HttpBackendOptions, log: Logger) {
    this.options = options;
    this.log = log;
    this.pods = options.podUrls?.length ? options.podUrls : [options.url];
    this.picker = options.picker ?? new LocalPodPicker();
  }

  private get answering(): boolean {
    return this.answeringPods.size > 0;
  }

  async start(): Promise<void> {
    if (this.options.transport === 'sse')
      this.sseTransport = (await import('@modelcontextprotocol/sdk/client/sse.js')).SSEClientTransport;
    await this.probe();
    this.scheduleProbe();
  }

  /**
   * The next probe: after the ping interval while every pod answers, but every RETRY_MS while one does
   * not, so that a server that starts after the proxy (the usual order in a pod rollout, and a second
   * backend pod starting beside the first) is seen within half a second instead of a whole interval:
   * the proxy turns Ready as soon as it can serve, and new sessions spread to the new pod at once
   * (bench/toolhive-node's backendReplicas row had put all its sessions on pod 0). Between the full
   * probes of every pod at the ping interval, the quick ones go only to the pods not answering.
   */
  private scheduleProbe(): void {
    const ping = this.options.limits.pingIntervalMs;
    const missing = () => this.pods.filter((pod) => !this.answeringPods.has(pod));
    const delay = missing().length > 0 ? Math.min(RETRY_MS, ping) : ping;
    this.prober = setTimeout(() => {
      const full = performance.now() - this.lastFullProbe >= ping - 1;
      void this.probe(full ? this.pods : missing()).then(() => {
        if (!this.closed) this.scheduleProbe();
      });
    }, delay);
    this.prober.unref();
  }

  openSession(id: string, sink: SessionSink, options: SessionOptions = {}): BackendSession {
    const candidates = this.pods.filter((pod) => this.answeringPods.has(pod));
    const live = candidates.length > 0 ? candidates : this.pods;
    const pod = live.length === 1 ? Promise.resolve(live[0]!) : this.picker.pick(id, live);
    const transport = pod.then((url) => this.transport(url, options.passHeaders));
    return new UpstreamSession(transport, sink, this.sessionDeps(id));
  }

  adoptSession(id: string, sink: SessionSink, handle: UpstreamHandle): BackendSession {
    if (this.pods.length > 1) this.picker.renew(id, handle.pod);
    const transport = new StreamableUpstream(
      new URL(handle.pod),
      this.agents,
      {},
      {
        sessionId: handle.upstreamSessionId,
        protocolVersion: handle.protocolVersion,
      },
    );
    return new UpstreamSession(Promise.resolve({ url: handle.pod, transport }), sink, this.sessionDeps(id));
  }

  private transport(url: string, passHeaders?: Record<string, string>): Picked {
    const requestInit = passHeaders ? { headers: passHeaders } : undefined;
    if (!this.sseTransport)
      return { url, transport: new StreamableUpstream(new URL(url), this.agents, passHeaders) };
    // The SDK's SSE client asks fetch for the stream and each POST: the credentials go in there.
    const transport: UpstreamTransport = new this.sseTransport(new URL(url), {
      requestInit,
      ...(this.options.credentials
        ? { fetch: credentialedFetch(() => transport.credentials?.() ?? {}) }
        : {}),
    });
    return { url, transport };
  }

  private sessionDeps(id: string): SessionDeps {
    return {
      maxPending: this.options.limits.maxQueuedMessages,
      log: this.log,
      // One pod: nothing to spread, nothing to count.
      release: (pod) => this.pods.length > 1 && this.picker.release(id, pod),
      renew: (pod) => this.pods.length > 1 && this.picker.renew(id, pod),
      podGone: (pod) => this.answeringPods.delete(pod),
      credentials: this.options.credentials,
    };
  }

  healthy(): boolean {
    return this.answering;
  }

  restarts(): number {
    return 0;
  }

  close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.prober);
    this.agents.http.destroy();
    this.agents.https.destroy();
    return Promise.resolve();
  }

  private async probe(pods = this.pods): Promise<void> {
    if (pods === this.pods) this.lastFullProbe = performance.now();
    await Promise.all(
      pods.map(async (pod) => {
        try {
          await probe(new URL(pod), this.agents, this.options.limits.pingIntervalMs);
          if (!this.answeringPods.has(pod) && this.pods.length > 1)
            this.log.info({ url: pod }, 'MCP server pod answers: new sessions may go to it');
          this.answeringPods.add(pod);
        } catch (err) {
          if (this.answeringPods.delete(pod))
            this.log.warn({ err, url: pod }, 'MCP server stopped answering');
        }
      }),
    );
  }
}

interface Picked {
  url: string;
  transport: UpstreamTransport;
}

interface SessionDeps {
  maxPending: number;
  log: Logger;
  /** The session ended here and at the server: the pod has one session fewer. */
  release(pod: string): unknown;
  /** The session is in use: its count on the pod is renewed (throttled). */
  renew(pod: string): unknown;
  /** The pod refused a connection: left out of new sessions until its probe answers again. */
  podGone(pod: string): void;
  credentials?: OutgoingCredentials;
}

/**
 * One client session's upstream session; messages wait, bounded, until its pod is picked and the
 * transport has started.
 */
class UpstreamSession implements BackendSession {
  private readonly sink: SessionSink;
  private readonly deps: SessionDeps;
  private readonly started: Promise<Picked>;
  private picked: Picked | undefined;
  private pending = 0;
  private initializeId: RequestId | undefined;
  private closed = false;
  /** Who sent the session's latest message: outgoing credentials are for it (a token exchange's subject). */
  private caller: Caller | undefined;

  constructor(picking: Promise<Picked>, sink: SessionSink, deps: SessionDeps) {
    this.sink = sink;
    this.deps = deps;
    this.started = picking.then(async (picked) => {
      this.picked = picked;
      this.wire(picked.transport);
      await picked.transport.start();
      return picked;
    });
    this.started.catch(() => undefined);
  }

  send(message: RpcMessage, caller?: Caller): SendOutcome {
    if (this.pending >= this.deps.maxPending) return 'busy';
    if (caller) this.caller = caller;
    if (isRequest(message) && message.method === 'initialize') this.initializeId = message.id;
    this.pending += 1;
    this.started
      .then((picked) => {
        this.deps.renew(picked.url);
        return picked.transport.send(message as never);
      })
      .catch((err: unknown) => this.failed(message, err))
      .finally(() => (this.pending -= 1));
    return 'accepted';
  }

  close(): void {
    this.closed = true;
    void this.started.then(({ url, transport }) => {
      this.deps.release(url);
      const terminate = transport.terminateSession?.() ?? Promise.resolve();
      void terminate.catch(() => undefined).finally(() => void transport.close());
    });
  }

  detach(): void {
    this.closed = true;
    void this.started.then(({ transport }) => transport.close());
  }

  handle(): UpstreamHandle | undefined {
    const picked = this.picked;
    if (!picked || !(picked.transport instanceof StreamableUpstream)) return undefined;
    const { upstreamSessionId, negotiatedVersion } = picked.transport;
    return {
      pod: picked.url,
      ...(upstreamSessionId ? { upstreamSessionId } : {}),
      ...(negotiatedVersion ? { protocolVersion: negotiatedVersion } : {}),
    };
  }

  resume(id: RequestId, upstreamEventId: string): boolean {
    const transport = this.picked?.transport;
    if (!(transport instanceof StreamableUpstream)) return false;
    transport.resumeStream(id, upstreamEventId);
    return true;
  }

  private wire(transport: UpstreamTransport): void {
    const credentials = this.deps.credentials;
    if (credentials) transport.credentials = () => credentials.headersFor(this.caller);
    transport.onmessage = (message: unknown, related?: RequestId, eventId?: string) =>
      this.received(message, related, eventId);
    transport.onerror = (err) => this.deps.log.debug({ err }, 'Upstream MCP session reported an error');
    transport.onstreamclosed = (requestId) => this.sink.streamClosed?.(requestId);
    transport.onstreamopened = (requestId) => this.sink.streamOpened?.(requestId);
    transport.onclose = () => {
      if (!this.closed) this.sink.ended('upstream session closed');
    };
  }

  private received(raw: unknown, related?: RequestId, eventId?: string): void {
    const message = asMessage(raw);
    if (!message) return;
    const transport = this.picked?.transport;
    if (isResponse(message) && message.id === this.initializeId && 'result' in message) {
      const version = message.result.protocolVersion;
      if (typeof version === 'string' && transport?.setProtocolVersion) transport.setProtocolVersion(version);
    }
    this.sink.deliver(message, related, eventId);
  }

  private failed(message: RpcMessage, err: unknown): void {
    this.deps.log.debug({ err }, 'Failed to pass a message to the upstream MCP server');
    const code = (err as NodeJS.ErrnoException).code;
    const gone = code !== undefined && POD_GONE.has(code) && !this.closed;
    if (gone && this.picked) this.deps.podGone(this.picked.url);
    if (err instanceof OutgoingAuthError) {
      if (isRequest(message))
        this.sink.deliver(
          errorResponse(
            message.id,
            INTERNAL_ERROR,
            `Authentication to the MCP server failed: ${err.message}`,
          ),
        );
      return;
    }
    if (isRequest(message)) {
      const reason = gone
        ? `MCP server pod ${this.picked ? new URL(this.picked.url).host : ''} is gone (${code}); ` +
          'this session has ended: start a new one'
        : `MCP server unreachable: ${(err as Error).message}`;
      this.sink.deliver(errorResponse(message.id, CONNECTION_CLOSED, reason));
    }
    if (gone) this.sink.ended(`MCP server pod gone (${code})`);
  }
}
