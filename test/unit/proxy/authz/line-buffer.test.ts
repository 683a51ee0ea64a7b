// The audit log's batching: lines reach the stream in one write per batch, within maxDelayMs without
// any flush call, at once past maxBytes, and all of them on flush().
import { expect } from 'chai';
import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { LineBuffer } from '../../../../proxy/authz/line-buffer.ts';

function recorder(): { out: Writable; writes: string[] } {
  const writes: string[] = [];
  const out = new Writable({
    write(chunk: Buffer, _encoding, done) {
      writes.push(chunk.toString('utf8'));
      done();
    },
  });
  return { out, writes };
}

describe('proxy/authz LineBuffer', () => {
  it('writes the lines of one burst in one write, within maxDelayMs and without a flush call', async () => {
    const { out, writes } = recorder();
    const buffer = new LineBuffer(out, { maxDelayMs: 20 });
    for (let i = 0; i < 5; i++) buffer.write(`{"n":${i}}\n`);
    expect(writes, 'nothing yet').to.deep.equal([]);
    await sleep(60);
    expect(writes).to.deep.equal(['{"n":0}\n{"n":1}\n{"n":2}\n{"n":3}\n{"n":4}\n']);
  });

  it('writes at once when maxBytes are pending, and the rest on flush()', () => {
    const { out, writes } = recorder();
    const buffer = new LineBuffer(out, { maxBytes: 10, maxDelayMs: 60_000 });
    buffer.write('123456\n');
    buffer.write('789012\n');
    expect(writes).to.deep.equal(['123456\n789012\n']);
    buffer.write('tail\n');
    buffer.flush();
    buffer.flush();
    expect(writes).to.deep.equal(['123456\n789012\n', 'tail\n']);
  });
});
