// The event store of a proxy that keeps its sessions in memory: a Map in insertion order, so the least
// recently written stream is the first key (a write moves it to the end). Bounded by event-store.ts's
// limits; expiry is checked on access and by sweep(), which the front calls with its idle sweep.
import type { RpcMessage } from '../jsonrpc.ts';
import {
  DEFAULT_EVENT_STORE_LIMITS,
  type EventStore,
  type EventStoreLimits,
  type Replay,
  type StoredEvent,
  type StreamInfo,
} from './event-store.ts';

interface Kept {
  info: StreamInfo;
  events: StoredEvent[];
  nextSeq: number;
  finished: boolean;
  upstreamId?: string;
  touched: number;
}

export class MemoryEventStore implements EventStore {
  private readonly streams = new Map<string, Kept>();
  private readonly limits: EventStoreLimits;
  private readonly now: () => number;
  private events = 0;

  constructor(limits: Partial<EventStoreLimits> = {}, now: () => number = Date.now) {
    this.limits = { ...DEFAULT_EVENT_STORE_LIMITS, ...limits };
    this.now = now;
  }

  open(streamId: string, info: StreamInfo): Promise<void> {
    this.put(streamId, { info, events: [], nextSeq: 1, finished: false, touched: this.now() });
    return Promise.resolve();
  }

  append(streamId: string, message: RpcMessage, upstreamId?: string, last = false): Promise<number> {
    const kept = this.streams.get(streamId);
    if (!kept) return Promise.resolve(0);
    const seq = kept.nextSeq++;
    kept.events.push({ seq, message, ...(upstreamId === undefined ? {} : { upstreamId }) });
    this.events += 1;
    if (kept.events.length > this.limits.maxEventsPerStream) {
      kept.events.shift();
      this.events -= 1;
    }
    if (upstreamId !== undefined) kept.upstreamId = upstreamId;
    if (last) kept.finished = true;
    kept.touched = this.now();
    this.put(streamId, kept);
    return Promise.resolve(seq);
  }

  replay(streamId: string, afterSeq: number): Promise<Replay | undefined> {
    const kept = this.streams.get(streamId);
    if (!kept || kept.touched < this.now() - this.limits.ttlMs) return Promise.resolve(undefined);
    return Promise.resolve({
      info: kept.info,
      events: kept.events.filter((event) => event.seq > afterSeq),
      finished: kept.finished,
      ...(kept.upstreamId === undefined ? {} : { upstreamId: kept.upstreamId }),
    });
  }

  /** Forgets streams past their time; returns how many. */
  sweep(): number {
    const cutoff = this.now() - this.limits.ttlMs;
    let dropped = 0;
    for (const [id, kept] of this.streams) {
      if (kept.touched >= cutoff) break;
      this.drop(id, kept);
      dropped += 1;
    }
    return dropped;
  }

  size(): { streams: number; events: number } {
    return { streams: this.streams.size, events: this.events };
  }

  close(): void {
    this.streams.clear();
    this.events = 0;
  }

  private put(streamId: string, kept: Kept): void {
    this.streams.delete(streamId);
    this.streams.set(streamId, kept);
    while (this.streams.size > this.limits.maxStreams) {
      const [oldest, value] = this.streams.entries().next().value as [string, Kept];
      this.drop(oldest, value);
    }
  }

  private drop(streamId: string, kept: Kept): void {
    this.streams.delete(streamId);
    this.events -= kept.events.length;
  }
}
