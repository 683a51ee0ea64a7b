// What the proxy fuzz test sends to the proxy's fronts (/mcp, and /messages of the legacy SSE transport),
// and which answers each request may get. A case has at most one fault (bad Host or Origin, wrong method,
// Accept or Content-Type, a body over the limit, bytes that are not one JSON-RPC message, a missing,
// unknown or garbage session, an unknown protocol version), so its expected status follows from the MCP
// transport spec and proxy/README.md without depending on the order the proxy checks things in.
// Session ids are placeholders here: the test fills in live ones when it sends.
import fc from 'fast-check';
import { hostileText } from './hostile-text.ts';

export type SessionUse = 'live' | 'none' | 'unknown' | 'garbage';

export interface ProxyCase {
  label: string;
  front: 'mcp' | 'sse';
  method: string;
  session: SessionUse;
  headers: Record<string, string>;
  body: Buffer | undefined;
  /** The statuses the answer may have. */
  statuses: readonly number[];
  /** For a JSON-RPC request expected to be answered: its id, and for echo the text to come back. */
  rpcId?: string | number;
  echo?: string;
}

export const MAX_MESSAGE_BYTES = 4 * 1024 * 1024; // DEFAULT_LIMITS.maxMessageBytes, restated: the test states the promise

const GOOD_HEADERS = {
  accept: 'application/json, text/event-stream',
  'content-type': 'application/json',
};

// ---- JSON-RPC messages ----

interface Message {
  value: unknown;
  kind: 'request' | 'notification' | 'response' | 'invalid';
  id?: string | number;
  echo?: string;
}

const requestId = fc.oneof(fc.uuid(), fc.integer({ min: 1_000_000, max: 2 ** 31 - 1 }));
const smallObject = fc.dictionary(hostileText(6), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 });

const request: fc.Arbitrary<Message> = fc.oneof(
  fc.tuple(requestId, hostileText(40)).map(([id, text]) => ({
    value: {
      jsonrpc: '2.0',
      id,
      method: 'tools/call',
      params: { name: 'echo', arguments: { message: text } },
    },
    kind: 'request' as const,
    id,
    echo: text,
  })),
  fc
    .tuple(
      requestId,
      fc.constantFrom(
        'ping',
        'tools/list',
        'resources/list',
        'prompts/list',
        'resources/templates/list',
        'no/such/method',
        '',
      ),
      fc.option(smallObject, { nil: undefined }),
    )
    .map(([id, method, params]) => ({
      value: params === undefined ? { jsonrpc: '2.0', id, method } : { jsonrpc: '2.0', id, method, params },
      kind: 'request' as const,
      id,
    })),
  fc.tuple(requestId, hostileText(8), fc.jsonValue({ maxDepth: 2 })).map(([id, name, args]) => ({
    value: { jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args } },
    kind: 'request' as const,
    id,
  })),
);

const notification: fc.Arbitrary<Message> = fc
  .tuple(
    fc.constantFrom('notifications/roots/list_changed', 'notifications/unknown', 'notifications/initialized'),
    fc.option(smallObject, { nil: undefined }),
  )
  .map(([method, params]) => ({
    value: params === undefined ? { jsonrpc: '2.0', method } : { jsonrpc: '2.0', method, params },
    kind: 'notification' as const,
  }));

/** A client's answer to a server request that was never made. */
const response: fc.Arbitrary<Message> = fc
  .tuple(fc.integer({ min: 0, max: 1000 }), fc.boolean(), smallObject)
  .map(([id, ok, result]) => ({
    value: ok
      ? { jsonrpc: '2.0', id, result }
      : { jsonrpc: '2.0', id, error: { code: -32000, message: 'no' } },
    kind: 'response' as const,
  }));

const notAnId = fc.oneof(
  fc.boolean(),
  fc.dictionary(fc.string(), fc.integer(), { maxKeys: 2 }),
  fc.array(fc.integer(), { maxLength: 2 }),
);
const notAMethod = fc.oneof(
  fc.integer(),
  fc.constant(null),
  fc.array(fc.string(), { maxLength: 2 }),
  fc.dictionary(fc.string(), fc.string(), { maxKeys: 1 }),
);

