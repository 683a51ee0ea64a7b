// The Kubernetes side of SelfManagedSource: the Secret that holds the authority's state and the
// webhook configurations whose caBundle we keep current. The clients are narrow interfaces that
// @kubernetes/client-node's CoreV1Api and AdmissionregistrationV1Api satisfy, so unit tests pass
// fakes; the real calls are exercised by the integration tests against an API server.
import type {
  V1MutatingWebhookConfiguration,
  V1Secret,
  V1ValidatingWebhookConfiguration,
} from '@kubernetes/client-node';
import { isConflict, isNotFound } from '../lib/api-status.ts';
import type { Logger } from '../lib/log.ts';
import { authorityFromSecretData, authorityToSecretData } from './authority-secret.ts';
import type { AuthorityState } from './authority.ts';
import { type AuthorityStore, type CaBundlePublisher, StoreConflictError } from './self-managed-source.ts';

export interface SecretClient {
  readNamespacedSecret(p: { name: string; namespace: string }): Promise<V1Secret>;
  createNamespacedSecret(p: { namespace: string; body: V1Secret }): Promise<V1Secret>;
  replaceNamespacedSecret(p: { name: string; namespace: string; body: V1Secret }): Promise<V1Secret>;
}

type WebhookConfiguration = V1ValidatingWebhookConfiguration | V1MutatingWebhookConfiguration;

export interface WebhookConfigurationClient {
  readValidatingWebhookConfiguration(p: { name: string }): Promise<V1ValidatingWebhookConfiguration>;
  patchValidatingWebhookConfiguration(p: {
    name: string;
    body: unknown;
  }): Promise<V1ValidatingWebhookConfiguration>;
  readMutatingWebhookConfiguration(p: { name: string }): Promise<V1MutatingWebhookConfiguration>;
  patchMutatingWebhookConfiguration(p: {
    name: string;
    body: unknown;
  }): Promise<V1MutatingWebhookConfiguration>;
}

/** The `<name>-webhook-tls` Secret in the operator namespace. */
export function secretAuthorityStore(client: SecretClient, namespace: string, name: string): AuthorityStore {
  return {
    async read() {
      try {
        const secret = await client.readNamespacedSecret({ name, namespace });
        return {
          state: authorityFromSecretData(secret.data),
          resourceVersion: secret.metadata?.resourceVersion ?? '',
        };
      } catch (err) {
        if (isNotFound(err)) return undefined;
        throw err;
      }
    },
    async write(state: AuthorityState, resourceVersion: string | undefined) {
      const body = desiredTlsSecret(namespace, name, state, resourceVersion);
      try {
        const written = resourceVersion
          ? await client.replaceNamespacedSecret({ name, namespace, body })
          : await client.createNamespacedSecret({ namespace, body });
        return written.metadata?.resourceVersion ?? '';
      } catch (err) {
        if (isConflict(err)) throw new StoreConflictError(`Secret ${namespace}/${name} changed concurrently`);
        throw err;
      }
    },
  };
}

export function desiredTlsSecret(
  namespace: string,
  name: string,
  state: AuthorityState,
  resourceVersion: string | undefined,
): V1Secret {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    // Opaque, not kubernetes.io/tls: the Helm chart creates this Secret empty (so `helm uninstall` removes
    // it), and a Secret's type cannot change once created; kubernetes.io/tls would require the keys then.
    type: 'Opaque',
    metadata: {
      name,
      namespace,
      labels: { 'app.kubernetes.io/managed-by': 'mcp-operator', 'app.kubernetes.io/component': 'webhook' },
      ...(resourceVersion ? { resourceVersion } : {}),
    },
    data: authorityToSecretData(state),
  };
}

export interface WebhookConfigurationNames {
  validating?: string;
  mutating?: string;
}

/** Keeps caBundle current in the named webhook configurations; a missing configuration is logged and skipped. */
export function webhookCaBundlePublisher(
  client: WebhookConfigurationClient,
  names: WebhookConfigurationNames,
  log: Logger,
): CaBundlePublisher {
  const targets = [
    names.validating && {
      kind: 'ValidatingWebhookConfiguration',
      name: names.validating,
      read: (name: string) => client.readValidatingWebhookConfiguration({ name }),
      patch: (name: string, body: unknown) => client.patchValidatingWebhookConfiguration({ name, body }),
    },
    names.mutating && {
      kind: 'MutatingWebhookConfiguration',
      name: names.mutating,
      read: (name: string) => client.readMutatingWebhookConfiguration({ name }),
      patch: (name: string, body: unknown) => client.patchMutatingWebhookConfiguration({ name, body }),
    },
  ].filter((t) => !!t);
  return {
    async publish(caBundlePem: string) {
      for (const target of targets) {
        let configuration: WebhookConfiguration;
        try {
          configuration = await target.read(target.name);
        } catch (err) {
          if (!isNotFound(err)) throw err;
          log.warn(
            { kind: target.kind, name: target.name },
            'Skipped caBundle: webhook configuration not found',
          );
          continue;
        }
        const ops = caBundlePatch(configuration, caBundlePem);
        if (ops.length === 0) continue;
        await target.patch(target.name, ops);
        log.info({ kind: target.kind, name: target.name }, 'Patched caBundle');
      }
    },
  };
}

export type JsonPatchOperation = { op: 'test' | 'replace' | 'add'; path: string; value: unknown };

/**
 * A JSON Patch setting caBundle on every webhook whose value differs; [] when all match. Each change
 * is guarded by a `test` of the webhook's name at that index, so a concurrent edit that reorders the
 * list fails the patch instead of writing our bundle into someone else's webhook.
 */
export function caBundlePatch(
  configuration: WebhookConfiguration,
  caBundlePem: string,
): JsonPatchOperation[] {
  const caBundle = Buffer.from(caBundlePem, 'utf8').toString('base64');
  return (configuration.webhooks ?? []).flatMap((webhook, i): JsonPatchOperation[] => {
    if (webhook.clientConfig.caBundle === caBundle) return [];
    return [
      { op: 'test', path: `/webhooks/${i}/name`, value: webhook.name },
      { op: 'add', path: `/webhooks/${i}/clientConfig/caBundle`, value: caBundle },
    ];
  });
}
