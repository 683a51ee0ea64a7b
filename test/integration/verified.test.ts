// Verified status on the real control plane:
// - a controller outside the cluster reaches an MCP server through the kube-apiserver's service proxy
//   (`--verify-proxies api-server`): a real MCP server on this machine's address behind a Service and
//   Endpoints of our own (serviceTo says how the API server is made to dial it), the whole handshake (initialize, every tools/list page, DELETE) through
//   /api/v1/namespaces/<ns>/services/<svc>:<port>/proxy/mcp, with JSON and with SSE answers;
// - the manager in-process with checks on: a server whose KWOK pods run (no process behind them) gets
//   Verified=False HandshakeFailed once Ready, and no status.verified;
// - the CRD keeps status.verified and prints its toolCount as TOOLS, and the controller's status writes
//   carry it over.
import { networkInterfaces } from 'node:os';
import { expect } from 'chai';
import { loadApiAccess, type ApiAccess } from '../../lib/kube/access.ts';
import { defaultControllerConfig } from '../../controller/config.ts';
import { Manager } from '../../controller/manager.ts';
import { apiServerFetch } from '../../controller/verify/api-server-fetch.ts';
import { handshake } from '../../controller/verify/handshake.ts';
import { proxyEndpoint } from '../../controller/verify/target.ts';
import { silentLogger } from '../../lib/log.ts';
import type { MCPServer } from '../../schemas/generated/mcpserver.ts';
import { startPagedServer, type PagedServer } from '../unit/controller/verify/support/paged-server.ts';
import { getServer, installCrd, kubectl } from './controller-fixtures.ts';
import { controlPlane, eventually } from './harness.ts';

const ns = `verified-${process.pid}`;
type Json = Record<string, unknown>;
const apply = (object: Json) => kubectl(['apply', '-f', '-'], JSON.stringify(object));

/** An address of this machine the API server may proxy to (it refuses loopback and link-local ones). */
function hostAddress(): string {
  for (const list of Object.values(networkInterfaces()))
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  throw new Error('no non-loopback IPv4 address on this machine');
}

/**
 * The Service `mcp-<name>-proxy` leading to `address:port`, as a proxy's Service leads to its pods. The
 * API server's service proxy dials only addresses of pods (its isValidAddress), so the address belongs
 * to a Pod of our own: bound to a node that does not exist (nothing runs it or rewrites its status),
 * its status.podIP set to this machine's address; its Endpoints name it.
 */
async function serviceTo(name: string, address: string, port: number): Promise<void> {
  const service = `mcp-${name}-proxy`;
  const pod = `${name}-stand-in`;
  await apply({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: pod, namespace: ns },
    spec: { nodeName: 'no-such-node', containers: [{ name: 'proxy', image: 'example.invalid/proxy:1' }] },
  });
  const ips = { status: { podIP: address, podIPs: [{ ip: address }] } };
  await kubectl([
    '-n',
    ns,
    'patch',
    'pod',
    pod,
    '--subresource=status',
    '--type=merge',
    '-p',
    JSON.stringify(ips),
  ]);
  await apply({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: service, namespace: ns },
    spec: { ports: [{ name: 'http', port: 8080, targetPort: port }] },
  });
  await apply({
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name: service, namespace: ns },
    subsets: [
      {
        addresses: [{ ip: address, targetRef: { kind: 'Pod', name: pod, namespace: ns } }],
        ports: [{ name: 'http', port }],
      },
    ],
  });
}

const named = (name: string): MCPServer => ({
  apiVersion: 'toolhive.stacklok.dev/v1alpha1',
  kind: 'MCPServer',
  metadata: { name, namespace: ns },
  spec: { image: 'ghcr.io/example/server:1' },
});

