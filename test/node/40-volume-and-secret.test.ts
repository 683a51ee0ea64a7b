// The filesystem server reads a file from the claim mounted at the seed's path, and a rotated Secret
// rolls the github server's pod with the new value in its environment.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { expect } from 'chai';
import { connectClient, firstText } from '../unit/proxy/support/servers.ts';
import { eventually, kubectl, podName, portForward } from './harness.ts';
import { filesystemUse } from './shared.ts';

describe('volumes and secrets on a real node', function () {
  it('the filesystem server lists and reads a file from the PVC at /projects/my-mcp-data', async function () {
    const volume = (
      await kubectl([
        '-n',
        'data-processing',
        'get',
        'pvc',
        'my-mcp-data-claim',
        '-o',
        'jsonpath={.spec.volumeName}',
      ])
    ).trim();
    const hostPath = (await kubectl(['get', 'pv', volume, '-o', 'jsonpath={.spec.hostPath.path}'])).trim();
    const content = `written on the node at ${new Date().toISOString()}`;
    writeFileSync(path.join(hostPath, 'hello.txt'), content, { mode: 0o644 });
    const forward = await portForward('data-processing', 'service/mcp-filesystem-proxy', 8080);
    let client: Client | undefined;
    try {
      client = await connectClient(forward.url, 'streamable-http');
      const listing = await client.callTool({
        name: 'list_directory',
        arguments: { path: '/projects/my-mcp-data' },
      });
      expect(firstText(listing)).to.include('hello.txt');
      const read = await client.callTool({
        name: 'read_text_file',
        arguments: { path: '/projects/my-mcp-data/hello.txt' },
      });
      expect(firstText(read)).to.equal(content);
      const write = await client.callTool({
        name: 'write_file',
        arguments: { path: '/projects/my-mcp-data/nope.txt', content: 'x' },
      });
      expect(write.isError, 'the seed mounts the claim read-only').to.equal(true);
      filesystemUse.lastCallAt = Date.now();
    } finally {
      await client?.close();
      forward.stop();
    }
  });

  it('a rotated Secret rolls the server pod, and the new value is in its environment', async function () {
    const selector = 'app.kubernetes.io/instance=github,app.kubernetes.io/component=mcp-server';
    const before = await podName('production', selector);
    const uid = (
      await kubectl(['-n', 'production', 'get', 'pod', before, '-o', 'jsonpath={.metadata.uid}'])
    ).trim();
    const rotated = `rotated-${Date.now().toString(36)}`;
    await kubectl([
      '-n',
      'production',
      'patch',
      'secret',
      'github-token',
      '--type=merge',
      '-p',
      JSON.stringify({ stringData: { token: rotated } }),
    ]);
    const env = await eventually(
      'the new pod with the rotated value',
      async () => {
        const pod = await podName('production', selector);
        const nowUid = (
          await kubectl(['-n', 'production', 'get', 'pod', pod, '-o', 'jsonpath={.metadata.uid}'])
        ).trim();
        if (nowUid === uid) return undefined;
        const out = await kubectl(['-n', 'production', 'exec', pod, '-c', 'mcp', '--', 'env']);
        return out.includes(`GITHUB_PERSONAL_ACCESS_TOKEN=${rotated}`) ? out : undefined;
      },
      120_000,
      1000,
    );
    expect(env).to.include(`GITHUB_PERSONAL_ACCESS_TOKEN=${rotated}`);
  });
});
