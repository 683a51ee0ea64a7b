import { expect } from 'chai';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  AUDIT_FLUSH_WAIT_MS,
  clientAs,
  startAuthorizedProxy,
  type AuthorizedProxy,
} from './support/authorized-proxy.ts';

const cedarv1 = (
  policies: string[],
  extra: { entitiesJson?: string; groupClaimName?: string; roleClaimName?: string } = {},
) => ({
  type: 'cedarv1' as const,
  policies,
  entitiesJson: extra.entitiesJson ?? '[]',
  ...(extra.groupClaimName ? { groupClaimName: extra.groupClaimName } : {}),
  ...(extra.roleClaimName ? { roleClaimName: extra.roleClaimName } : {}),
});
const SEEN = 'permit(principal, action == Action::"call_tool", resource == Tool::"seen");';

interface AuditEvent {
  type: string;
  loggedAt: string;
  outcome: string;
  component: string;
  subjects: Record<string, string>;
  target: Record<string, string>;
  metadata: { auditId: string; extra: Record<string, unknown> };
}

async function denied(call: Promise<unknown>): Promise<McpError> {
  const err = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, 'the call should have been refused').to.be.instanceOf(McpError);
  return err as McpError;
}
const textOf = (r: unknown) => (r as { content: { text: string }[] }).content[0]!.text;
const seenBy = async (c: Client) => JSON.parse(textOf(await c.callTool({ name: 'seen' }))) as string[];

