// Talking to the proxy under fuzz over kept-alive HTTP (undici): sending a case with live session ids
// filled in, reading the answer whether JSON or an SSE stream, opening legacy SSE sessions, and judging
// answers against a case's expectations (checkProxyAnswer is pure).
import { randomUUID } from 'node:crypto';
import type { Pool } from 'undici';
import { GOOD_HEADERS, INITIALIZE, type ProxyCase } from './proxy-cases.ts';

export interface ProxyAnswer {
  status: number;
  contentType: string;
  /** The JSON body, or the JSON-RPC messages of an SSE answer. */
  messages: unknown[];
  text: string;
  sessionId: string | undefined;
  ms: number;
}

export interface LiveSessions {
  mcp: string[];
  sse: string[];
}

/** The data of each complete SSE event in text. */
export function sseData(text: string): string[] {
  return text
    .split(/\r?\n\r?\n/)
    .slice(0, -1)
    .map((event) =>
      event
        .split(/\r?\n/)
        .filter((line) => line.startsWith('data:'))
        .map((line) => line.slice(5).trimStart())
        .join('\n'),
    )
    .filter((data) => data !== '');
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

async function readAnswer(
  res: Awaited<ReturnType<Pool['request']>>,
  rpcId: unknown,
  started: number,
): Promise<ProxyAnswer> {
  const type = String(res.headers['content-type'] ?? '');
  const sessionId = res.headers['mcp-session-id'] as string | undefined;
  let text = '';
  const messages: unknown[] = [];
  if (type.startsWith('text/event-stream')) {
    // Read until the response to our request arrives, then hang up: the stream may stay open.
    for await (const chunk of res.body) {
      text += (chunk as Buffer).toString('utf8');
      const parsed = sseData(text).map((d) => JSON.parse(d) as unknown);
      if (parsed.some((m) => isObject(m) && m.id === rpcId && !('method' in m))) {
        messages.push(...parsed);
        res.body.destroy();
        break;
      }
    }
  } else {
    text = await res.body.text();
    if (type.startsWith('application/json')) messages.push(JSON.parse(text) as unknown);
  }
  return {
    status: res.statusCode,
    contentType: type,
    messages,
    text,
    sessionId,
    ms: performance.now() - started,
  };
}

/** Sends c, with a live session id (picked by n) where it wants one. */
export async function sendCase(
  pool: Pool,
  c: ProxyCase,
  live: LiveSessions,
  n: number,
): Promise<ProxyAnswer> {
  const headers = { ...c.headers };
  let path = '/mcp';
  if (c.front === 'mcp') {
    if (c.session === 'live') headers['mcp-session-id'] = live.mcp[n % live.mcp.length]!;
    if (c.session === 'unknown') headers['mcp-session-id'] = randomUUID();
  } else {
    const id =
      c.session === 'live'
        ? live.sse[n % live.sse.length]!
        : c.session === 'unknown'
          ? randomUUID()
          : '%00..%2F%ff';
    path = `/messages?sessionId=${id}`;
  }
  const started = performance.now();
  const res = await pool.request({ path, method: c.method, headers, body: c.body });
  return readAnswer(res, c.rpcId, started);
}

const isRpcError = (m: unknown): boolean =>
  isObject(m) && m.jsonrpc === '2.0' && isObject(m.error) && typeof m.error.code === 'number';

/** Why a 200 answer does not carry the response to the case's request (and its echo), or undefined. */
function responseProblem(c: ProxyCase, a: ProxyAnswer): string | undefined {
  const response = a.messages.find((m) => isObject(m) && m.id === c.rpcId && !('method' in m));
  if (!isObject(response))
    return `no JSON-RPC response with id ${JSON.stringify(c.rpcId)}: ${a.text.slice(0, 300)}`;
  if (c.echo === undefined) return undefined;
  const text = (response.result as { content?: { text?: string }[] } | undefined)?.content?.[0]?.text;
  const want = `Echo: ${c.echo}`;
  return text === want
    ? undefined
    : `echo came back as ${JSON.stringify(text)?.slice(0, 200)}, want ${JSON.stringify(want).slice(0, 200)}`;
}

/** Why the answer breaks the case's promise, or undefined. */
export function checkProxyAnswer(c: ProxyCase, a: ProxyAnswer, timeoutMs: number): string | undefined {
  if (a.ms > timeoutMs) return `answered after ${Math.round(a.ms)} ms`;
  if (!c.statuses.includes(a.status))
    return `status ${a.status}, want ${c.statuses.join('|')}: ${a.text.slice(0, 300)}`;
  if (a.status >= 400)
    return isRpcError(a.messages[0])
      ? undefined
      : `a ${a.status} without a JSON-RPC error body: ${a.text.slice(0, 300)}`;
  return a.status === 200 && c.rpcId !== undefined ? responseProblem(c, a) : undefined;
}

/** A new /mcp session, initialized; its id. */
export async function openMcpSession(
  pool: Pool,
): Promise<{ status: number; sessionId?: string; text: string }> {
  const res = await pool.request({
    path: '/mcp',
    method: 'POST',
    headers: GOOD_HEADERS,
    body: JSON.stringify(INITIALIZE),
  });
  const answer = await readAnswer(res, INITIALIZE.id, performance.now());
  if (answer.status === 200 && answer.sessionId) {
    const initialized = JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' });
    const ack = await pool.request({
      path: '/mcp',
      method: 'POST',
      headers: { ...GOOD_HEADERS, 'mcp-session-id': answer.sessionId },
      body: initialized,
    });
    await ack.body.text();
  }
  return { status: answer.status, sessionId: answer.sessionId, text: answer.text };
}

export interface SseSession {
  id: string;
  close(): void;
}

/** A legacy /sse session whose stream is read and dropped while open; its id from the endpoint event. */
export async function openSseSession(pool: Pool): Promise<SseSession> {
  const res = await pool.request({ path: '/sse', method: 'GET', headers: { accept: 'text/event-stream' } });
  if (res.statusCode !== 200)
    throw new Error(`GET /sse answered ${res.statusCode}: ${await res.body.text()}`);
  // Events, not for-await: leaving a for-await loop would destroy the stream we mean to keep open.
  return new Promise((resolve, reject) => {
    let text = '';
    let id: string | undefined;
    res.body.on('data', (chunk: Buffer) => {
      if (id) return; // read and dropped: a stream nobody reads is cut by the proxy
      text += chunk.toString('utf8');
      id = /sessionId=([0-9a-f-]+)/.exec(text)?.[1];
      if (id) resolve({ id, close: () => res.body.destroy() });
    });
    res.body.on('error', () => undefined);
    res.body.on('end', () => reject(new Error('the SSE stream ended before its endpoint event')));
  });
}
