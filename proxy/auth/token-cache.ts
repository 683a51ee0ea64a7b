// The verified-token cache: a token already verified costs one SHA-256 and one map lookup, not a
// signature check or an introspection round trip, so a session's repeated requests stay cheap (bench/proxy.ts
// compares the authenticated path's calls/s with the open one's). Keyed by a hash of the token, so the
// cache holds no token. Entries last until the token's exp (introspected ones at most maxOpaqueMs, so a
// revocation takes effect that soon), and the oldest go first past maxEntries.
import { hash } from 'node:crypto';
import type { Caller } from '../caller.ts';

// crypto.hash, one call: about half the cost of createHash().update().digest() per request.
export const tokenKey = (token: string): string => hash('sha256', token, 'base64');

export class TokenCache {
  private readonly entries = new Map<string, { caller: Caller; untilMs: number }>();
  private readonly maxEntries: number;
  private readonly now: () => number;

  constructor(options: { maxEntries?: number; now?: () => number } = {}) {
    this.maxEntries = options.maxEntries ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: string): Caller | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.untilMs > this.now()) return entry.caller;
    this.entries.delete(key);
    return undefined;
  }

  set(key: string, caller: Caller, untilMs: number): void {
    if (untilMs <= this.now()) return;
    this.entries.delete(key);
    this.entries.set(key, { caller, untilMs });
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }
}
