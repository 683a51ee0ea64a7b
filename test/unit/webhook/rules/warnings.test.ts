import { expect } from 'chai';
import {
  PORT_DEPRECATED,
  proxyModeIgnored,
  RESOURCES_PROXY_ONLY,
  TARGET_PORT_DEPRECATED,
  warningsFor,
} from '../../../../webhook/rules/warnings.ts';
import { mcpServer, withPodSpec, withSpec } from '../builders.ts';

describe('warningsFor', () => {
  const cases: Record<string, { server: unknown; want: string[] }> = {
    'says nothing about a plain server': { server: mcpServer('s'), want: [] },
    'warns about legacy port and targetPort': {
      server: mcpServer('s', withSpec({ port: 1, targetPort: 2 })),
      want: [PORT_DEPRECATED, TARGET_PORT_DEPRECATED],
    },
    'warns when only the proxy has resources': {
      server: mcpServer('s', withSpec({ resources: { limits: { cpu: '1' } } })),
      want: [RESOURCES_PROXY_ONLY],
    },
    'is quiet when the mcp container has resources too': {
      server: mcpServer(
        's',
        withSpec({ resources: { limits: { cpu: '1' } } }),
        withPodSpec({ containers: [{ name: 'mcp', resources: { limits: { cpu: '1' } } }] }),
      ),
      want: [],
    },
    'warns that proxyMode is ignored for sse': {
      server: mcpServer('s', withSpec({ transport: 'sse', proxyMode: 'sse' })),
      want: [proxyModeIgnored('sse')],
    },
  };
  for (const [name, c] of Object.entries(cases)) {
    it(name, () => expect(warningsFor(c.server)).to.deep.equal(c.want));
  }
  it('keeps every warning under 120 characters', () => {
    for (const w of [
      PORT_DEPRECATED,
      TARGET_PORT_DEPRECATED,
      RESOURCES_PROXY_ONLY,
      proxyModeIgnored('streamable-http'),
    ]) {
      expect(w.length, w).to.be.below(120);
    }
  });
});
