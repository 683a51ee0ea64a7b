// What a webhook that fails does, per failurePolicy, through a real proxy and a real HTTPS webhook
// server: a slow one (timeout), one behind a certificate the configured CA did not sign, one answering
// 5xx or garbage, a 422 (always a denial), and a mutating one whose patch cannot be applied; and the
// webhook metrics the proxy exposes for them.
import { expect } from 'chai';
import { loopbackCertificates } from '../../../support/certificates.ts';
import { allow, startWebhookServer, type WebhookServer } from './support/webhook-server.ts';
import { echo, pemFile, refusalOf, seen, startHooked, webhook, type Hooked } from './support/hooked-proxy.ts';

const DENIED = { status: 403, code: 403, message: 'Request denied by policy' };

describe('proxy/traffic-webhooks when a webhook fails', function () {
  this.timeout(30_000);
  let hooks: WebhookServer;
  let ca: string;
  let hooked: Hooked | undefined;

  before(async () => {
    hooks = await startWebhookServer();
    ca = pemFile(hooks.certificates.ca.certPem);
    const onCall =
      (slow: (r: Parameters<typeof allow>[0]) => ReturnType<typeof allow>) =>
      (r: Parameters<typeof allow>[0]) => (r.mcp_request.params?.name === 'echo' ? slow(r) : allow(r));
    hooks.on(
      '/slow',
      onCall((r) => ({ ...allow(r), delayMs: 2500 })),
    );
    hooks.on(
      '/boom',
      onCall(() => ({ status: 503, json: { error: 'down' } })),
    );
    hooks.on(
      '/garbage',
      onCall(() => ({ json: ['not', 'an', 'object'] })),
    );
    hooks.on(
      '/422',
      onCall(() => ({ status: 422, json: {} })),
    );
    hooks.on(
      '/bad-patch',
      onCall((r) => ({
        json: {
          ...(allow(r).json as object),
          patch_type: 'json_patch',
          patch: [{ op: 'replace', path: '/principal/sub', value: 'root' }],
        },
      })),
    );
    hooks.on(
      '/new-id',
      onCall((r) => ({
        json: {
          ...(allow(r).json as object),
          patch_type: 'json_patch',
          patch: [{ op: 'replace', path: '/mcp_request/id', value: 999 }],
        },
      })),
    );
  });
  afterEach(async () => {
    await hooked?.close();
    hooked = undefined;
  });
  after(async () => {
    await hooks?.close();
  });

  const tls = () => ({ tls: { caBundleFile: ca } });
  const metrics = async () => (await (await fetch(`${hooked!.proxy.url}/metrics`)).text()).split('\n');

  it('denies a call whose webhook does not answer in time (fail), after the timeout, not later', async () => {
    hooked = await startHooked({
      validating: [webhook('slow', hooks.url('/slow'), { ...tls(), timeoutMs: 1000 })],
    });
    const started = Date.now();
    const refused = await echo(hooked.client, 'late');
    expect(Date.now() - started).to.be.within(900, 2400);
    expect(refused).to.deep.equal(DENIED);
    expect(await seen(hooked.client)).not.to.include('tools/call echo');
    expect(await metrics()).to.include(
      'mcp_proxy_webhook_calls_total{type="validating",webhook="slow",result="timeout"} 1',
    );
    expect(await metrics()).to.include(
      'mcp_proxy_webhook_refused_total{type="validating",webhook="slow",reason="failure"} 1',
    );
  });

  it('lets the call through when the slow webhook is failurePolicy ignore', async () => {
    hooked = await startHooked({
      validating: [
        webhook('slow', hooks.url('/slow'), { ...tls(), timeoutMs: 1000, failurePolicy: 'ignore' }),
      ],
    });
    expect(await echo(hooked.client, 'late')).to.equal('echo:late');
    expect(await metrics()).to.include(
      'mcp_proxy_webhook_calls_total{type="validating",webhook="slow",result="timeout"} 1',
    );
  });

  it('refuses a webhook whose certificate the configured CA did not sign (fail), and ignores it (ignore)', async () => {
    const otherCa = pemFile(loopbackCertificates().ca.certPem);
    hooked = await startHooked({
      validating: [webhook('pinned', hooks.url('/allow'), { tls: { caBundleFile: otherCa } })],
    }).catch((err: unknown) => err as never);
    expect(refusalOf(hooked)).to.deep.equal(DENIED);
    hooked = await startHooked({
      validating: [
        webhook('pinned', hooks.url('/allow'), { tls: { caBundleFile: otherCa }, failurePolicy: 'ignore' }),
      ],
    });
    expect(await echo(hooked.client, 'through')).to.equal('echo:through');
    expect(hooks.received.some((r) => r.path === '/allow')).to.equal(false);
  });

  it('treats a 5xx and an answer that is not an object as failures, under each policy', async () => {
    hooked = await startHooked({
      validating: [
        webhook('boom', hooks.url('/boom'), { ...tls(), failurePolicy: 'ignore' }),
        webhook('garbage', hooks.url('/garbage'), tls()),
      ],
    });
    expect(await echo(hooked.client, 'x')).to.deep.equal(DENIED);
    const lines = await metrics();
    expect(lines).to.include(
      'mcp_proxy_webhook_calls_total{type="validating",webhook="boom",result="error"} 1',
    );
    expect(lines).to.include(
      'mcp_proxy_webhook_refused_total{type="validating",webhook="garbage",reason="failure"} 1',
    );
  });

  it('denies on HTTP 422 even under failurePolicy ignore; a mutating one answers HTTP 422 itself', async () => {
    hooked = await startHooked({
      validating: [webhook('v422', hooks.url('/422'), { ...tls(), failurePolicy: 'ignore' })],
    });
    expect(await echo(hooked.client, 'x')).to.have.property('code', 403);
    await hooked.close();
    hooked = await startHooked({
      mutating: [webhook('m422', hooks.url('/422'), { ...tls(), failurePolicy: 'ignore' })],
    });
    expect(await echo(hooked.client, 'x')).to.deep.equal({
      status: 422,
      code: 403,
      message: 'Request denied by webhook policy',
    });
  });

  it('refuses a mutating patch outside mcp_request (fail) and leaves the request unchanged (ignore)', async () => {
    hooked = await startHooked({ mutating: [webhook('escape', hooks.url('/bad-patch'), tls())] });
    expect(await echo(hooked.client, 'x')).to.deep.equal({
      status: 500,
      code: -32603,
      message: 'Patch must be scoped to mcp_request',
    });
    await hooked.close();
    hooked = await startHooked({
      mutating: [webhook('escape', hooks.url('/bad-patch'), { ...tls(), failurePolicy: 'ignore' })],
    });
    expect(await echo(hooked.client, 'x')).to.equal('echo:x');
  });

  it('refuses a patch that changes the request id whatever the policy: the client would never get its answer', async () => {
    hooked = await startHooked({
      mutating: [webhook('renumber', hooks.url('/new-id'), { ...tls(), failurePolicy: 'ignore' })],
    });
    expect(await echo(hooked.client, 'x')).to.deep.equal({
      status: 500,
      code: -32603,
      message: 'Webhook produced an invalid MCP request',
    });
  });
});
