import type { V1Secret, V1ValidatingWebhookConfiguration } from '@kubernetes/client-node';
import { expect } from 'chai';
import {
  type SecretClient,
  type WebhookConfigurationClient,
  caBundlePatch,
  secretAuthorityStore,
  webhookCaBundlePublisher,
} from '../../../certs/kubernetes-store.ts';
import { StoreConflictError } from '../../../certs/self-managed-source.ts';
import { silentLogger } from '../../../lib/log.ts';

const PEM = '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n';
const B64 = Buffer.from(PEM).toString('base64');

const apiError = (code: number) => Object.assign(new Error(`HTTP ${code}`), { code });

function validating(...webhooks: { name: string; caBundle?: string }[]): V1ValidatingWebhookConfiguration {
  return {
    metadata: { name: 'mcp-operator-validating-webhook' },
    webhooks: webhooks.map((w) => ({
      name: w.name,
      clientConfig: w.caBundle === undefined ? {} : { caBundle: w.caBundle },
      admissionReviewVersions: ['v1'],
      sideEffects: 'None',
    })),
  };
}

describe('caBundlePatch', () => {
  const cases: Record<string, { configuration: V1ValidatingWebhookConfiguration; want: unknown[] }> = {
    'sets caBundle on a webhook that has none, guarded by a test of its name': {
      configuration: validating({ name: 'validate.mcpserver.toolhive.stacklok.dev' }),
      want: [
        { op: 'test', path: '/webhooks/0/name', value: 'validate.mcpserver.toolhive.stacklok.dev' },
        { op: 'add', path: '/webhooks/0/clientConfig/caBundle', value: B64 },
      ],
    },
    'leaves a webhook whose caBundle already matches': {
      configuration: validating({ name: 'a', caBundle: B64 }, { name: 'b', caBundle: 'b2xk' }),
      want: [
        { op: 'test', path: '/webhooks/1/name', value: 'b' },
        { op: 'add', path: '/webhooks/1/clientConfig/caBundle', value: B64 },
      ],
    },
    'is empty when every webhook matches': {
      configuration: validating({ name: 'a', caBundle: B64 }),
      want: [],
    },
  };
  for (const [name, c] of Object.entries(cases)) {
    it(name, () => expect(caBundlePatch(c.configuration, PEM)).to.deep.equal(c.want));
  }
});

/** Webhook configurations in memory; records every patch. A name not in the map reads as 404. */
function recordingWebhookClient(stored: Record<string, V1ValidatingWebhookConfiguration>) {
  const patches: { name: string; body: unknown }[] = [];
  const read = (p: { name: string }) => {
    const found = stored[p.name];
    return found ? Promise.resolve(found) : Promise.reject(apiError(404));
  };
  const patch = (p: { name: string; body: unknown }) => {
    patches.push(p);
    return Promise.resolve(stored[p.name]!);
  };
  const client: WebhookConfigurationClient = {
    readValidatingWebhookConfiguration: read,
    patchValidatingWebhookConfiguration: patch,
    readMutatingWebhookConfiguration: read,
    patchMutatingWebhookConfiguration: patch,
  };
  return { client, patches };
}

describe('webhookCaBundlePublisher', () => {
  it('patches the configurations that differ and skips one that does not exist', async () => {
    const { client, patches } = recordingWebhookClient({
      'v-conf': validating({ name: 'v' }),
      'm-conf': validating({ name: 'm', caBundle: B64 }),
    });
    await webhookCaBundlePublisher(
      client,
      { validating: 'v-conf', mutating: 'missing' },
      silentLogger(),
    ).publish(PEM);
    expect(patches).to.deep.equal([{ name: 'v-conf', body: caBundlePatch(validating({ name: 'v' }), PEM) }]);
  });

  it('fails on errors other than not found', async () => {
    const client = recordingWebhookClient({}).client;
    client.readValidatingWebhookConfiguration = () => Promise.reject(apiError(403));
    const publishing = webhookCaBundlePublisher(client, { validating: 'v-conf' }, silentLogger()).publish(
      PEM,
    );
    const err = await publishing.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((err as { code?: number }).code).to.equal(403);
  });
});

describe('secretAuthorityStore', () => {
  const fakeSecretClient = (overrides: Partial<SecretClient>): SecretClient => ({
    readNamespacedSecret: () => Promise.reject(apiError(404)),
    createNamespacedSecret: (p) =>
      Promise.resolve({ ...p.body, metadata: { ...p.body.metadata, resourceVersion: '1' } }),
    replaceNamespacedSecret: () => Promise.reject(apiError(409)),
    ...overrides,
  });

  it('reads a missing Secret as undefined', async () => {
    expect(await secretAuthorityStore(fakeSecretClient({}), 'ops', 'x-webhook-tls').read()).to.equal(
      undefined,
    );
  });

  it('reads an undecodable Secret as no state with its resourceVersion, so it is replaced', async () => {
    const secret: V1Secret = { metadata: { resourceVersion: '42' }, data: { other: 'eA==' } };
    const client = fakeSecretClient({ readNamespacedSecret: () => Promise.resolve(secret) });
    expect(await secretAuthorityStore(client, 'ops', 'x-webhook-tls').read()).to.deep.equal({
      state: undefined,
      resourceVersion: '42',
    });
  });

  it('turns a 409 on replace into StoreConflictError', async () => {
    const store = secretAuthorityStore(fakeSecretClient({}), 'ops', 'x-webhook-tls');
    const state = { ca: { certPem: 'c', keyPem: 'k' }, serving: { certPem: 'c', keyPem: 'k' } };
    const err = await store.write(state, '3').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(StoreConflictError);
  });
});
