// A bare streamable-HTTP client over fetch, for tests that look at what the SDK hides: event ids, the
// priming event, a connection dropped mid-stream and resumed with Last-Event-ID.
import { SseDecoder, type SseEvent } from '../../../../proxy/framing.ts';

export const PROTOCOL = '2025-11-25';

export interface RawSession {
  url: string;
  sessionId: string;
  headers(extra?: Record<string, string>): Record<string, string>;
}

/** initialize and notifications/initialized at url (…/mcp); the session the proxy minted. */
export async function openRawSession(url: string): Promise<RawSession> {
  const base = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
  const init = await fetch(url, {
    method: 'POST',
    headers: base,
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 0,
      method: 'initialize',
      params: { protocolVersion: PROTOCOL, capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
    }),
  });
  const sessionId = init.headers.get('mcp-session-id');
  await init.text();
  if (!init.ok || !sessionId) throw new Error(`initialize answered ${init.status}`);
  const headers = (extra: Record<string, string> = {}) => ({
    ...base,
    'mcp-session-id': sessionId,
    'mcp-protocol-version': PROTOCOL,
    ...extra,
  });
  const done = await fetch(url, {
    method: 'POST',
    headers: headers(),
    body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }),
  });
  await done.text();
  return { url, sessionId, headers };
}

/** Reads SSE events from a response body until until() says stop or the body ends; then cancels it. */
export async function readEvents(
  res: Response,
  until: (event: SseEvent, all: SseEvent[]) => boolean,
): Promise<SseEvent[]> {
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  const decoder = new SseDecoder();
  const events: SseEvent[] = [];
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return events;
      for (const event of decoder.push(value)) {
        events.push(event);
        if (until(event, events)) return events;
      }
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}

/** The JSON-RPC message an event carries; undefined for a priming event. */
export const messageOf = (event: SseEvent): Record<string, unknown> | undefined =>
  event.data.trim() === '' ? undefined : (JSON.parse(event.data) as Record<string, unknown>);
