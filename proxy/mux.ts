// Many client sessions on one stdio server: the routing core, pure. The server sees one client (the
// proxy), initialized once; each session sees a server of its own. Every method takes a message and
// returns the messages to send (`MuxAction`), so tests drive it without streams, clocks or sockets.
// What it does (proxy/README.md says why):
// - request ids from sessions are replaced by proxy-wide numbers and restored on the way back, so two
//   sessions may both use id 1; progress tokens are replaced by the same number for the same reason;
// - `initialize` is answered from the server's cached result; `notifications/initialized` is swallowed;
// - a server-to-client request goes to the session named by its progress token, else the one session
//   with requests in flight, else the one capable session; when none or several qualify, or the owner
//   did not declare the capability, the server gets an error (see owner.ts);
// - list_changed and log messages go to every session, resources/updated to subscribers; responses go
//   only to the session whose request they answer.
// Not here: framing, queues and their bounds (backends/multiplexed.ts), timers and health pings' timing.
import {
  CONNECTION_CLOSED,
  INTERNAL_ERROR,
  errorResponse,
  idKey,
  isNotification,
  isRequest,
  progressTokenOf,
  withProgressToken,
  type Params,
  type RequestId,
  type RpcMessage,
  type RpcNotification,
  type RpcRequest,
  type RpcResponse,
} from './jsonrpc.ts';
import {
  PROXY_CLIENT_CAPABILITIES,
  PROXY_CLIENT_INFO,
  PROXY_PROTOCOL_VERSION,
  sessionInitializeResult,
} from './negotiate.ts';
import { chooseOwner, type SessionView } from './owner.ts';

export type SessionId = string;

export type MuxAction =
  | { to: 'server'; message: RpcMessage }
  /** relatedRequestId: the session's own id of the request this message belongs to, when known. */
  | { to: 'session'; session: SessionId; message: RpcMessage; relatedRequestId?: RequestId }
  /** The server answered the proxy's initialize (ready) or a health ping (pong). */
  | { to: 'proxy'; event: 'ready' | 'pong' | 'initialize-failed'; detail?: string };

interface InFlight {
  session: SessionId;
  clientId: RequestId;
  /** The session's own progress token, restored on progress notifications. */
  progressToken?: RequestId;
}

interface SessionState {
  capabilities: Params;
  /** The session's request ids (keyed) -> the ids the server saw. */
  inFlight: Map<string, number>;
  /** The session's initialize request, held until the server's result is known. */
  pendingInitialize?: RpcRequest;
  subscriptions: Set<string>;
}

export interface MuxStats {
  sessions: number;
  inFlight: number;
  serverRequests: number;
}

const BROADCAST = new Set([
  'notifications/tools/list_changed',
  'notifications/prompts/list_changed',
  'notifications/resources/list_changed',
  'notifications/message',
]);

export class Mux {
  private nextId = 1;
  private readonly sessions = new Map<SessionId, SessionState>();
  private readonly inFlight = new Map<number, InFlight>();
  /** The server's own requests to sessions, by the server's id (keyed). */
  private readonly serverRequests = new Map<string, SessionId>();
  private readonly internal = new Map<number, 'initialize' | 'ping'>();
  private initializeResult: Params | undefined;

  get ready(): boolean {
    return this.initializeResult !== undefined;
  }

  stats(): MuxStats {
    return {
      sessions: this.sessions.size,
      inFlight: this.inFlight.size,
      serverRequests: this.serverRequests.size,
    };
  }

  /** A new server stream is open: the proxy initializes it on behalf of every session. */
  backendStarted(): MuxAction[] {
    const params = {
      protocolVersion: PROXY_PROTOCOL_VERSION,
      capabilities: PROXY_CLIENT_CAPABILITIES,
      clientInfo: PROXY_CLIENT_INFO,
    };
    return [{ to: 'server', message: this.internalRequest('initialize', params) }];
  }

  /** The server stream is gone: every request in flight is answered with an error, nothing is kept. */
  backendStopped(reason: string): MuxAction[] {
    const actions: MuxAction[] = [];
    for (const entry of this.inFlight.values()) {
      actions.push(this.toSession(entry.session, errorResponse(entry.clientId, CONNECTION_CLOSED, reason)));
    }
    for (const [id, session] of this.sessions) {
      session.inFlight.clear();
      if (session.pendingInitialize) {
        actions.push(
          this.toSession(id, errorResponse(session.pendingInitialize.id, CONNECTION_CLOSED, reason)),
        );
        delete session.pendingInitialize;
      }
    }
    this.inFlight.clear();
    this.serverRequests.clear();
    this.internal.clear();
    this.initializeResult = undefined;
    return actions;
  }