/** Messages no reading of JSON-RPC 2.0 accepts: wrong types where the envelope needs a string, number or object. */
const invalid: fc.Arbitrary<Message> = fc
  .oneof(
    fc
      .tuple(notAnId, fc.constantFrom('ping', 'tools/list'))
      .map(([id, method]) => ({ jsonrpc: '2.0', id, method })),
    fc.tuple(requestId, notAMethod).map(([id, method]) => ({ jsonrpc: '2.0', id, method })),
    fc
      .tuple(requestId, fc.oneof(fc.constant('1.0'), fc.constant(2), fc.constant(null)))
      .map(([id, jsonrpc]) => ({ jsonrpc, id, method: 'ping' })),
    requestId.map((id) => ({ id, method: 'ping' })),
    fc
      .tuple(requestId, fc.oneof(fc.string(), fc.integer(), fc.constant(true)))
      .map(([id, params]) => ({ jsonrpc: '2.0', id, method: 'ping', params })),
    fc.constant({ jsonrpc: '2.0' }),
    fc.constant({ jsonrpc: '2.0', id: 1 }),
    fc.tuple(requestId, fc.jsonValue({ maxDepth: 1 })).map(([id, result]) => ({
      jsonrpc: '2.0',
      id,
      result: typeof result === 'object' && result !== null ? 'not an object' : result,
    })),
  )
  .map((value) => ({ value, kind: 'invalid' as const }));

const message: fc.Arbitrary<Message> = fc.oneof(
  { weight: 5, arbitrary: request },
  { weight: 1, arbitrary: notification },
  { weight: 1, arbitrary: response },
  { weight: 3, arbitrary: invalid },
);

const json = (value: unknown): Buffer => Buffer.from(JSON.stringify(value), 'utf8');

/** What a live session's POST of this message must get on /mcp. */
function mcpStatuses(m: Message): readonly number[] {
  if (m.kind === 'invalid') return [400];
  // 503: the queue to the server is full, a documented answer to load.
  return m.kind === 'request' ? [200, 503] : [202, 503];
}

// ---- faults ----

/** Bytes that are not one JSON-RPC message: not JSON, truncated, a batch, a bare value. */
const malformedBody = fc.oneof(
  fc.uint8Array({ minLength: 1, maxLength: 64 }).map((b) => Buffer.from(b)),
  message.chain((m) =>
    fc.nat().map((n) => {
      const t = json(m.value);
      return t.subarray(0, n % t.length);
    }),
  ),
  fc.array(request, { minLength: 1, maxLength: 3 }).map((ms) => json(ms.map((m) => m.value))),
  fc
    .constantFrom(
      'null',
      '[]',
      '"ping"',
      '1',
      '{}',
      '{"jsonrpc":"2.0",',
      '\ufeff{"jsonrpc":"2.0","id":1,"method":"ping"}',
    )
    .map((t) => Buffer.from(t)),
);

const garbageSessionId = fc.oneof(
  fc.stringMatching(/^[\x21-\x7e]{1,64}$/),
  fc.constant('x'.repeat(4096)),
  fc.constant('00000000-0000-0000-0000-000000000000'),
);

type Fault =
  | 'none'
  | 'host'
  | 'origin'
  | 'method'
  | 'accept'
  | 'content-type'
  | 'malformed'
  | 'no-session'
  | 'unknown-session'
  | 'garbage-session'
  | 'bad-version';

const FAULTS: readonly Fault[] = [
  'host',
  'origin',
  'method',
  'accept',
  'content-type',
  'malformed',
  'no-session',
  'unknown-session',
  'garbage-session',
  'bad-version',
];

function mcpCase(
  fault: Fault,
  m: Message,
  extra: {
    malformed: Buffer;
    host: string;
    origin: string;
    method: string;
    accept: string;
    contentType: string;
    version: string;
    garbage: string;
  },
): ProxyCase {
  const base: ProxyCase = {
    label: `mcp ${fault} ${m.kind}`,
    front: 'mcp',
    method: 'POST',
    session: 'live',
    headers: { ...GOOD_HEADERS },
    body: json(m.value),
    statuses: mcpStatuses(m),
    rpcId: m.kind === 'request' ? m.id : undefined,
    echo: m.echo,
  };
  const refused = (statuses: number[], changes: Partial<ProxyCase>): ProxyCase => ({
    ...base,
    ...changes,
    statuses,
    rpcId: undefined,
    echo: undefined,
  });
  switch (fault) {
    case 'none':
      return base;
    case 'host':
      return refused([403], { headers: { ...base.headers, host: extra.host } });
    case 'origin':
      return refused([403], { headers: { ...base.headers, origin: extra.origin } });
    case 'method':
      return refused([405], { method: extra.method });
    case 'accept':
      return refused([406], { headers: { ...base.headers, accept: extra.accept } });
    case 'content-type':
      return refused([415], { headers: { ...base.headers, 'content-type': extra.contentType } });
    case 'malformed':
      return refused([400], { body: extra.malformed });
    case 'no-session':
      return refused([400], { session: 'none' });
    case 'unknown-session':
      return refused(m.kind === 'invalid' ? [400] : [404], { session: 'unknown' });
    case 'garbage-session':
      return refused(m.kind === 'invalid' ? [400] : [404], {
        session: 'garbage',
        headers: { ...base.headers, 'mcp-session-id': extra.garbage },
      });
    case 'bad-version':
      return refused([400], { headers: { ...base.headers, 'mcp-protocol-version': extra.version } });
  }
}

