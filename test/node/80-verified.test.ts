// Verified status on a real node: the operator, in its pod, makes an MCP handshake through each proxy
// Service (initialize, tools/list, DELETE) once the proxy is Ready, and records what answered.
// - a streamable-http and a stdio server-everything reach Verified=True with serverInfo, the protocol
//   version, the capabilities and the tool names; `kubectl get mcpservers` shows the count as TOOLS;
// - a spec change (a new generation) is verified again, and status.verified follows it;
// - a proxy that requires bearer tokens gets Verified=Unknown, reason AuthenticationRequired.
import { expect } from 'chai';
import { IMAGES } from '../../realnode/node-images.ts';
import type { MCPServer } from '../../schemas/generated/mcpserver.ts';
import { eventually, kubectl, waitReady } from './harness.ts';

const NS = 'verified-tools';

const server = (name: string, spec: Record<string, unknown>) => ({
  apiVersion: 'toolhive.stacklok.dev/v1beta1',
  kind: 'MCPServer',
  metadata: { name, namespace: NS },
  spec: { image: IMAGES.everything, ...spec },
});

const OBJECTS = [
  server('everything', { transport: 'streamable-http', mcpPort: 8080 }),
  server('everything-stdio', { transport: 'stdio' }),
  {
    apiVersion: 'toolhive.stacklok.dev/v1beta1',
    kind: 'MCPOIDCConfig',
    metadata: { name: 'cluster-tokens', namespace: NS },
    spec: { type: 'kubernetesServiceAccount', kubernetesServiceAccount: {} },
  },
  server('secured', {
    transport: 'streamable-http',
    mcpPort: 8080,
    oidcConfigRef: { name: 'cluster-tokens', audience: 'verified-tools-secured' },
  }),
];

const get = async (name: string): Promise<MCPServer> =>
  JSON.parse(await kubectl(['-n', NS, 'get', 'mcpserver', name, '-o', 'json'])) as MCPServer;
const verifiedCondition = (s: MCPServer) => s.status?.conditions?.find((c) => c.type === 'Verified');

/** The server once its Verified condition has the status wanted (for its current generation). */
const verifiedAs = (name: string, status: string, generation?: number) =>
  eventually(
    `MCPServer ${name} Verified=${status}`,
    async () => {
      const s = await get(name);
      const c = verifiedCondition(s);
      if (c?.status !== status) return undefined;
      if (generation !== undefined && s.status?.verified?.observedGeneration !== generation) return undefined;
      return s;
    },
    120_000,
    1000,
  );

describe('verified status: an MCP handshake through each proxy, on a real node', function () {
  before(async function () {
    await kubectl(['create', 'namespace', NS]);
    for (const object of OBJECTS) await kubectl(['apply', '-f', '-'], JSON.stringify(object));
    for (const name of ['everything', 'everything-stdio', 'secured']) await waitReady(NS, name, 180_000);
  });

  after(async function () {
    await kubectl(['delete', 'namespace', NS, '--wait=false']);
  });

  for (const name of ['everything', 'everything-stdio']) {
    it(`${name}: Verified=True with serverInfo, protocol version, capabilities and tool names`, async function () {
      const s = await verifiedAs(name, 'True');
      const verified = s.status!.verified!;
      expect(verifiedCondition(s)?.reason).to.equal('Verified');
      expect(verified.serverInfo?.name).to.be.a('string').and.not.equal('');
      expect(verified.protocolVersion).to.match(/^\d{4}-\d{2}-\d{2}$/);
      expect(verified.capabilities).to.include('tools');
      expect(verified.tools).to.include('echo');
      expect(verified.toolCount).to.equal(verified.tools!.length);
      expect(verified.observedGeneration).to.equal(s.metadata!.generation);
    });
  }

  it('kubectl get mcpservers shows the tool count as TOOLS', async function () {
    const everything = (await get('everything')).status!.verified!.toolCount;
    const table = (await kubectl(['-n', NS, 'get', 'mcpservers'])).trim().split('\n');
    const header = table[0]!.split(/\s+/);
    const column = header.indexOf('TOOLS');
    expect(column, table[0]).to.be.greaterThan(-1);
    const row = table.find((line) => line.startsWith('everything '))!.split(/\s+/);
    expect(row[column]).to.equal(String(everything));
  });

  it('verifies again after a spec change, for the new generation', async function () {
    const before = (await get('everything')).status!.verified!;
    await kubectl([
      '-n',
      NS,
      'patch',
      'mcpserver',
      'everything',
      '--type=merge',
      '-p',
      JSON.stringify({ spec: { env: [{ name: 'VERIFY_ROUND', value: '2' }] } }),
    ]);
    const generation = (await get('everything')).metadata!.generation!;
    expect(generation).to.be.greaterThan(before.observedGeneration);
    const after = await verifiedAs('everything', 'True', generation);
    expect(after.status!.verified!.lastVerifiedTime).to.not.equal(before.lastVerifiedTime);
  });

  it('a proxy that requires bearer tokens: Verified=Unknown, AuthenticationRequired', async function () {
    const s = await verifiedAs('secured', 'Unknown');
    expect(verifiedCondition(s)?.reason).to.equal('AuthenticationRequired');
    expect(s.status?.verified).to.equal(undefined);
  });
});