  /** A health probe: the pong comes back as a proxy event when the server answers. */
  ping(): MuxAction[] {
    return [{ to: 'server', message: this.internalRequest('ping') }];
  }

  openSession(id: SessionId): void {
    this.sessions.set(id, { capabilities: {}, inFlight: new Map(), subscriptions: new Set() });
  }

  /** Cancels the session's requests at the server and refuses the server's requests to it. */
  closeSession(id: SessionId): MuxAction[] {
    const session = this.sessions.get(id);
    if (!session) return [];
    this.sessions.delete(id);
    const actions: MuxAction[] = [];
    for (const backendId of session.inFlight.values()) {
      this.inFlight.delete(backendId);
      actions.push(this.toServer(cancelled(backendId, 'client session closed')));
    }
    for (const [key, owner] of this.serverRequests) {
      if (owner !== id) continue;
      this.serverRequests.delete(key);
      actions.push(this.toServer(errorResponse(keyToId(key), INTERNAL_ERROR, 'client session closed')));
    }
    return actions;
  }

  fromSession(id: SessionId, message: RpcMessage): MuxAction[] {
    const session = this.sessions.get(id);
    if (!session) return [];
    if (isRequest(message)) return this.sessionRequest(id, session, message);
    if (isNotification(message)) return this.sessionNotification(session, message);
    return this.sessionResponse(id, message);
  }

  fromServer(message: RpcMessage): MuxAction[] {
    if (isRequest(message)) return this.serverRequest(message);
    if (isNotification(message)) return this.serverNotification(message);
    return this.serverResponse(message);
  }

  private sessionRequest(id: SessionId, session: SessionState, request: RpcRequest): MuxAction[] {
    if (request.method === 'initialize') {
      session.capabilities = asParams(request.params?.capabilities);
      if (!this.initializeResult) {
        session.pendingInitialize = request;
        return [];
      }
      return [this.answerInitialize(id, request)];
    }
    if (request.method === 'resources/unsubscribe') {
      const uri = String(request.params?.uri);
      session.subscriptions.delete(uri);
      if (this.subscribers(uri).length > 0)
        return [this.toSession(id, { jsonrpc: '2.0', id: request.id, result: {} })];
    }
    if (request.method === 'resources/subscribe') session.subscriptions.add(String(request.params?.uri));
    return [this.forward(id, session, request)];
  }

  private forward(id: SessionId, session: SessionState, request: RpcRequest): MuxAction {
    const backendId = this.nextId++;
    const progressToken = progressTokenOf(request);
    const entry: InFlight = { session: id, clientId: request.id };
    let params = request.params;
    if (progressToken !== undefined && params) {
      entry.progressToken = progressToken;
      params = withProgressToken(params, backendId);
    }
    this.inFlight.set(backendId, entry);
    session.inFlight.set(idKey(request.id), backendId);
    return this.toServer({ ...request, id: backendId, ...(params ? { params } : {}) });
  }

  private sessionNotification(session: SessionState, note: RpcNotification): MuxAction[] {
    if (note.method === 'notifications/initialized') return [];
    if (note.method !== 'notifications/cancelled') return [this.toServer(note)];
    const requestId = note.params?.requestId;
    const key = typeof requestId === 'string' || typeof requestId === 'number' ? idKey(requestId) : '';
    const backendId = session.inFlight.get(key);
    if (backendId === undefined) return [];
    // Forgotten now: a server that honours the cancellation never answers (the SDK's does not).
    session.inFlight.delete(key);
    this.inFlight.delete(backendId);
    return [this.toServer({ ...note, params: { ...note.params, requestId: backendId } })];
  }

  private sessionResponse(id: SessionId, response: RpcResponse): MuxAction[] {
    if (response.id === undefined || response.id === null) return [];
    const key = idKey(response.id);
    if (this.serverRequests.get(key) !== id) return [];
    this.serverRequests.delete(key);
    return [this.toServer(response)];
  }

  private serverRequest(request: RpcRequest): MuxAction[] {
    if (request.method === 'ping') return [this.toServer({ jsonrpc: '2.0', id: request.id, result: {} })];
    const token = progressTokenOf(request);
    const byToken = token === undefined ? undefined : this.inFlight.get(Number(token));
    const choice = chooseOwner(request.method, byToken?.session, this.sessionViews());
    if ('refusal' in choice)
      return [this.toServer(errorResponse(request.id, INTERNAL_ERROR, choice.refusal))];
    this.serverRequests.set(idKey(request.id), choice.owner);
    const related = byToken ?? this.soleInFlight(choice.owner);
    return [this.toSession(choice.owner, request, related?.clientId)];
  }

