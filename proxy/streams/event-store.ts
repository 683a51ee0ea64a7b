// Where the events of the /mcp front's SSE streams are kept for replay (MCP 2025-11-25, "Resumability
// and Redelivery"): a client that lost a stream sends GET with Last-Event-ID and gets what came after.
// Two kinds: in this process (memory-event-store.ts) and in Redis for replicas that share sessions
// (redis-event-store.ts). Both are bounded: so many events per stream, so many streams, and a time after
// a stream's last event when it is forgotten.
import type { RequestId, RpcMessage } from '../jsonrpc.ts';

/** What a stream belongs to: its session and, for a POST's stream, the request it answers. */
export interface StreamInfo {
  sessionId: string;
  /** The request whose response ends the stream; absent for the session's GET stream. */
  requestId?: RequestId;
}

export interface StoredEvent {
  seq: number;
  message: RpcMessage;
  /** The upstream server's event id the message came with, when it had one: where to resume it. */
  upstreamId?: string;
}

export interface Replay {
  info: StreamInfo;
  /** The events after the one asked for, oldest first; fewer than were sent when the bound dropped some. */
  events: StoredEvent[];
  /** True once the stream's last message (its response) was stored. */
  finished: boolean;
  /** The last upstream event id stored for the stream, whatever the bound dropped. */
  upstreamId?: string;
}

export interface EventStoreLimits {
  /** Events kept per stream; the oldest go first. */
  maxEventsPerStream: number;
  /** Streams kept; the least recently written go first (memory only: Redis expires them). */
  maxStreams: number;
  /** A stream is forgotten this long after its last event. */
  ttlMs: number;
}

export const DEFAULT_EVENT_STORE_LIMITS: EventStoreLimits = {
  maxEventsPerStream: 100,
  maxStreams: 2000,
  ttlMs: 5 * 60_000,
};

export interface EventStore {
  /** Records a new stream; must be called before its first append. */
  open(streamId: string, info: StreamInfo): Promise<void>;
  /** Stores message as the stream's next event and resolves its sequence number (from 1). */
  append(streamId: string, message: RpcMessage, upstreamId?: string, last?: boolean): Promise<number>;
  /** The events after seq, or undefined when the stream is unknown or forgotten. */
  replay(streamId: string, afterSeq: number): Promise<Replay | undefined>;
  /** For metrics and the bench: events and streams held here (Redis: undefined). */
  size(): { streams: number; events: number } | undefined;
  /** Forgets streams past their time (memory; Redis expires keys itself). */
  sweep?(): number;
  close(): void;
}
