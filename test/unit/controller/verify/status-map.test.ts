import { expect } from 'chai';
import {
  MAX_TOOL_NAMES,
  outsideFilter,
  recordedSubject,
  subjectOf,
  unlistedFilterNames,
  verifiedFinding,
  verifiedStatus,
} from '../../../../controller/verify/status-map.ts';
import { subjectKey, type HandshakeOutcome } from '../../../../controller/verify/types.ts';
import { mcpServer, withMetadata, withSpec } from '../builders.ts';

const NOW = new Date('2026-12-05T10:00:00Z');
const verified = (tools: string[]): Extract<HandshakeOutcome, { kind: 'verified' }> => ({
  kind: 'verified',
  serverInfo: { name: 'everything', version: '2.0.0' },
  protocolVersion: '2025-11-25',
  capabilities: ['prompts', 'tools'],
  tools,
});
const toolConfig = (generation: number, toolsFilter?: string[]) =>
  new Map([
    ['MCPToolConfig/only-echo', { metadata: { name: 'only-echo', generation }, spec: { toolsFilter } }],
  ]);

describe('subjectOf', () => {
  it('is the generation alone without a tool configuration', () => {
    expect(subjectOf(mcpServer('a', withMetadata({ generation: 4 })))).to.deep.equal({ generation: 4 });
  });
  it('names the MCPToolConfig with its generation and filter', () => {
    const server = mcpServer('a', withSpec({ toolConfigRef: { name: 'only-echo' } }));
    const subject = subjectOf(server, toolConfig(7, ['echo']));
    expect(subject).to.deep.equal({
      generation: 1,
      toolConfig: { name: 'only-echo', generation: 7 },
      toolsFilter: ['echo'],
    });
    expect(subjectKey(subject)).to.equal('1/only-echo@7');
  });
  it('leaves out a named MCPToolConfig that does not exist', () => {
    const server = mcpServer('a', withSpec({ toolConfigRef: { name: 'gone' } }));
    expect(subjectOf(server, new Map([['MCPToolConfig/gone', undefined]]))).to.deep.equal({ generation: 1 });
  });
  it('takes the older spec.tools as the filter', () => {
    expect(subjectOf(mcpServer('a', withSpec({ tools: ['echo'] })))).to.deep.equal({
      generation: 1,
      toolsFilter: ['echo'],
    });
  });
  it('reads back the subject status.verified answers for', () => {
    const status = verifiedStatus(
      verified(['echo']),
      { generation: 3, toolConfig: { name: 't', generation: 2 } },
      NOW,
    );
    expect(subjectKey(recordedSubject(status)!)).to.equal('3/t@2');
    expect(recordedSubject(undefined)).to.equal(undefined);
  });
});

describe('verifiedStatus', () => {
  it('records the names sorted, and every tool in the count', () => {
    expect(verifiedStatus(verified(['b', 'a', 'c']), { generation: 2 }, NOW)).to.deep.equal({
      serverInfo: { name: 'everything', version: '2.0.0' },
      protocolVersion: '2025-11-25',
      capabilities: ['prompts', 'tools'],
      tools: ['a', 'b', 'c'],
      toolCount: 3,
      lastVerifiedTime: '2026-12-05T10:00:00.000Z',
      observedGeneration: 2,
    });
  });
  it(`keeps at most ${MAX_TOOL_NAMES} names`, () => {
    const many = Array.from({ length: 150 }, (_, i) => `tool-${String(i).padStart(3, '0')}`);
    const status = verifiedStatus(verified(many), { generation: 1 }, NOW);
    expect(status.tools).to.have.length(MAX_TOOL_NAMES);
    expect(status.toolCount).to.equal(150);
  });
});

describe('verifiedFinding', () => {
  const cases: Record<string, { outcome: HandshakeOutcome; filter?: string[]; want: object }> = {
    'is True with what answered': {
      outcome: verified(['echo', 'add']),
      want: {
        status: 'True',
        reason: 'Verified',
        message: 'MCP handshake through the proxy: everything 2.0.0, protocol 2025-11-25, 2 tools',
      },
    },
    'names the filter entries the proxy does not list': {
      outcome: verified(['echo']),
      filter: ['echo', 'ecoh'],
      want: {
        status: 'True',
        reason: 'Verified',
        message:
          'MCP handshake through the proxy: everything 2.0.0, protocol 2025-11-25, 1 tool; the toolsFilter names tools the proxy does not list: "ecoh"',
      },
    },
    'is False with the error when the handshake failed': {
      outcome: { kind: 'failed', message: 'no answer within 5000 ms' },
      want: { status: 'False', reason: 'HandshakeFailed', message: 'no answer within 5000 ms' },
    },
    'is Unknown when the proxy wants a token': {
      outcome: { kind: 'authentication-required', message: 'HTTP 401: unauthorized' },
      want: {
        status: 'Unknown',
        reason: 'AuthenticationRequired',
        message:
          'the proxy requires a bearer token and the operator presents none, so it cannot verify the server (HTTP 401: unauthorized)',
      },
    },
  };
  for (const [name, c] of Object.entries(cases))
    it(name, () =>
      expect(
        verifiedFinding(c.outcome, { generation: 1, ...(c.filter ? { toolsFilter: c.filter } : {}) }),
      ).to.deep.equal(c.want),
    );
});

describe('filter comparisons', () => {
  it('finds filter names not listed, once each, sorted', () => {
    expect(unlistedFilterNames(['a'], ['z', 'a', 'b', 'z'])).to.deep.equal(['b', 'z']);
    expect(unlistedFilterNames(['a'], undefined)).to.deep.equal([]);
  });
  it('finds listed tools a filter does not allow (an older configuration answered)', () => {
    expect(outsideFilter(['a', 'b', 'c'], ['a'])).to.deep.equal(['b', 'c']);
    expect(outsideFilter(['a', 'b'], [])).to.deep.equal([]);
  });
});
