// Sessions shared by proxy replicas (spec.sessionStorage): the /mcp front's half. A new session is
// recorded in the directory before its initialize answer leaves, so the client's next request can
// go to any replica; a replica that gets a request for a session it does not hold finds the record,
// checks the caller owns it, and adopts it: the backend reaches the same pod and upstream session
// (backends/http.ts adoptSession). Without a directory (one replica, or stdio) nothing here runs.
import type { Logger } from '../../lib/log.ts';
import type { Backend } from '../backends/backend.ts';
import type { Caller } from '../caller.ts';
import type { RpcMessage } from '../jsonrpc.ts';
import type { SessionDirectory } from '../shared-state/session-directory.ts';
import type { Answer, StreamableSession } from './streamable-session.ts';

/** How long an initialize answer waits for its record to be saved before it goes anyway. */
const SAVE_TIMEOUT_MS = 1000;

export class SharedSessions {
  private readonly directory: SessionDirectory;
  private readonly backend: Backend;
  private readonly log: Logger;

  constructor(directory: SessionDirectory, backend: Backend, log: Logger) {
    this.directory = directory;
    this.backend = backend;
    this.log = log;
  }

  /** The initialize's answer, held until the session's record is saved (or SAVE_TIMEOUT_MS passed). */
  recordOnAnswer(session: StreamableSession, answer: Answer): Answer {
    const save = (response: RpcMessage, upstreamId?: string): boolean => {
      const handle = session.backend?.handle?.();
      if (!handle || !('result' in response)) return answer.deliver(response, upstreamId);
      const record = {
        owner: session.ownerKey,
        upstream: handle,
        ...(session.protocolVersion ? { clientVersion: session.protocolVersion } : {}),
      };
      const timeout = new Promise((resolve) => setTimeout(resolve, SAVE_TIMEOUT_MS).unref());
      void Promise.race([this.directory.save(session.id, record), timeout])
        .catch((err: unknown) => this.log.warn({ err }, 'Failed to record a session for the other replicas'))
        .finally(() => answer.deliver(response, upstreamId));
      return true;
    };
    return {
      deliver: (message, upstreamId) =>
        'method' in message ? answer.deliver(message, upstreamId) : save(message, upstreamId),
      get open() {
        return answer.open;
      },
      get streaming() {
        return answer.streaming;
      },
    };
  }

  /** A session another replica opened that caller owns, adopted into session; false when none. */
  async adopt(
    id: string,
    caller: Caller,
    make: () => StreamableSession,
  ): Promise<StreamableSession | undefined> {
    if (!this.backend.adoptSession) return undefined;
    const record = await this.directory.find(id).catch((err: unknown) => {
      this.log.warn({ err }, 'Failed to look a session up in Redis');
      return undefined;
    });
    if (!record || record.owner !== caller.key) return undefined;
    const session = make();
    session.ownerKey = record.owner;
    if (record.clientVersion) session.protocolVersion = record.clientVersion;
    session.backend = this.backend.adoptSession(id, session, record.upstream);
    return session;
  }

  touch(id: string): void {
    this.directory.touch(id);
  }

  remove(id: string): void {
    this.directory.remove(id).catch(() => undefined);
  }
}
