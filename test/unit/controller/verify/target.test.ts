import { expect } from 'chai';
import { parseControllerOptions } from '../../../../cli/commands/controller.ts';
import { autoDialMode, proxyEndpoint } from '../../../../controller/verify/target.ts';
import { mcpServer, withSpec } from '../builders.ts';

const API = new URL('https://127.0.0.1:6443/');

describe('proxyEndpoint', () => {
  it('names the proxy Service by its cluster DNS name, on /mcp whatever proxyMode says', () => {
    const server = mcpServer('fetch', withSpec({ proxyPort: 9000, proxyMode: 'sse' }));
    expect(String(proxyEndpoint(server, 'service', { clusterDomain: 'cluster.local' }, API))).to.equal(
      'http://mcp-fetch-proxy.team-a.svc.cluster.local:9000/mcp',
    );
  });
  it("goes through the API server's service proxy, keeping the API server's path prefix", () => {
    const server = mcpServer('fetch');
    const api = new URL('https://lb.example:443/k8s/');
    expect(String(proxyEndpoint(server, 'api-server', { clusterDomain: 'cluster.local' }, api))).to.equal(
      'https://lb.example/k8s/api/v1/namespaces/team-a/services/mcp-fetch-proxy:8080/proxy/mcp',
    );
  });
  it('dials the Service in a pod and nothing elsewhere unless asked', () => {
    expect(autoDialMode({ KUBERNETES_SERVICE_HOST: '10.96.0.1' })).to.equal('service');
    expect(autoDialMode({})).to.equal('off');
  });
});

describe('--verify-proxies', () => {
  it('takes a mode', () => {
    expect(parseControllerOptions(['--verify-proxies', 'api-server'], {})).to.include({
      verifyProxies: 'api-server',
    });
  });
  it('refuses anything else, saying what it takes', () => {
    expect(parseControllerOptions(['--verify-proxies', 'sometimes'], {})).to.deep.equal({
      problem: '--verify-proxies sometimes: one of auto, service, api-server, off',
    });
  });
});
