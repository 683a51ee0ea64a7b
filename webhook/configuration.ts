// Pure builders for the ValidatingWebhookConfiguration and MutatingWebhookConfiguration that point the
// API server at webhook/server.ts. The Helm chart, `mcp-operator dev` and the integration tests all
// render these, so every environment installs the same rules. No I/O; the caBundle is passed in
// (certs/ publishes later changes by patching only that field).
//
// Choices, and why:
// - Validation fails closed (failurePolicy Fail): an invalid MCPServer must never be stored, even while
//   the operator is down. Mutation fails open (Ignore): it only fills defaults and migrates legacy
//   fields, which validation and the controller also accept un-filled, and blocking every MCPServer
//   write because defaulting is unavailable would cost more than it saves. reinvocationPolicy IfNeeded
//   re-runs our defaulting if a later mutating webhook changed the object.
// - The validating configuration has one webhook per kind: mcpservers, and the kinds they name
//   (config-kinds.ts: the auth configs and the companions), each failing closed; mutation is for mcpservers only.
// - Rules match CREATE and UPDATE only. `mcpservers/status` is a separate resource, so
//   the controller's status writes never reach us; DELETE needs no review.
// - matchConditions skip two kinds of UPDATE the rules cannot express: those that leave the spec as it
//   was (the controller adding a finalizer, someone labelling), whose spec was reviewed when it was
//   written, and those on an object being deleted, where a denial would only stop the last finalizer
//   from being removed and strand the object. Both are CEL on `object`/`oldObject`; `has()` guards keep
//   them from erroring, since an erroring condition with failurePolicy Fail would reject the request.
// - namespaceSelector leaves out kube-system, kube-node-lease and the operator's own namespace, by the
//   `kubernetes.io/metadata.name` label every namespace carries, so a broken webhook cannot lock the
//   operator out of the namespace it runs in.
// - timeoutSeconds 5 by default, well under the API's 10 s default: admission is usually sub-millisecond
//   and a stuck call should surface quickly. webhook/server.ts answers at 4 s itself.
import type {
  V1MutatingWebhookConfiguration,
  V1ValidatingWebhookConfiguration,
} from '@kubernetes/client-node';
import { CONFIG_KINDS, pluralOf } from './config-kinds.ts';
import { MUTATE_PATH, VALIDATE_PATH, validateConfigPath } from './paths.ts';

/** How the API server reaches the webhook: a Service in the cluster, or a URL on loopback for local runs. */
export type WebhookTarget =
  | { kind: 'service'; name: string; namespace: string; port?: number }
  | { kind: 'url'; port: number; host?: string };

export interface WebhookConfigurationOptions {
  /** Prefix of both configurations' names, e.g. the Helm release's full name. */
  name: string;
  operatorNamespace: string;
  target: WebhookTarget;
  caBundlePem?: string;
  timeoutSeconds?: number;
}

export const DEFAULT_WEBHOOK_TIMEOUT_SECONDS = 5;

export function webhookConfigurationNames(name: string): { validating: string; mutating: string } {
  return { validating: `${name}-validating-webhook`, mutating: `${name}-mutating-webhook` };
}

export function desiredValidatingWebhookConfiguration(
  o: WebhookConfigurationOptions,
): V1ValidatingWebhookConfiguration {
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingWebhookConfiguration',
    metadata: { name: webhookConfigurationNames(o.name).validating, labels: ownLabels() },
    webhooks: [
      {
        name: 'validate.mcpserver.toolhive.stacklok.dev',
        ...commonWebhookFields(o, VALIDATE_PATH),
        failurePolicy: 'Fail',
      },
      ...CONFIG_KINDS.map((kind) => ({
        name: `validate.${kind.toLowerCase()}.toolhive.stacklok.dev`,
        ...commonWebhookFields(o, validateConfigPath(kind), pluralOf(kind)),
        failurePolicy: 'Fail',
      })),
    ],
  };
}

export function desiredMutatingWebhookConfiguration(
  o: WebhookConfigurationOptions,
): V1MutatingWebhookConfiguration {
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'MutatingWebhookConfiguration',
    metadata: { name: webhookConfigurationNames(o.name).mutating, labels: ownLabels() },
    webhooks: [
      {
        name: 'mutate.mcpserver.toolhive.stacklok.dev',
        ...commonWebhookFields(o, MUTATE_PATH),
        failurePolicy: 'Ignore',
        reinvocationPolicy: 'IfNeeded',
      },
    ],
  };
}

function ownLabels(): Record<string, string> {
  return { 'app.kubernetes.io/managed-by': 'mcp-operator', 'app.kubernetes.io/component': 'webhook' };
}

function commonWebhookFields(o: WebhookConfigurationOptions, path: string, resource = 'mcpservers') {
  return {
    admissionReviewVersions: ['v1'],
    sideEffects: 'None',
    timeoutSeconds: o.timeoutSeconds ?? DEFAULT_WEBHOOK_TIMEOUT_SECONDS,
    matchPolicy: 'Equivalent',
    clientConfig: clientConfig(o.target, path, o.caBundlePem),
    rules: [
      {
        apiGroups: ['toolhive.stacklok.dev'],
        apiVersions: ['v1alpha1', 'v1beta1'],
        operations: ['CREATE', 'UPDATE'],
        resources: [resource],
        scope: 'Namespaced',
      },
    ],
    namespaceSelector: {
      matchExpressions: [
        {
          key: 'kubernetes.io/metadata.name',
          operator: 'NotIn',
          values: ['kube-system', 'kube-node-lease', o.operatorNamespace],
        },
      ],
    },
    matchConditions: MATCH_CONDITIONS,
  };
}

export const MATCH_CONDITIONS = [
  {
    name: 'spec-changed',
    expression:
      "request.operation != 'UPDATE' || !has(object.spec) || !has(oldObject.spec) || object.spec != oldObject.spec",
  },
  {
    name: 'not-being-deleted',
    expression: '!has(object.metadata.deletionTimestamp)',
  },
];

function clientConfig(target: WebhookTarget, path: string, caBundlePem: string | undefined) {
  const caBundle =
    caBundlePem === undefined ? {} : { caBundle: Buffer.from(caBundlePem, 'utf8').toString('base64') };
  if (target.kind === 'url') {
    return { url: `https://${target.host ?? '127.0.0.1'}:${target.port}${path}`, ...caBundle };
  }
  return {
    service: { name: target.name, namespace: target.namespace, path, port: target.port ?? 443 },
    ...caBundle,
  };
}
