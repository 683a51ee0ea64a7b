// The proxy's client sessions, whichever front opened them: minted ids, idle expiry, a bound on their
// number. The proxy mints its own ids (random UUIDs, as the spec asks: globally unique and not
// guessable), never passing on the backend's, so a client cannot address another proxy's or
// backend's session. What a session holds is the front's business (Entry).

import { randomUUID } from 'node:crypto';

export interface Entry {
  /** True while the client holds a stream open: such a session is never idle. */
  busy(): boolean;
  /** Ends the session: streams closed, backend session closed. Called once, by the table. */
  close(reason: string): void;
}

export class SessionTable<T extends Entry> {
  private readonly entries = new Map<string, { entry: T; lastActive: number }>();
  private readonly idleMs: number;
  private readonly maxSessions: number;
  private readonly now: () => number;
  private readonly onClose: (id: string) => void;

  constructor(options: {
    idleMs: number;
    maxSessions: number;
    now?: () => number;
    onClose?: (id: string) => void;
  }) {
    this.idleMs = options.idleMs;
    this.maxSessions = options.maxSessions;
    this.now = options.now ?? Date.now;
    this.onClose = options.onClose ?? (() => undefined);
  }

  get size(): number {
    return this.entries.size;
  }

  get full(): boolean {
    return this.entries.size >= this.maxSessions;
  }

  mintId(): string {
    return randomUUID();
  }

  add(id: string, entry: T): void {
    this.entries.set(id, { entry, lastActive: this.now() });
  }

  /** The session, marked active; undefined when unknown or expired (the front answers 404). */
  get(id: string): T | undefined {
    const slot = this.entries.get(id);
    if (slot) slot.lastActive = this.now();
    return slot?.entry;
  }

  close(id: string, reason: string): boolean {
    const slot = this.entries.get(id);
    if (!slot) return false;
    this.entries.delete(id);
    slot.entry.close(reason);
    this.onClose(id);
    return true;
  }

  /** Closes sessions idle longer than idleMs; returns how many. Call it from a timer. */
  expireIdle(): number {
    const cutoff = this.now() - this.idleMs;
    let expired = 0;
    for (const [id, slot] of this.entries) {
      if (slot.entry.busy()) slot.lastActive = this.now();
      else if (slot.lastActive < cutoff && this.close(id, 'idle session expired')) expired += 1;
    }
    return expired;
  }

  closeAll(reason: string): void {
    for (const id of [...this.entries.keys()]) this.close(id, reason);
  }
}
