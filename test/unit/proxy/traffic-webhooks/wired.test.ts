// Webhooks on MCP traffic through a real proxy: a real HTTPS server acting as ToolHive-style validating
// and mutating webhooks, the recording stdio MCP server behind the proxy, the SDK client in front.
// Allowed, denied (ToolHive's denial reaches the client, the webhook's own words do not, the server never
// sees the call), mutated (the server gets the changed arguments, the validating webhook sees them
// too), ToolHive's request body, HMAC signatures verified by the webhook server, and connections reused.
import { expect } from 'chai';
import {
  allow,
  HMAC_KEY,
  startWebhookServer,
  type WebhookRequest,
  type WebhookServer,
} from './support/webhook-server.ts';
import { echo, pemFile, refusalOf, seen, startHooked, webhook, type Hooked } from './support/hooked-proxy.ts';

const HMAC_ENV = 'TEST_WEBHOOK_HMAC';

describe('proxy/traffic-webhooks through runProxy', function () {
  this.timeout(30_000);
  let hooks: WebhookServer;
  let ca: string;
  let hooked: Hooked | undefined;

  before(async () => {
    hooks = await startWebhookServer();
    ca = pemFile(hooks.certificates.ca.certPem);
    hooks.on('/deny-echo', (r: WebhookRequest) =>
      r.mcp_request.method === 'tools/call' && r.mcp_request.params?.name === 'echo'
        ? {
            json: {
              version: r.version,
              uid: r.uid,
              allowed: false,
              message: 'internal: rule 7 hit',
              reason: 'R7',
            },
          }
        : allow(r),
    );
    hooks.on('/shout', (r: WebhookRequest) => {
      if (r.mcp_request.method !== 'tools/call') return allow(r);
      const args = r.mcp_request.params?.arguments as { message: string };
      const patch = [
        { op: 'replace', path: '/mcp_request/params/arguments/message', value: `${args.message}!` },
      ];
      return { json: { version: r.version, uid: r.uid, allowed: true, patch_type: 'json_patch', patch } };
    });
  });
  beforeEach(() => {
    hooks.received.length = 0;
  });
  afterEach(async () => {
    await hooked?.close();
    hooked = undefined;
  });
  after(async () => {
    await hooks?.close();
  });

  const tls = () => ({ tls: { caBundleFile: ca } });

  it('lets an allowed call through and sends ToolHive request bodies for every client request', async () => {
    hooked = await startHooked({ validating: [webhook('policy', hooks.url('/allow'), tls())] });
    expect(await echo(hooked.client, 'hi')).to.equal('echo:hi');
    const call = hooks.received.find((r) => r.body.mcp_request.method === 'tools/call')!;
    expect(call.body.version).to.equal('v0.1.0');
    expect(call.body.uid).to.match(/^[0-9a-f-]{36}$/);
    expect(Date.now() - Date.parse(call.body.timestamp)).to.be.within(0, 10_000);
    expect(call.body.mcp_request).to.deep.include({ jsonrpc: '2.0', method: 'tools/call' });
    expect(call.body.mcp_request.params).to.deep.include({ name: 'echo', arguments: { message: 'hi' } });
    expect(call.body.principal).to.deep.include({ sub: 'anonymous', email: 'anonymous@localhost' });
    expect(call.body.context).to.deep.equal({
      server_name: 'hooked',
      namespace: 'team-a',
      source_ip: '',
      transport: 'stdio',
    });
    expect(call.headers['content-type']).to.equal('application/json');
    expect(call.signed).to.equal(undefined);
    const methods = hooks.received.map((r) => r.body.mcp_request.method);
    expect(methods.slice(0, 2)).to.deep.equal(['initialize', 'notifications/initialized']);
  });

  it('answers a denied call with ToolHive denial; the server never sees it, the webhook message stays private', async () => {
    hooked = await startHooked({ validating: [webhook('policy', hooks.url('/deny-echo'), tls())] });
    expect(await echo(hooked.client, 'no')).to.deep.equal({
      status: 403,
      code: 403,
      message: 'Request denied by policy',
    });
    expect(await seen(hooked.client)).not.to.include('tools/call echo');
  });

  it('applies a mutating webhook JSON Patch before the validating webhooks and the server', async () => {
    hooked = await startHooked({
      mutating: [
        webhook('shout', hooks.url('/shout'), tls()),
        webhook('shout-again', hooks.url('/shout'), tls()),
      ],
      validating: [webhook('policy', hooks.url('/allow'), tls())],
    });
    expect(await echo(hooked.client, 'hey')).to.equal('echo:hey!!');
    const calls = hooks.received.filter((r) => r.body.mcp_request.method === 'tools/call');
    const messages = calls.map((r) => [
      r.path,
      (r.body.mcp_request.params!.arguments as { message: string }).message,
    ]);
    expect(messages).to.deep.equal([
      ['/shout', 'hey'],
      ['/shout', 'hey!'],
      ['/allow', 'hey!!'],
    ]);
  });

  it('signs every body with the Secret key: X-ToolHive-Signature verifies at the webhook', async () => {
    // The key reaches the proxy through its environment source (ProxyIO.env), not process.env.
    hooked = await startHooked(
      { validating: [webhook('policy', hooks.url('/allow'), { ...tls(), hmacSecretEnv: HMAC_ENV })] },
      { [HMAC_ENV]: HMAC_KEY },
    );
    expect(await echo(hooked.client, 'signed')).to.equal('echo:signed');
    expect(hooks.received.length).to.be.greaterThan(2);
    expect(hooks.received.map((r) => r.signed)).to.satisfy((s: unknown[]) => s.every((v) => v === true));
    expect(hooks.received[0]!.headers['x-toolhive-timestamp']).to.match(/^\d{10}$/);
  });

  it('is denied when the webhook rejects a signature made with another key (answer 401, policy fail)', async () => {
    hooks.on('/strict', (r, received) =>
      received.signed ? allow(r) : { status: 401, json: { error: 'bad signature' } },
    );
    hooked = await startHooked(
      { validating: [webhook('strict', hooks.url('/strict'), { ...tls(), hmacSecretEnv: HMAC_ENV })] },
      { [HMAC_ENV]: 'not-the-key' },
    ).catch((err: unknown) => err as never);
    // The initialize itself is refused, so the client never connects.
    expect(refusalOf(hooked)).to.deep.equal({ status: 403, code: 403, message: 'Request denied by policy' });
    hooked = undefined;
  });

  it('refuses to start when the HMAC variable is unset, naming the webhook', async () => {
    const err = await startHooked(
      { validating: [webhook('policy', hooks.url('/allow'), { ...tls(), hmacSecretEnv: HMAC_ENV })] },
      {},
    ).catch((e: unknown) => e);
    expect(String(err)).to.contain('"policy"').and.to.contain(HMAC_ENV);
  });

  it('reuses its TLS connection across calls (keep-alive)', async () => {
    hooked = await startHooked({ validating: [webhook('policy', hooks.url('/allow'), tls())] });
    const before = hooks.connections();
    for (let i = 0; i < 10; i += 1) expect(await echo(hooked.client, `n${i}`)).to.equal(`echo:n${i}`);
    expect(hooks.connections() - before).to.be.at.most(1);
  });
});
