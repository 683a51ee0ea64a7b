// The seed guide in page order, on real containers: each of its four examples (changed only in image)
// reaches Ready behind its proxy, `kubectl get mcpservers` shows them, and an MCP client on this host
// calls a tool through `kubectl port-forward` of each server's proxy Service.
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { expect } from 'chai';
import { connectClient, firstText } from '../unit/proxy/support/servers.ts';
import { eventually, kubectl, portForward, waitReady } from './harness.ts';
import { FILESYSTEM_CLAIM, prerequisites, SEEDS, seedManifest } from './seeds.ts';

describe('the seed guide on a real node', function () {
  for (const seed of SEEDS) {
    it(`${seed.name} (${seed.file}) reaches Ready and answers tools/call through its proxy`, async function () {
      const started = performance.now();
      for (const step of prerequisites(seed)) await kubectl(step);
      if (seed.name === 'filesystem') {
        await kubectl(['apply', '-f', '-'], FILESYSTEM_CLAIM);
        await eventually('the claim to bind', async () =>
          (await kubectl([
            '-n',
            seed.namespace,
            'get',
            'pvc',
            'my-mcp-data-claim',
            '-o',
            'jsonpath={.status.phase}',
          ])) === 'Bound'
            ? true
            : undefined,
        );
      }
      const applied = await kubectl(['apply', '-f', '-'], seedManifest(seed));
      expect(applied).to.include(`mcpserver.toolhive.stacklok.dev/${seed.name} created`);
      await waitReady(seed.namespace, seed.name);
      const readyMs = Math.round(performance.now() - started);

      const forward = await portForward(seed.namespace, `service/mcp-${seed.name}-proxy`, 8080);
      let client: Client | undefined;
      try {
        client = await connectClient(forward.url, 'streamable-http');
        const tools = await client.listTools();
        expect(tools.tools.length).to.be.greaterThan(0);
        if (seed.name === 'filesystem') {
          const allowed = await client.callTool({ name: 'list_allowed_directories', arguments: {} });
          expect(firstText(allowed)).to.include('/projects');
        } else {
          const echo = await client.callTool({ name: 'echo', arguments: { message: `hello ${seed.name}` } });
          expect(firstText(echo)).to.include(`hello ${seed.name}`);
        }
      } finally {
        await client?.close();
        forward.stop();
      }
      console.log(`      ${seed.name}: applied to Ready in ${readyMs} ms`);
    });
  }

  it('kubectl get mcpservers --all-namespaces shows each server with Status, URL and Age', async function () {
    const out = await kubectl(['get', 'mcpservers', '--all-namespaces']);
    const [header, ...rows] = out.trim().split('\n');
    expect(header).to.match(/NAMESPACE\s+NAME\s+STATUS\s+.*URL\s+AGE/);
    for (const seed of SEEDS) {
      const row = rows.find((r) => r.split(/\s+/)[1] === seed.name);
      expect(row, `${seed.name} listed`).to.be.a('string');
      expect(row).to.include('Ready');
      expect(row).to.include(`http://mcp-${seed.name}-proxy.${seed.namespace}.svc.cluster.local:8080`);
    }
    const one = await kubectl(['-n', 'my-namespace', 'get', 'mcpservers']);
    expect(one).to.match(/\bosv\s+Ready\b/);
    const described = await kubectl(['-n', 'my-namespace', 'describe', 'mcpserver', 'osv']);
    expect(described).to.include('Phase:').and.to.include('Ready');
  });
});
