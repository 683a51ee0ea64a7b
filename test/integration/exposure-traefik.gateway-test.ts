// Not in `make test` (Traefik builds in about 12 minutes cold, past CI's margin): `make test-gateway`.
// Exposure through a real Gateway: Traefik (a Gateway API implementation in pure Go, built from the Go
// module proxy by build-binaries.sh traefik) runs on this machine against the local control plane, with
// a GatewayClass and a Gateway of its own; the controller (in-process) makes the HTTPRoutes of two exposed
// MCPServers. What it proves:
// - Traefik accepts the controller's routes (status.parents Accepted), and the MCPServer's Exposed
//   condition follows to True from that status;
// - an MCP client reaches a server through Traefik at status.externalUrl: Traefik sends the Host the
//   client used, which the proxy accepts only because the run config lists it (allowedHosts);
// - with authentication under a path prefix: the 401's WWW-Authenticate names the external well-known URL,
//   and that URL, fetched through Traefik (the route's second rule), answers the Protected Resource
//   Metadata with resource = the external URL.
// KWOK runs no pods, so each proxy runs in this process with its run config as the controller wrote it
// (only the target replaced by a local server-everything), and the proxy Service gets an EndpointSlice
// to it (this host's address), which Traefik reads as it would a pod's. The MCPServers have replicas 0, so
// no KWOK pod joins that Service's endpoints.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { expect } from 'chai';
import { Agent, fetch as undiciFetch } from 'undici';
import { loadApiAccess } from '../../lib/kube/access.ts';
import { defaultControllerConfig } from '../../controller/config.ts';
import { Manager } from '../../controller/manager.ts';
import { cacheDir } from '../../controlplane/versions.ts';
import { silentLogger } from '../../lib/log.ts';
import { configFromFile, type RunConfigFile } from '../../proxy/config.ts';
import { runProxy, type StartedProxy } from '../../proxy/proxy.ts';
import { EVERYTHING, firstText, freePort, nodeCommand } from '../unit/proxy/support/servers.ts';
import { getServer, installCrd, kubectl } from './controller-fixtures.ts';
import { gatewayApiCrds, removeGatewayApi, versionsEnv } from './gateway-api.ts';
import { controlPlane, eventually } from './harness.ts';

const ns = `exposure-gw-${process.pid}`;
const gwNs = `exposure-gw-edge-${process.pid}`;
const opsNs = `exposure-gw-ops-${process.pid}`;
const GROUP = 'toolhive.stacklok.dev';
const POLICY = 'mcp-operator-policy';
const CLASS = `traefik-${process.pid}`;

type Json = Record<string, unknown>;
const apply = (object: Json) => kubectl(['apply', '-f', '-'], JSON.stringify(object));

function traefikBinary(): string {
  const file = path.join(cacheDir(), 'bin', `traefik-${versionsEnv().TRAEFIK_VERSION}`, 'traefik');
  if (!existsSync(file)) throw new Error(`${file} missing: bash controlplane/build-binaries.sh traefik`);
  return file;
}

/** This host's first non-loopback IPv4 address: an EndpointSlice may not name loopback. */
function hostAddress(): string {
  for (const list of Object.values(networkInterfaces()))
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  throw new Error('no non-loopback IPv4 address on this host');
}

const server = (name: string, path: string, extra: Json = {}): Json => ({
  apiVersion: `${GROUP}/v1alpha1`,
  kind: 'MCPServer',
  metadata: {
    name,
    namespace: ns,
    annotations: {
      'toolhive.stacklok.dev/expose': 'edge',
      'toolhive.stacklok.dev/expose-hostname': `${name}.mcp.example.test`,
      'toolhive.stacklok.dev/expose-path': path,
    },
  },
  spec: { image: 'ghcr.io/example/server:1', transport: 'stdio', replicas: 0, ...extra },
});

/** The proxy as the controller configured it (its run config ConfigMap), serving a local server-everything. */
async function proxyFromRunConfig(name: string): Promise<StartedProxy> {
  const cm = JSON.parse(
    await kubectl(['-n', ns, 'get', 'configmap', `${name}-runconfig`, '-o', 'json']),
  ) as Json;
  const file = JSON.parse((cm.data as Record<string, string>)['runconfig.json']!) as RunConfigFile;
  const config = configFromFile({ ...file, target: { kind: 'command', command: nodeCommand(EVERYTHING) } });
  return runProxy({ ...config, host: '0.0.0.0', port: 0 }, { log: silentLogger(), processMetrics: false });
}

