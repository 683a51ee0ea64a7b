// controller/desired/proxy-edge.ts and where it lands: the run config's edge section, which the proxy's
// own check (proxy/edge-config.ts) must accept as written.
import { expect } from 'chai';
import { runConfig } from '../../../../controller/desired/configmap.ts';
import { edgeSection } from '../../../../controller/desired/proxy-edge.ts';
import { edgeProblem } from '../../../../proxy/edge-config.ts';
import type { MCPServerSpec } from '../../../../schemas/generated/mcpserver.ts';
import { config, mcpServer, withSpec } from '../builders.ts';

const server = (spec: Partial<MCPServerSpec>) => mcpServer('fetch', withSpec(spec));

describe('edgeSection', () => {
  const cases: Record<string, { spec: Partial<MCPServerSpec>; want: ReturnType<typeof edgeSection> }> = {
    'none of the fields: no section': { spec: {}, want: undefined },
    "Go's zero values: no section": {
      spec: { trustProxyHeaders: false, endpointPrefix: '', proxyReadTimeout: '0s', proxyWriteTimeout: '' },
      want: undefined,
    },
    'every field, passed on': {
      spec: {
        trustProxyHeaders: true,
        endpointPrefix: '/team-a',
        proxyReadTimeout: '1m',
        proxyWriteTimeout: '2m30s',
      },
      want: { trustProxyHeaders: true, endpointPrefix: '/team-a', readTimeout: '1m', writeTimeout: '2m30s' },
    },
    'values admission refuses are left out (a server admitted without the webhook)': {
      spec: {
        endpointPrefix: '/a/../b',
        proxyReadTimeout: '-1s',
        proxyWriteTimeout: '10',
        trustProxyHeaders: true,
      },
      want: { trustProxyHeaders: true },
    },
  };
  for (const [name, c] of Object.entries(cases)) {
    it(name, () => expect(edgeSection(server(c.spec))).to.deep.equal(c.want));
  }

  it('lands in the run config, which the proxy accepts; absent when unused', () => {
    const spec = { trustProxyHeaders: true, endpointPrefix: '/team-a', proxyReadTimeout: '45s' };
    const written = runConfig(server(spec), config());
    expect(written.edge).to.deep.equal({
      trustProxyHeaders: true,
      endpointPrefix: '/team-a',
      readTimeout: '45s',
    });
    expect(edgeProblem(written.edge)).to.equal(undefined);
    expect(runConfig(server({}), config())).not.to.have.property('edge');
  });
});
