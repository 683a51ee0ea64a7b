// SSE event ids of the /mcp front: `<stream>_<seq>`. The stream part is random (not guessable, unique
// across proxy replicas), seq counts the stream's events from 1; `<stream>_0` is the priming event's id,
// so a client that saw nothing else resumes from the start. Pure.
import { randomBytes } from 'node:crypto';

export const newStreamId = (): string => randomBytes(12).toString('base64url');

export const eventId = (streamId: string, seq: number): string => `${streamId}_${seq}`;

/** The stream and sequence number an id names; undefined for anything this proxy did not mint. */
export function parseEventId(id: string | undefined): { streamId: string; seq: number } | undefined {
  const match = /^([A-Za-z0-9_-]{16})_(\d{1,9})$/u.exec(id ?? '');
  return match ? { streamId: match[1]!, seq: Number(match[2]) } : undefined;
}
