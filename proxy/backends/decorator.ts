// What every Backend wrapper (authorization, rate limits, traffic webhooks, tool control, telemetry)
// passes on unchanged, in one place, so that none of them forgets a member: start, healthy,
// restarts, close, and the optional members of shared sessions (spec.sessionStorage). The fronts
// test for an optional member (`backend.adoptSession`, `session.detach`, `handle`, `resume`), so a
// wrapper has one exactly where the backend it wraps has one; a wrapper that dropped adoptSession
// made every replica but the session's first answer "session not found".
import type { UpstreamHandle } from '../shared-state/session-directory.ts';
import type { Backend, BackendSession, SendOutcome, SessionOptions, SessionSink } from './backend.ts';
import type { Caller } from '../caller.ts';
import type { RequestId, RpcMessage } from '../jsonrpc.ts';

/** Opens the inner session, delivering what the server says to sink. */
export type OpenInner = (sink: SessionSink) => BackendSession;

export abstract class BackendDecorator implements Backend {
  protected readonly inner: Backend;
  adoptSession?: (id: string, sink: SessionSink, handle: UpstreamHandle) => BackendSession;

  constructor(inner: Backend) {
    this.inner = inner;
    if (inner.adoptSession) {
      const adopt = inner.adoptSession.bind(inner);
      this.adoptSession = (id, sink, handle) => this.wrap(id, sink, undefined, (s) => adopt(id, s, handle));
    }
  }

  /**
   * One client session through this wrapper: open(s) opens the inner one delivering to s (the
   * client's sink, or the wrapper's own in front of it). options is undefined for an adopted session.
   */
  protected abstract wrap(
    id: string,
    sink: SessionSink,
    options: SessionOptions | undefined,
    open: OpenInner,
  ): BackendSession;

  openSession(id: string, sink: SessionSink, options?: SessionOptions): BackendSession {
    return this.wrap(id, sink, options, (s) => this.inner.openSession(id, s, options));
  }
  start(): Promise<void> {
    return this.inner.start();
  }
  healthy(): boolean {
    return this.inner.healthy();
  }
  restarts(): number {
    return this.inner.restarts();
  }
  close(): Promise<void> {
    return this.inner.close().finally(() => this.closed());
  }
  /** Runs after the inner backend closed (what the wrapper owns: a connection, an exporter). */
  protected closed(): void | Promise<void> {}
}

/** Why a session wrapper lets go: the session ended, or another replica goes on with it. */
export type LetGo = 'close' | 'detach';

export abstract class SessionDecorator implements BackendSession {
  protected inner!: BackendSession;
  detach?: () => void;
  handle?: () => UpstreamHandle | undefined;
  resume?: (id: RequestId, upstreamEventId: string) => boolean;

  /** Sets the inner session; the optional members exist only where it has them. */
  attach(inner: BackendSession): this {
    this.inner = inner;
    if (inner.detach)
      this.detach = () => {
        this.letGo('detach');
        inner.detach!();
      };
    if (inner.handle) this.handle = () => inner.handle!();
    if (inner.resume) this.resume = (id, upstreamEventId) => inner.resume!(id, upstreamEventId);
    return this;
  }

  abstract send(message: RpcMessage, caller?: Caller): SendOutcome;

  close(): void {
    this.letGo('close');
    this.inner.close();
  }

  /** Drops this wrapper's own state for the session, before the inner session closes or detaches. */
  protected letGo(why: LetGo): void {
    void why;
  }
}

/** A sink that hands everything on to downstream, with deliver and ended replaced. */
export function sinkBefore(
  downstream: SessionSink,
  deliver: SessionSink['deliver'],
  ended: SessionSink['ended'] = (reason) => downstream.ended(reason),
): SessionSink {
  return {
    deliver,
    ended,
    ...(downstream.streamClosed ? { streamClosed: (id: RequestId) => downstream.streamClosed!(id) } : {}),
    ...(downstream.streamOpened ? { streamOpened: (id: RequestId) => downstream.streamOpened!(id) } : {}),
  };
}