  private serverNotification(note: RpcNotification): MuxAction[] {
    if (BROADCAST.has(note.method)) return [...this.sessions.keys()].map((s) => this.toSession(s, note));
    if (note.method === 'notifications/resources/updated') {
      return this.subscribers(String(note.params?.uri)).map((s) => this.toSession(s, note));
    }
    if (note.method === 'notifications/progress') return this.progress(note);
    if (note.method === 'notifications/cancelled') {
      const requestId = note.params?.requestId;
      const key = typeof requestId === 'string' || typeof requestId === 'number' ? idKey(requestId) : '';
      const owner = this.serverRequests.get(key);
      this.serverRequests.delete(key);
      return owner ? [this.toSession(owner, note)] : [];
    }
    // Anything else (a task status, an elicitation completing) belongs to some session; without a
    // way to tell which, it goes to the only busy session or nowhere rather than leaking to all.
    const busy = this.sessionViews().filter((s) => s.inFlight > 0);
    return busy.length === 1 ? [this.toSession(busy[0]!.id, note)] : [];
  }

  private progress(note: RpcNotification): MuxAction[] {
    const entry = this.inFlight.get(Number(note.params?.progressToken));
    if (!entry || entry.progressToken === undefined) return [];
    const params = { ...note.params, progressToken: entry.progressToken };
    return [this.toSession(entry.session, { ...note, params }, entry.clientId)];
  }

  private serverResponse(response: RpcResponse): MuxAction[] {
    if (typeof response.id !== 'number') return [];
    const internal = this.internal.get(response.id);
    if (internal) return this.internalResponse(response.id, internal, response);
    const entry = this.inFlight.get(response.id);
    if (!entry) return [];
    this.inFlight.delete(response.id);
    this.sessions.get(entry.session)?.inFlight.delete(idKey(entry.clientId));
    return [this.toSession(entry.session, { ...response, id: entry.clientId })];
  }

  private internalResponse(id: number, kind: 'initialize' | 'ping', response: RpcResponse): MuxAction[] {
    this.internal.delete(id);
    if (kind === 'ping') return [{ to: 'proxy', event: 'pong' }];
    if ('error' in response)
      return [{ to: 'proxy', event: 'initialize-failed', detail: response.error.message }];
    this.initializeResult = response.result;
    const actions: MuxAction[] = [
      this.toServer({ jsonrpc: '2.0', method: 'notifications/initialized' }),
      { to: 'proxy', event: 'ready' },
    ];
    for (const [sessionId, session] of this.sessions) {
      if (!session.pendingInitialize) continue;
      actions.push(this.answerInitialize(sessionId, session.pendingInitialize));
      delete session.pendingInitialize;
    }
    return actions;
  }

  private answerInitialize(id: SessionId, request: RpcRequest): MuxAction {
    const result = sessionInitializeResult(this.initializeResult!, request.params?.protocolVersion);
    return this.toSession(id, { jsonrpc: '2.0', id: request.id, result });
  }

  private internalRequest(method: 'initialize' | 'ping', params?: Params): RpcRequest {
    const id = this.nextId++;
    this.internal.set(id, method);
    return { jsonrpc: '2.0', id, method, ...(params ? { params } : {}) };
  }

  private sessionViews(): SessionView[] {
    return [...this.sessions].map(([id, s]) => ({
      id,
      capabilities: s.capabilities,
      inFlight: s.inFlight.size,
    }));
  }

  private soleInFlight(session: SessionId): InFlight | undefined {
    const ids = [...(this.sessions.get(session)?.inFlight.values() ?? [])];
    return ids.length === 1 ? this.inFlight.get(ids[0]!) : undefined;
  }

  private subscribers(uri: string): SessionId[] {
    return [...this.sessions].filter(([, s]) => s.subscriptions.has(uri)).map(([id]) => id);
  }

  private toServer(message: RpcMessage): MuxAction {
    return { to: 'server', message };
  }

  private toSession(session: SessionId, message: RpcMessage, relatedRequestId?: RequestId): MuxAction {
    return relatedRequestId === undefined
      ? { to: 'session', session, message }
      : { to: 'session', session, message, relatedRequestId };
  }
}

const cancelled = (requestId: number, reason: string): RpcNotification => ({
  jsonrpc: '2.0',
  method: 'notifications/cancelled',
  params: { requestId, reason },
});

const asParams = (v: unknown): Params => (typeof v === 'object' && v !== null ? (v as Params) : {});

/** The id a key was made from (idKey's inverse). */
function keyToId(key: string): RequestId {
  return key.startsWith('n:') ? Number(key.slice(2)) : key.slice(2);
}
