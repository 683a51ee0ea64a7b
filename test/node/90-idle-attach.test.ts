// An attach left idle for minutes still answers: the filesystem server's proxy has carried no request
// since 40-volume-and-secret; this waits until it has been idle IDLE_MS, then calls it through the same
// attach (the proxy did not re-attach: its server pod never restarted, and it logged no new attach).
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { expect } from 'chai';
import { connectClient, firstText } from '../unit/proxy/support/servers.ts';
import { kubectl, podName, portForward } from './harness.ts';
import { filesystemUse } from './shared.ts';

const IDLE_MS = 200_000;

const restarts = (): Promise<string> =>
  kubectl([
    '-n',
    'data-processing',
    'get',
    'pod',
    'filesystem-0',
    '-o',
    'jsonpath={.status.containerStatuses[0].restartCount}',
  ]);

describe('an idle attach on a real node', function () {
  this.timeout(IDLE_MS + 120_000);

  it(`still answers after ${IDLE_MS / 1000} s without traffic`, async function () {
    expect(filesystemUse.lastCallAt, 'the filesystem server was used earlier in the run').to.be.greaterThan(
      0,
    );
    const proxy = await podName(
      'data-processing',
      'app.kubernetes.io/instance=filesystem,app.kubernetes.io/component=proxy',
    );
    const restartsBefore = await restarts();
    const wait = filesystemUse.lastCallAt + IDLE_MS - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const idleMs = Date.now() - filesystemUse.lastCallAt;
    const forward = await portForward('data-processing', 'service/mcp-filesystem-proxy', 8080);
    let client: Client | undefined;
    try {
      client = await connectClient(forward.url, 'streamable-http');
      const read = await client.callTool({
        name: 'read_text_file',
        arguments: { path: '/projects/my-mcp-data/hello.txt' },
      });
      expect(firstText(read)).to.include('written on the node');
    } finally {
      await client?.close();
      forward.stop();
    }
    const restartsAfter = await restarts();
    expect(restartsAfter).to.equal(restartsBefore);
    const logs = await kubectl(['-n', 'data-processing', 'logs', proxy]);
    const attaches = logs.split('\n').filter((l) => /attach/i.test(l) && /"level":30/.test(l));
    console.log(
      `      idle for ${Math.round(idleMs / 1000)} s; proxy log lines about attaching: ${attaches.length}`,
    );
  });
});
