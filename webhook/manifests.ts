// The admission webhooks' cluster objects for an in-cluster install, in either certificate mode (pure):
// - self-managed: the two webhook configurations with no caBundle; the operator writes it (certs/).
// - cert-manager: a self-signed Issuer, a CA Certificate, a CA Issuer and the serving Certificate, and
//   webhook configurations annotated with cert-manager.io/inject-ca-from so cainjector fills caBundle;
//   the operator mounts the serving Secret and reloads it when it changes (certs/file-source.ts).
import { serviceDnsNames } from '../lib/service-names.ts';
import {
  desiredMutatingWebhookConfiguration,
  desiredValidatingWebhookConfiguration,
} from './configuration.ts';

export type CertificateMode = 'self-managed' | 'cert-manager';

export interface WebhookManifestOptions {
  /** Prefix of every object's name (the Helm release's full name in the chart). */
  name: string;
  namespace: string;
  mode: CertificateMode;
  timeoutSeconds?: number;
}

type KubeObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; annotations?: Record<string, string> };
} & Record<string, unknown>;

export function webhookServiceName(name: string): string {
  return `${name}-webhook`;
}

export function servingSecretName(name: string): string {
  return `${name}-webhook-tls`;
}

function certManagerObjects(o: WebhookManifestOptions): KubeObject[] {
  const meta = (suffix: string) => ({ name: `${o.name}-${suffix}`, namespace: o.namespace });
  return [
    {
      apiVersion: 'cert-manager.io/v1',
      kind: 'Issuer',
      metadata: meta('selfsigned'),
      spec: { selfSigned: {} },
    },
    {
      apiVersion: 'cert-manager.io/v1',
      kind: 'Certificate',
      metadata: meta('webhook-ca'),
      spec: {
        isCA: true,
        commonName: `${o.name}-webhook-ca`,
        secretName: `${o.name}-webhook-ca`,
        duration: '17520h', // 2 years, as the self-managed CA
        privateKey: { algorithm: 'ECDSA', size: 256, rotationPolicy: 'Always' },
        issuerRef: { name: `${o.name}-selfsigned`, kind: 'Issuer', group: 'cert-manager.io' },
      },
    },
    {
      apiVersion: 'cert-manager.io/v1',
      kind: 'Issuer',
      metadata: meta('webhook-ca'),
      spec: { ca: { secretName: `${o.name}-webhook-ca` } },
    },
    {
      apiVersion: 'cert-manager.io/v1',
      kind: 'Certificate',
      metadata: meta('webhook-serving'),
      spec: {
        secretName: servingSecretName(o.name),
        dnsNames: serviceDnsNames(webhookServiceName(o.name), o.namespace),
        duration: '2160h', // 90 days, renewed at 2/3 as the self-managed serving certificate
        renewBefore: '720h',
        privateKey: { rotationPolicy: 'Always' },
        usages: ['server auth', 'digital signature', 'key encipherment'],
        issuerRef: { name: `${o.name}-webhook-ca`, kind: 'Issuer', group: 'cert-manager.io' },
      },
    },
  ];
}

/** Every object of the webhooks' install, in apply order. */
export function webhookManifests(o: WebhookManifestOptions): KubeObject[] {
  const configOptions = {
    name: o.name,
    operatorNamespace: o.namespace,
    target: { kind: 'service' as const, name: webhookServiceName(o.name), namespace: o.namespace, port: 443 },
    timeoutSeconds: o.timeoutSeconds,
  };
  const configurations = [
    desiredValidatingWebhookConfiguration(configOptions),
    desiredMutatingWebhookConfiguration(configOptions),
  ] as unknown as KubeObject[];
  if (o.mode === 'self-managed') return configurations;
  const injectFrom = { 'cert-manager.io/inject-ca-from': `${o.namespace}/${o.name}-webhook-serving` };
  for (const c of configurations) c.metadata.annotations = { ...c.metadata.annotations, ...injectFrom };
  return [...certManagerObjects(o), ...configurations];
}