/** One POST to /mcp with at most one fault. */
const mcpPost: fc.Arbitrary<ProxyCase> = fc
  .tuple(
    fc.oneof(
      { weight: 4, arbitrary: fc.constant<Fault>('none') },
      { weight: 6, arbitrary: fc.constantFrom(...FAULTS) },
    ),
    message,
    fc.record({
      malformed: malformedBody,
      host: fc.constantFrom(
        'evil.example',
        'localhost.evil.example',
        '127.0.0.2',
        'mcp-fuzz-proxy.other',
        '[::2]',
        '',
      ),
      origin: fc.constantFrom(
        'http://evil.example',
        'null',
        'not a url',
        'https://127.0.0.1.evil.example',
        'file://',
      ),
      method: fc.constantFrom('PUT', 'PATCH', 'OPTIONS'),
      accept: fc.constantFrom('text/html', 'application/xml', 'image/*'),
      contentType: fc.constantFrom(
        'text/plain',
        'application/x-www-form-urlencoded',
        'json',
        'text/json',
        'multipart/form-data',
      ),
      // Older than any revision, or not a date: "newer than the newest" would select the sessionless mode.
      version: fc.constantFrom('2020-01-01', 'latest', '1', '2024-13-45x'),
      garbage: garbageSessionId,
    }),
  )
  .map(([fault, m, extra]) => printable(mcpCase(fault, m, extra)));

/** One POST to the legacy /messages endpoint of a live SSE session, or of none. */
const ssePost: fc.Arbitrary<ProxyCase> = fc
  .tuple(fc.constantFrom('live', 'live', 'live', 'unknown', 'garbage'), fc.boolean(), message, malformedBody)
  .map(([session, broken, m, malformed]): ProxyCase => {
    const label = `sse ${session}${broken ? ' malformed' : ''} ${m.kind}`;
    const statuses = session !== 'live' ? [404] : broken || m.kind === 'invalid' ? [400] : [202, 503];
    return printable({
      label,
      front: 'sse',
      method: 'POST',
      session,
      headers: { ...GOOD_HEADERS },
      body: broken ? malformed : json(m.value),
      statuses,
    });
  });

export const proxyCaseArbitrary: fc.Arbitrary<ProxyCase> = fc.oneof(
  { weight: 4, arbitrary: mcpPost },
  { weight: 1, arbitrary: ssePost },
);

/** Bodies just over the limit, and a large message under it that must still be answered. */
export function sizeCases(): ProxyCase[] {
  const over = Buffer.concat([
    Buffer.from('{"jsonrpc":"2.0","id":1,"method":"ping","params":{"pad":"'),
    Buffer.alloc(MAX_MESSAGE_BYTES, 0x61),
    Buffer.from('"}}'),
  ]);
  const text = 'b'.repeat(1024 * 1024);
  const under = json({
    jsonrpc: '2.0',
    id: 'big-echo',
    method: 'tools/call',
    params: { name: 'echo', arguments: { message: text } },
  });
  return [
    {
      label: 'mcp oversize',
      front: 'mcp',
      method: 'POST',
      session: 'live',
      headers: { ...GOOD_HEADERS },
      body: over,
      statuses: [413],
    },
    {
      label: 'mcp oversize no-session',
      front: 'mcp',
      method: 'POST',
      session: 'none',
      headers: { ...GOOD_HEADERS },
      body: over,
      statuses: [413],
    },
    {
      label: 'sse oversize',
      front: 'sse',
      method: 'POST',
      session: 'live',
      headers: { ...GOOD_HEADERS },
      body: over,
      statuses: [413],
    },
    {
      label: 'mcp 1 MiB echo',
      front: 'mcp',
      method: 'POST',
      session: 'live',
      headers: { ...GOOD_HEADERS },
      body: under,
      statuses: [200],
      rpcId: 'big-echo',
      echo: text,
    },
  ];
}

/** The case, printed by fast-check as describeProxyCase says. */
const printable = (c: ProxyCase): ProxyCase =>
  Object.assign(c, { [fc.toStringMethod]: () => describeProxyCase(c) });

export function describeProxyCase(c: ProxyCase): string {
  const excerpt = c.body ? JSON.stringify(c.body.subarray(0, 300).toString('utf8')) : '(no body)';
  return `${c.label}: ${c.method} ${c.front} session=${c.session} headers=${JSON.stringify(c.headers).slice(0, 300)} ${c.body?.length ?? 0} bytes, want ${c.statuses.join('|')} body ${excerpt}`;
}

export const INITIALIZE = {
  jsonrpc: '2.0',
  id: 0,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'fuzz', version: '1.0.0' } },
};
export { GOOD_HEADERS };
