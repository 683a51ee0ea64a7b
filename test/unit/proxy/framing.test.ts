import { expect } from 'chai';
import { LineDecoder, SseDecoder, encodeSseEvent, type Decoded } from '../../../proxy/framing.ts';
import type { RpcMessage } from '../../../proxy/jsonrpc.ts';

const decodeAll = (max: number, chunks: string[]): Decoded[] => {
  const decoder = new LineDecoder(max);
  return chunks.flatMap((c) => decoder.push(Buffer.from(c)));
};

describe('LineDecoder', () => {
  const ping: RpcMessage = { jsonrpc: '2.0', id: 1, method: 'ping' };
  const cases: Record<string, { max: number; chunks: string[]; want: Decoded[] }> = {
    'decodes a message split across chunks': {
      max: 100,
      chunks: ['{"jsonrpc":"2.0",', '"id":1,"method":"ping"}\n'],
      want: [{ kind: 'message', message: ping }],
    },
    'decodes two messages in one chunk and tolerates CRLF': {
      max: 100,
      chunks: [`${JSON.stringify(ping)}\r\n${JSON.stringify(ping)}\n`],
      want: [
        { kind: 'message', message: ping },
        { kind: 'message', message: ping },
      ],
    },
    'reports a log line on stdout as malformed': {
      max: 100,
      chunks: ['Starting server...\n'],
      want: [{ kind: 'malformed', text: 'Starting server...' }],
    },
    'reports a batch as malformed': {
      max: 100,
      chunks: [`[${JSON.stringify(ping)}]\n`],
      want: [{ kind: 'malformed', text: `[${JSON.stringify(ping)}]` }],
    },
    'skips a line over the limit and decodes the next': {
      max: 40,
      chunks: ['x'.repeat(30), 'y'.repeat(30), `\n${JSON.stringify(ping)}\n`],
      want: [
        { kind: 'too-large', bytes: 60 },
        { kind: 'message', message: ping },
      ],
    },
    'ignores blank lines': { max: 100, chunks: ['\n\n'], want: [] },
  };
  for (const [name, c] of Object.entries(cases)) {
    it(name, () => expect(decodeAll(c.max, c.chunks)).to.deep.equal(c.want));
  }
});

describe('encodeSseEvent', () => {
  it('splits multi-line data into data lines of one event', () => {
    expect(encodeSseEvent('a\nb', 'message')).to.equal('event: message\ndata: a\ndata: b\n\n');
  });
});

describe('SseDecoder', () => {
  it('decodes events split anywhere, with multi-line data, comments and CRLF', () => {
    const text = ': hi\r\nevent: message\r\ndata: {"a":\r\ndata: 1}\r\n\r\nid: 7\ndata: two\n\n';
    const decoder = new SseDecoder();
    const events = [...text].flatMap((ch) => decoder.push(ch));
    expect(events).to.deep.equal([
      { event: 'message', data: '{"a":\n1}' },
      { event: 'message', data: 'two', id: '7' },
    ]);
  });

  it("reads an event's id and retry, and forgets them at the next event", () => {
    const decoder = new SseDecoder();
    const events = decoder.push('id: s_0\nretry: 1000\ndata: \n\ndata: {}\n\nretry: x\ndata: 1\n\n');
    expect(events).to.deep.equal([
      { event: 'message', data: '', id: 's_0', retry: 1000 },
      { event: 'message', data: '{}' },
      { event: 'message', data: '1' },
    ]);
  });
});
