// GET /mcp with Last-Event-ID: the stream the id names continues on this connection after what the
// client saw (MCP 2025-11-25, "Resumability and Redelivery"). An unfinished stream this process holds
// is resumed live. Otherwise the event store answers (with Redis, for a stream another replica
// carried): what it holds after the id is replayed; a finished stream then ends; the session's GET
// stream becomes this connection; a request still running whose replica went away is continued from
// the server's own stream (its last upstream event id) when the server can resume, else answered with
// an error that says so. Another session's stream id is treated as unknown (404).
import type { ServerResponse } from 'node:http';
import { CONNECTION_CLOSED, INVALID_REQUEST, errorResponse, isResponse, type RequestId } from '../jsonrpc.ts';
import type { EventStore, Replay } from '../streams/event-store.ts';
import { sendRpcError } from './http.ts';
import { ResumableStream, type ResumableOptions } from './resumable-stream.ts';
import type { SseLimits } from './sse-stream.ts';
import { SseStream } from './sse-stream.ts';
import type { Answer, StreamableSession } from './streamable-session.ts';

export interface ResumeDeps {
  events: EventStore;
  sseLimits: SseLimits;
  streamOptions: ResumableOptions;
}

export async function resumeStream(
  session: StreamableSession,
  last: { streamId: string; seq: number },
  res: ServerResponse,
  deps: ResumeDeps,
): Promise<void> {
  const live = session.stream(last.streamId);
  if (live) {
    const sse = new SseStream(res, deps.sseLimits);
    if (session.isGetStream(live)) return session.resumeGetStream(live, sse, last.seq);
    return live.resume(sse, last.seq);
  }
  const replay = await deps.events.replay(last.streamId, last.seq).catch(() => undefined);
  if (!replay || replay.info.sessionId !== session.id)
    return sendRpcError(res, 404, INVALID_REQUEST, 'Not Found: no stream with that Last-Event-ID');
  const sse = new SseStream(res, deps.sseLimits);
  const requestId = replay.info.requestId;
  if (requestId === undefined) {
    for (const event of replay.events) sse.send(event.message, `${last.streamId}_${event.seq}`);
    return session.attachGetStream(sse, false);
  }
  if (replay.finished) {
    for (const event of replay.events) sse.send(event.message, `${last.streamId}_${event.seq}`);
    return sse.end();
  }
  const stream = new ResumableStream(replay.info, deps.streamOptions, last.streamId);
  session.adoptStream(stream);
  await stream.resume(sse, last.seq, replay.events);
  continueRequest(session, stream, requestId, replay);
}

/** The request's answer now comes through stream; the server is asked to resume where it stopped. */
function continueRequest(
  session: StreamableSession,
  stream: ResumableStream,
  requestId: RequestId,
  replay: Replay,
): void {
  session.expect(requestId, new ResumedAnswer(stream));
  const resumed = replay.upstreamId !== undefined && session.backend?.resume?.(requestId, replay.upstreamId);
  if (resumed) return;
  session.deliver(
    errorResponse(
      requestId,
      CONNECTION_CLOSED,
      'The proxy replica that carried this request went away and the MCP server cannot resume its stream',
    ),
  );
}

/** A request's answer on a stream resumed here after another connection or replica carried it. */
class ResumedAnswer implements Answer {
  private readonly resumed: ResumableStream;

  constructor(stream: ResumableStream) {
    this.resumed = stream;
  }

  deliver(message: Parameters<Answer['deliver']>[0], upstreamId?: string): boolean {
    this.resumed.send(message, upstreamId, isResponse(message));
    return true;
  }

  get open(): boolean {
    return !this.resumed.finished;
  }

  get streaming(): boolean {
    return this.resumed.attached && !this.resumed.finished;
  }

  poll(): boolean {
    if (!this.resumed.attached) return false;
    this.resumed.end();
    return true;
  }
}
