import { expect } from 'chai';
import type { AdmissionFacts } from '../../../../webhook/facts.ts';
import { defaultPolicy } from '../../../../webhook/policy.ts';
import type { Dict } from '../../../../webhook/rules/shape.ts';
import { toolConfigVsVerifiedWarnings } from '../../../../webhook/rules/tool-config-vs-verified.ts';
import { validateMCPServer } from '../../../../webhook/validate.ts';
import { factsWith, mcpServer, withSpec, type Modifier } from '../builders.ts';

const withVerified =
  (verified: Dict): Modifier =>
  (server) => {
    server.status = {
      verified: { lastVerifiedTime: '2026-12-05T10:00:00Z', observedGeneration: 1, ...verified },
    };
  };
const named = withSpec({ toolConfigRef: { name: 'only-some' } });
const facts = (toolsFilter?: string[]): AdmissionFacts => ({
  ...factsWith(),
  companions: new Map([['MCPToolConfig/only-some', toolsFilter ? { toolsFilter } : {}]]),
});
const listed = (tools: string[], toolConfig?: string): Dict => ({
  tools,
  toolCount: tools.length,
  ...(toolConfig ? { toolConfig: { name: toolConfig, generation: 1 } } : {}),
});

describe('toolConfigVsVerifiedWarnings', () => {
  const cases: Record<string, { server: Dict; facts: AdmissionFacts; want: string[] }> = {
    'warns about a filtered name the proxy did not list (verified without a tool config)': {
      server: mcpServer('fetch', named, withVerified(listed(['echo', 'fetch']))),
      facts: facts(['fetch', 'fecth']),
      want: [
        'spec.toolConfigRef.name: MCPToolConfig "only-some" filters "fecth", which the proxy did not list when last verified (it listed "echo", "fetch")',
      ],
    },
    'warns under the same MCPToolConfig': {
      server: mcpServer('fetch', named, withVerified(listed(['fetch'], 'only-some'))),
      facts: facts(['fetch', 'nope']),
      want: [
        'spec.toolConfigRef.name: MCPToolConfig "only-some" filters "nope", which the proxy did not list when last verified (it listed "fetch")',
      ],
    },
    'says nothing when every filtered name was listed': {
      server: mcpServer('fetch', named, withVerified(listed(['echo', 'fetch']))),
      facts: facts(['fetch']),
      want: [],
    },
    'says nothing on a server never verified (a CREATE)': {
      server: mcpServer('fetch', named),
      facts: facts(['nope']),
      want: [],
    },
    'says nothing when the check ran under another MCPToolConfig, which may have hidden the name': {
      server: mcpServer('fetch', named, withVerified(listed(['fetch'], 'older'))),
      facts: facts(['echo']),
      want: [],
    },
    'says nothing when the verified list was cut short': {
      server: mcpServer('fetch', named, withVerified({ tools: ['a'], toolCount: 150 })),
      facts: facts(['b']),
      want: [],
    },
    'says nothing when the MCPToolConfig has no filter': {
      server: mcpServer('fetch', named, withVerified(listed(['a']))),
      facts: facts(),
      want: [],
    },
  };
  for (const [name, c] of Object.entries(cases))
    it(name, () => expect(toolConfigVsVerifiedWarnings(c.server, c.facts)).to.deep.equal(c.want));

  it('is among validateMCPServer warnings', () => {
    const server = mcpServer('fetch', named, withVerified(listed(['fetch'])));
    const { warnings } = validateMCPServer(server, facts(['fetch', 'gone']), defaultPolicy());
    expect(warnings.filter((w) => w.includes('"gone"'))).to.have.length(1);
  });
});
