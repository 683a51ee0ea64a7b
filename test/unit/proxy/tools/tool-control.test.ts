// The run config's `tools` section through a real proxy in front of a real MCP server (the SDK's
// Server over stdio, tools/list in pages of two), with the SDK client on /mcp and /sse.
import { expect } from 'chai';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { McpError, ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import type { StartedProxy } from '../../../../proxy/proxy.ts';
import type { RunConfigTools } from '../../../../proxy/config.ts';
import { connectClient, firstText, untilHealthy, type ClientFront } from '../support/servers.ts';
import { allTools, namesOf, startToolsProxy } from './support/tools-proxy.ts';

async function refused(call: Promise<unknown>): Promise<McpError> {
  const err = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, 'the call should have been refused').to.be.instanceOf(McpError);
  return err as McpError;
}
const seenBy = async (c: Client) => JSON.parse(firstText(await c.callTool({ name: 'seen' }))) as string[];

const ALL = ['read_file', 'write_file', 'delete_repo', 'fetch', 'seen', 'announce'];

describe('proxy/tools: filtering and renaming through a real proxy and MCP server', function () {
  this.timeout(30_000);
  const proxies: StartedProxy[] = [];
  const clients: Client[] = [];
  const start = async (tools: RunConfigTools | undefined, extra = {}) => {
    const p = await startToolsProxy(tools, extra);
    proxies.push(p);
    await untilHealthy(p.url);
    return p;
  };
  const connect = async (p: StartedProxy, front: ClientFront = 'streamable-http') => {
    const c = await connectClient(p.url, front);
    clients.push(c);
    return c;
  };
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await Promise.all(proxies.splice(0).map((p) => p.close()));
  });

  it('without a tools section every tool of every page passes as the server has it', async () => {
    const c = await connect(await start(undefined));
    const { tools, pages } = await allTools(c);
    expect(pages).to.equal(3);
    expect(namesOf(tools)).to.deep.equal(ALL);
  });

  for (const front of ['streamable-http', 'sse'] as const)
    it(`through ${front}: the filter keeps listed tools on every page and refuses a call to another, naming it, before the server`, async () => {
      const c = await connect(await start({ toolsFilter: ['read_file', 'fetch', 'seen'] }), front);
      const { tools, pages } = await allTools(c);
      expect(pages, 'cursors are kept, so the client walks all three pages').to.equal(3);
      expect(namesOf(tools)).to.deep.equal(['read_file', 'fetch', 'seen']);
      const err = await refused(c.callTool({ name: 'delete_repo', arguments: {} }));
      expect(err.code).to.equal(-32602);
      expect(err.message).to.contain('"delete_repo"').and.contain('tool configuration');
      expect(firstText(await c.callTool({ name: 'fetch', arguments: { url: 'x' } }))).to.equal(
        'fetch:{"url":"x"}',
      );
      expect(await seenBy(c)).to.deep.equal(['fetch']);
    });

  it('a rename works both ways: the client sees and calls the new name with the new description and annotations, the server gets its own name, progress comes back', async () => {
    const c = await connect(
      await start({
        toolsOverride: {
          read_file: {
            name: 'fs_read',
            description: 'Reads a file of the project',
            annotations: { title: 'Project read', openWorldHint: false },
          },
          write_file: { description: 'Writes, carefully' },
        },
      }),
    );
    const { tools } = await allTools(c);
    expect(namesOf(tools)).to.deep.equal([
      'fs_read',
      'write_file',
      'delete_repo',
      'fetch',
      'seen',
      'announce',
    ]);
    expect(tools[0]).to.include({ name: 'fs_read', description: 'Reads a file of the project' });
    expect(tools[0]!.annotations).to.deep.equal({
      readOnlyHint: true,
      title: 'Project read',
      openWorldHint: false,
    });
    expect(tools[1]).to.include({ name: 'write_file', description: 'Writes, carefully' });
    expect(tools[1]!.annotations).to.deep.equal({ destructiveHint: true });
    const progress: number[] = [];
    const result = await c.callTool({ name: 'fs_read', arguments: { path: 'a' } }, undefined, {
      onprogress: (p) => progress.push(p.progress),
    });
    expect(firstText(result)).to.equal('read_file:{"path":"a"}');
    expect(progress).to.deep.equal([1]);
    const err = await refused(c.callTool({ name: 'read_file' }));
    expect(err.code).to.equal(-32602);
    expect(await seenBy(c)).to.deep.equal(['read_file']);
  });

  it('the filter names tools as clients see them: a renamed tool passes by its new name, not its old one', async () => {
    const c = await connect(
      await start({
        toolsFilter: ['fs_read', 'write_file', 'seen'],
        toolsOverride: { read_file: { name: 'fs_read' }, write_file: { name: 'fs_write' } },
      }),
    );
    expect(namesOf((await allTools(c)).tools)).to.deep.equal(['fs_read', 'seen']);
    expect(firstText(await c.callTool({ name: 'fs_read' }))).to.equal('read_file:{}');
    await refused(c.callTool({ name: 'fs_write' }));
    await refused(c.callTool({ name: 'write_file' }));
    expect(await seenBy(c)).to.deep.equal(['read_file']);
  });

  it('a tool renamed to another server tool name takes that name over: the other is hidden, the name calls the renamed one', async () => {
    const c = await connect(await start({ toolsOverride: { fetch: { name: 'delete_repo' } } }));
    const names = namesOf((await allTools(c)).tools);
    expect(names.filter((n) => n === 'delete_repo')).to.have.length(1);
    expect(names).to.not.include('fetch');
    expect(firstText(await c.callTool({ name: 'delete_repo' }))).to.equal('fetch:{}');
  });

  it("the server's notifications/tools/list_changed reaches the client", async () => {
    const c = await connect(await start({ toolsFilter: ['announce', 'seen'] }));
    const changed = new Promise<void>((resolve) =>
      c.setNotificationHandler(ToolListChangedNotificationSchema, () => resolve()),
    );
    await c.callTool({ name: 'announce' });
    await changed;
  });

  it('Cedar policies name the server tool: a policy permitting read_file permits its new name, and the list shows only permitted tools under their new names', async () => {
    const authz = {
      type: 'cedarv1' as const,
      policies: [
        'permit(principal, action == Action::"call_tool", resource == Tool::"read_file");',
        'permit(principal, action == Action::"call_tool", resource == Tool::"seen");',
      ],
      entitiesJson: '[]',
    };
    const c = await connect(await start({ toolsOverride: { read_file: { name: 'fs_read' } } }, { authz }));
    expect(namesOf((await allTools(c)).tools)).to.deep.equal(['fs_read', 'seen']);
    expect(firstText(await c.callTool({ name: 'fs_read' }))).to.equal('read_file:{}');
    expect(
      (await refused(c.callTool({ name: 'fetch' }))).code,
      'Cedar refuses what the tool config passes',
    ).to.equal(403);
  });

  it('a new section applied to the running proxy changes lists and calls at once, and open sessions are told the list changed', async () => {
    const p = await start({ toolsFilter: ['read_file', 'seen'] });
    const c = await connect(p);
    expect(namesOf((await allTools(c)).tools)).to.deep.equal(['read_file', 'seen']);
    const changed = new Promise<void>((resolve) =>
      c.setNotificationHandler(ToolListChangedNotificationSchema, () => resolve()),
    );
    p.applyTools({ toolsFilter: ['fetch', 'seen'], toolsOverride: { fetch: { name: 'web_fetch' } } });
    await changed;
    expect(namesOf((await allTools(c)).tools)).to.deep.equal(['seen']);
    p.applyTools({ toolsFilter: ['web_fetch', 'seen'], toolsOverride: { fetch: { name: 'web_fetch' } } });
    expect(namesOf((await allTools(c)).tools)).to.deep.equal(['web_fetch', 'seen']);
    expect(firstText(await c.callTool({ name: 'web_fetch' }))).to.equal('fetch:{}');
    await refused(c.callTool({ name: 'read_file' }));
    p.applyTools(undefined);
    expect(namesOf((await allTools(c)).tools)).to.deep.equal(ALL);
  });
});