/** Points the proxy Service at `port` on this host, as the EndpointSlice of a pod there would. */
async function endpointsTo(name: string, address: string, port: number): Promise<void> {
  await apply({
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name: `mcp-${name}-proxy-local`,
      namespace: ns,
      labels: { 'kubernetes.io/service-name': `mcp-${name}-proxy` },
    },
    addressType: 'IPv4',
    endpoints: [{ addresses: [address], conditions: { ready: true, serving: true, terminating: false } }],
    ports: [{ name: 'http', port, protocol: 'TCP' }],
  });
}

describe('exposure through a real Gateway (Traefik): the HTTPRoute serves MCP at status.externalUrl', function () {
  this.timeout(240_000);
  let manager: Manager;
  let traefik: ChildProcess | undefined;
  let traefikLog = '';
  let webPort = 0;
  const proxies: StartedProxy[] = [];
  // Every request to *.mcp.example.test goes to Traefik on loopback; the Host header stays the name.
  const dispatcher = new Agent({
    connect: { lookup: (_host, _opts, cb) => cb(null, [{ address: '127.0.0.1', family: 4 }]) },
  });
  const viaGateway = ((url: string | URL, init?: RequestInit) =>
    undiciFetch(url, { ...(init as object), dispatcher })) as unknown as typeof fetch;

  before(async function () {
    this.timeout(360_000); // removing the Gateway API CRDs: up to 120 s
    const binary = traefikBinary();
    await installCrd();
    await kubectl(['apply', '--server-side', '-f', gatewayApiCrds()]);
    await kubectl([
      'wait',
      '--for=condition=Established',
      'crd/httproutes.gateway.networking.k8s.io',
      '--timeout=60s',
    ]);
    for (const name of [ns, gwNs, opsNs]) await kubectl(['create', 'namespace', name]);
    webPort = await freePort();
    // Traefik's identity: a ServiceAccount token, bound to cluster-admin here (a test cluster of our own).
    await kubectl(['-n', gwNs, 'create', 'serviceaccount', 'traefik']);
    await kubectl([
      'create',
      'clusterrolebinding',
      `${CLASS}`,
      '--clusterrole=cluster-admin',
      `--serviceaccount=${gwNs}:traefik`,
    ]);
    const token = (await kubectl(['-n', gwNs, 'create', 'token', 'traefik', '--duration=1h'])).trim();
    const dir = mkdtempSync(path.join(tmpdir(), 'traefik-'));
    const ca = path.join(dir, 'ca.crt');
    writeFileSync(ca, controlPlane().adminTls.ca);
    await apply({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'GatewayClass',
      metadata: { name: CLASS },
      spec: { controllerName: 'traefik.io/gateway-controller' },
    });
    await apply({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'Gateway',
      metadata: { name: 'edge', namespace: gwNs },
      spec: {
        gatewayClassName: CLASS,
        listeners: [
          { name: 'web', protocol: 'HTTP', port: webPort, allowedRoutes: { namespaces: { from: 'All' } } },
        ],
      },
    });
    traefik = spawn(
      binary,
      [
        `--entryPoints.web.address=127.0.0.1:${webPort}`,
        '--providers.kubernetesgateway=true',
        `--providers.kubernetesgateway.endpoint=${controlPlane().server}`,
        `--providers.kubernetesgateway.token=${token}`,
        `--providers.kubernetesgateway.certauthfilepath=${ca}`,
        '--log.level=DEBUG',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    for (const stream of [traefik.stdout, traefik.stderr])
      stream?.on('data', (d: Buffer) => (traefikLog += d.toString()));
    await apply({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: POLICY, namespace: opsNs },
      data: {
        'policy.yaml': `exposure:\n  gateways:\n    - name: edge\n      parentRef: {name: edge, namespace: ${gwNs}, sectionName: web}\n      hostnames: ["*.mcp.example.test"]\n      scheme: http\n      port: ${webPort}\n`,
      },
    });
    manager = new Manager({
      access: await loadApiAccess(controlPlane().kubeconfig),
      config: { ...defaultControllerConfig(), proxyImage: 'example.invalid/mcp-operator:test' },
      log: silentLogger(),
      namespaces: [ns],
      workers: 2,
      policyConfigMap: { namespace: opsNs, name: POLICY },
    });
    await manager.start();
    await apply(server('open', '/'));
    await apply(
      server('secured', '/team/secured', {
        oidcConfig: {
          type: 'inline',
          inline: { issuer: 'https://issuer.example.test', audience: 'secured' },
        },
      }),
    );
    const address = hostAddress();
    for (const name of ['open', 'secured']) {
      await eventually(`${name}'s run config`, async () =>
        (await controlPlane().kubectl(['-n', ns, 'get', 'configmap', `${name}-runconfig`])).code === 0
          ? true
          : undefined,
      );
      const proxy = await proxyFromRunConfig(name);
      proxies.push(proxy);
      await endpointsTo(name, address, Number(new URL(proxy.url).port));
    }
  });

  after(async function () {
    this.timeout(360_000); // removing the Gateway API CRDs: up to 120 s
    await manager?.stop();
    traefik?.kill('SIGTERM');
    await Promise.all(proxies.map((p) => p.close()));
    await dispatcher.close();
    for (const name of [ns, gwNs, opsNs])
      await controlPlane().kubectl(['delete', 'namespace', name, '--wait=false']);
    await controlPlane().kubectl(['delete', 'clusterrolebinding', CLASS, '--ignore-not-found']);
    // Traefik is gone: its GatewayClass finalizer would hold the CRDs' deletion forever.
    await removeGatewayApi((args, input) => controlPlane().kubectl(args, input));
  });

  it('Traefik accepts both routes, and Exposed follows to True from the route status', async () => {
    for (const name of ['open', 'secured']) {
      const exposed = await eventually(
        `${name} Exposed True`,
        async () => {
          const c = (await getServer(ns, name)).status?.conditions?.find((x) => x.type === 'Exposed');
          return c?.status === 'True' ? c : undefined;
        },
        120_000,
      ).catch((err: Error) => {
        throw new Error(`${err.message}\n--- traefik log (tail) ---\n${traefikLog.slice(-4000)}`);
      });
      const url =
        name === 'open'
          ? `http://open.mcp.example.test:${webPort}/mcp`
          : `http://secured.mcp.example.test:${webPort}/team/secured/mcp`;
      expect(exposed).to.deep.include({ reason: 'Accepted', message: `Gateway ${gwNs}/edge serves ${url}` });
      expect((await getServer(ns, name)).status?.externalUrl).to.equal(url);
    }
  });

  it('an MCP client calls a tool through Traefik at status.externalUrl', async () => {
    const url = (await getServer(ns, 'open')).status!.externalUrl!;
    const client = new Client({ name: 'exposure-test', version: '1.0.0' });
    await eventually('the route to serve', async () => {
      const res = await viaGateway(url, { method: 'GET' }).catch(() => undefined);
      return res && res.status !== 404 && res.status !== 502 && res.status !== 503 ? true : undefined;
    });
    await client.connect(new StreamableHTTPClientTransport(new URL(url), { fetch: viaGateway }));
    const result = await client.callTool({ name: 'echo', arguments: { message: 'through the gateway' } });
    expect(firstText(result)).to.equal('Echo: through the gateway');
    await client.close();
  });

  it('under a prefix with authentication: the challenge and the metadata name the external URL', async () => {
    const url = (await getServer(ns, 'secured')).status!.externalUrl!;
    const origin = new URL(url).origin;
    const wellKnown = `${origin}/.well-known/oauth-protected-resource/team/secured/mcp`;
    const challenge = await eventually('a 401 through the route', async () => {
      const res = await viaGateway(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }),
      });
      return res.status === 401 ? res : undefined;
    });
    expect(challenge.headers.get('www-authenticate')).to.equal(`Bearer resource_metadata="${wellKnown}"`);
    const metadata = await viaGateway(wellKnown);
    expect(metadata.status).to.equal(200);
    expect(await metadata.json()).to.deep.include({
      resource: url,
      authorization_servers: ['https://issuer.example.test'],
    });
  });
});