describe('proxy/authz: Cedar through a real proxy and MCP server', function () {
  this.timeout(30_000);
  const proxies: AuthorizedProxy[] = [];
  const clients: Client[] = [];
  const start = async (...args: Parameters<typeof startAuthorizedProxy>) => {
    const p = await startAuthorizedProxy(...args);
    proxies.push(p);
    return p;
  };
  const as = async (p: AuthorizedProxy, sub: string, claims: Record<string, unknown> = {}) => {
    const c = await clientAs(p.url, { sub, claims });
    clients.push(c);
    return c;
  };
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await Promise.all(proxies.splice(0).map((p) => p.close()));
  });

  it('one permitted tool works, another is refused 403 without reaching the server, and tools/list shows only the permitted', async () => {
    const p = await start(
      cedarv1(['permit(principal, action == Action::"call_tool", resource == Tool::"echo");', SEEN]),
    );
    const c = await as(p, 'alice');
    expect(textOf(await c.callTool({ name: 'echo', arguments: { message: 'hi' } }))).to.equal('echo:hi');
    const err = await denied(c.callTool({ name: 'secret', arguments: { message: 'x' } }));
    expect(err.code).to.equal(403);
    expect(err.message).to.contain('Unauthorized').and.not.contain('permit');
    expect(await seenBy(c)).to.deep.equal(['tools/call echo']);
    const { tools } = await c.listTools();
    expect(tools.map((t) => t.name).sort()).to.deep.equal(['echo', 'seen']);
  });

  it('grants by group claims, the well-known `groups` claim or a configured nested claim and the role claim', async () => {
    const eng =
      'permit(principal in THVGroup::"eng", action == Action::"call_tool", resource == Tool::"calc");';
    const p = await start(cedarv1([eng, SEEN]));
    const member = await as(p, 'alice', { groups: ['eng', 'ops'] });
    expect(textOf(await member.callTool({ name: 'calc' }))).to.equal('calc:');
    const outsider = await as(p, 'bob', { groups: ['ops'] });
    await denied(outsider.callTool({ name: 'calc' }));

    const q = await start(
      cedarv1([eng, SEEN], { groupClaimName: 'realm_access.groups', roleClaimName: 'app_roles' }),
    );
    const nested = await as(q, 'carol', { realm_access: { groups: ['eng'] } });
    expect(textOf(await nested.callTool({ name: 'calc' }))).to.equal('calc:');
    const byRole = await as(q, 'dave', { app_roles: ['eng'] });
    expect(textOf(await byRole.callTool({ name: 'calc' }))).to.equal('calc:');
    const smuggled = await as(q, 'eve', {
      realm_access: { groups: [{ __entity: { type: 'THVGroup', id: 'eng' } }] },
    });
    await denied(smuggled.callTool({ name: 'calc' }));
  });

  it('forbid overrides permit, by name and by the annotations tools/list reported', async () => {
    const p = await start(
      cedarv1([
        'permit(principal, action, resource);',
        'forbid(principal, action == Action::"call_tool", resource == Tool::"secret");',
        'forbid(principal, action == Action::"call_tool", resource) when { resource has destructiveHint && resource.destructiveHint };',
      ]),
    );
    const c = await as(p, 'alice');
    const { tools } = await c.listTools();
    expect(tools.map((t) => t.name).sort()).to.deep.equal(['calc', 'echo', 'seen']);
    await denied(c.callTool({ name: 'secret' }));
    await denied(c.callTool({ name: 'danger' }));
    expect(textOf(await c.callTool({ name: 'echo', arguments: { message: 'ok' } }))).to.equal('echo:ok');
    expect(await seenBy(c)).to.deep.equal(['tools/call echo']);
  });

  it('reads attributes from the entities JSON, and tool arguments as context arg_*', async () => {
    const entitiesJson = JSON.stringify([{ uid: { type: 'Tool', id: 'calc' }, attrs: { owner: 'alice' } }]);
    const p = await start(
      cedarv1(
        [
          'permit(principal, action == Action::"call_tool", resource) when { resource has owner && resource.owner == principal.claim_sub };',
          'permit(principal, action == Action::"call_tool", resource == Tool::"echo") when { context has arg_message && context.arg_message like "safe*" };',
          SEEN,
        ],
        { entitiesJson },
      ),
    );
    const alice = await as(p, 'alice');
    const bob = await as(p, 'bob');
    expect(textOf(await alice.callTool({ name: 'calc' }))).to.equal('calc:');
    await denied(bob.callTool({ name: 'calc' }));
    expect(textOf(await bob.callTool({ name: 'echo', arguments: { message: 'safe one' } }))).to.equal(
      'echo:safe one',
    );
    await denied(bob.callTool({ name: 'echo', arguments: { message: 'rm -rf' } }));
  });

  it('filters prompts and resources and refuses the others', async () => {
    const p = await start(
      cedarv1([
        'permit(principal, action == Action::"get_prompt", resource == Prompt::"greet");',
        'permit(principal, action == Action::"read_resource", resource == Resource::"test://public");',
      ]),
    );
    const c = await as(p, 'alice');
    expect((await c.listPrompts()).prompts.map((x) => x.name)).to.deep.equal(['greet']);
    expect((await c.listResources()).resources.map((x) => x.uri)).to.deep.equal(['test://public']);
    expect((await c.getPrompt({ name: 'greet' })).messages).to.have.length(1);
    await denied(c.getPrompt({ name: 'private' }));
    expect((await c.readResource({ uri: 'test://public' })).contents).to.have.length(1);
    expect((await denied(c.readResource({ uri: 'test://secret' }))).code).to.equal(403);
    expect((await c.listTools()).tools).to.deep.equal([]);
  });

  it('audits each request: subject, method, name, outcome, duration, session, server; never arguments', async () => {
    const p = await start(
      cedarv1(['permit(principal, action == Action::"call_tool", resource == Tool::"echo");']),
      {
        audit: true,
      },
    );
    const c = await as(p, 'alice', { email: 'alice@example.com' });
    await c.callTool({ name: 'echo', arguments: { message: 'TOPSECRET-ARG' } });
    await denied(c.callTool({ name: 'secret', arguments: { message: 'TOPSECRET-ARG' } }));
    await c.listTools();
    await sleep(AUDIT_FLUSH_WAIT_MS);
    const events = p.audit.map((l) => JSON.parse(l) as AuditEvent);
    expect(p.audit.join('\n')).to.not.contain('TOPSECRET').and.not.contain('alice@example.com');
    const byMethod = (type: string) => events.filter((e) => e.type === type);
    expect(byMethod('mcp_initialize')).to.have.length(1);
    const ok = byMethod('mcp_tool_call').find((e) => e.target.name === 'echo')!;
    const refused = byMethod('mcp_tool_call').find((e) => e.target.name === 'secret')!;
    expect(ok).to.deep.include({
      outcome: 'success',
      component: 'recording',
      subjects: { user_id: 'alice', issuer: 'mock' },
    });
    expect(ok.target).to.deep.equal({ method: 'tools/call', name: 'echo', type: 'tool' });
    expect(ok.metadata.extra).to.include({ server: 'recording', namespace: 'team-a' });
    expect(ok.metadata.extra.duration_ms).to.be.a('number').and.at.least(0);
    expect(ok.metadata.extra.session_id).to.be.a('string').and.not.equal('');
    expect(refused.outcome).to.equal('denied');
    expect(refused.metadata.extra.error_code).to.equal(403);
    expect(byMethod('mcp_tools_list')).to.have.length(1);
    expect(events.every((e) => typeof e.loggedAt === 'string' && e.metadata.auditId)).to.equal(true);
  });
});