describe('verified status on the real control plane', function () {
  this.timeout(120_000);
  let access: ApiAccess;
  const servers: PagedServer[] = [];

  before(async () => {
    await installCrd();
    await kubectl(['create', 'namespace', ns]);
    access = await loadApiAccess(controlPlane().kubeconfig);
  });

  after(async () => {
    for (const s of servers) await s.close();
    await controlPlane().kubectl(['delete', 'namespace', ns, '--wait=false']);
  });

  for (const sse of [false, true]) {
    it(`a handshake through the API server's service proxy (${sse ? 'SSE' : 'JSON'} answers)`, async () => {
      const tools = ['alpha', 'beta', 'gamma', 'delta', 'epsilon'];
      const mcp = await startPagedServer({ tools, pageSize: 2, sse, host: '0.0.0.0' });
      servers.push(mcp);
      const name = sse ? 'through-sse' : 'through-json';
      await serviceTo(name, hostAddress(), Number(mcp.url.port));
      const url = proxyEndpoint(named(name), 'api-server', defaultControllerConfig(), access.server);
      expect(url.pathname).to.equal(`/api/v1/namespaces/${ns}/services/mcp-${name}-proxy:8080/proxy/mcp`);
      let last = '';
      const outcome = await eventually('a handshake through the API server', async () => {
        const o = await handshake({ url, timeoutMs: 5000, fetch: apiServerFetch(access) });
        last = JSON.stringify(o);
        return o.kind === 'verified' ? o : undefined;
      }).catch((err: Error) => Promise.reject(new Error(`${err.message}; last: ${last}`)));
      expect(outcome.tools).to.deep.equal(tools);
      expect(outcome.serverInfo).to.deep.equal({ name: 'paged-test-server', version: '1.2.3' });
      expect(mcp.deleted, 'the session was ended with DELETE').to.be.greaterThan(0);
    });
  }

  describe('the manager with checks on', function () {
    let manager: Manager;

    before(async () => {
      manager = new Manager({
        access,
        config: { ...defaultControllerConfig(), proxyImage: 'example.invalid/mcp-operator:test' },
        log: silentLogger(),
        namespaces: [ns],
        workers: 2,
        verify: { mode: 'api-server', timeoutMs: 2000 },
      });
      await manager.start();
    });

    after(async () => {
      await manager?.stop();
    });

    it('says HandshakeFailed for a Ready server whose pods run no process', async () => {
      let lastStatus = '';
      await apply({
        ...named('kwok'),
        spec: { image: 'ghcr.io/example/server:1', transport: 'stdio' },
      });
      const failed = await eventually(
        'Verified False',
        async () => {
          const s = await getServer(ns, 'kwok');
          lastStatus = JSON.stringify(s.status);
          const c = s.status?.conditions?.find((x) => x.type === 'Verified');
          return c?.status === 'False' ? { s, c } : undefined;
        },
        90_000,
        500,
      ).catch((err: Error) => Promise.reject(new Error(`${err.message}; last: ${lastStatus}`)));
      expect(failed.s.status?.phase).to.equal('Ready');
      expect(failed.c.reason).to.equal('HandshakeFailed');
      expect(failed.s.status?.verified).to.equal(undefined);
    });

    it('keeps a status.verified the CRD accepts, prints TOOLS, and carries it over', async () => {
      await apply({
        ...named('recorded'),
        spec: { image: 'ghcr.io/example/server:1', transport: 'stdio' },
      });
      const ready = await eventually('recorded Ready', async () => {
        const s = await getServer(ns, 'recorded');
        return s.status?.phase === 'Ready' ? s : undefined;
      });
      const verified = {
        serverInfo: { name: 'recorded', version: '1' },
        protocolVersion: '2025-11-25',
        capabilities: ['tools'],
        tools: ['a', 'b', 'c'],
        toolCount: 3,
        lastVerifiedTime: '2026-12-05T10:00:00Z',
        observedGeneration: ready.metadata!.generation!,
      };
      const conditions = (ready.status?.conditions ?? []).filter((c) => c.type !== 'Verified');
      const patch = JSON.stringify({ status: { verified, conditions } });
      await kubectl([
        '-n',
        ns,
        'patch',
        'mcpserver',
        'recorded',
        '--subresource=status',
        '--type=merge',
        '-p',
        patch,
      ]);
      const table = (await kubectl(['-n', ns, 'get', 'mcpserver', 'recorded'])).trim().split('\n');
      const column = table[0]!.split(/\s+/).indexOf('TOOLS');
      expect(column, table[0]).to.be.greaterThan(-1);
      expect(table[1]!.split(/\s+/)[column]).to.equal('3');
      // Reconciles carry it over (a check that fails meanwhile keeps the last success, unit-tested).
      await kubectl(['-n', ns, 'annotate', 'mcpserver', 'recorded', 'touched=1']);
      await new Promise((resolve) => setTimeout(resolve, 3000));
      expect((await getServer(ns, 'recorded')).status?.verified).to.deep.equal(verified);
    });
  });
});
