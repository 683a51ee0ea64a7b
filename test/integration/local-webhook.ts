// Runs our admission webhooks in this process and registers them with the shared control plane the way
// `mcp-operator run` does locally: the production webhook configurations, with the clientConfig
// rewritten to a loopback URL and the CA made for it (as controller-runtime's envtest does).
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { createLocalDevSource } from '../../certs/memory-source.ts';
import type { CertificateSource } from '../../certs/source.ts';
import { silentLogger } from '../../lib/log.ts';
import { startAdmissionLookup, waitUntilReady } from '../../webhook/admission-lookup.ts';
import {
  desiredMutatingWebhookConfiguration,
  desiredValidatingWebhookConfiguration,
} from '../../webhook/configuration.ts';
import { createAdmissionHandlers } from '../../webhook/handlers.ts';
import { type AdmissionPolicy, defaultPolicy } from '../../webhook/policy.ts';
import { createWebhookApp, startWebhookServer, type WebhookServerHandle } from '../../webhook/server.ts';
import { freePort } from '../../controlplane/wait.ts';
import { adminKubeClient, adminKubeConfig } from './harness.ts';

export interface LocalWebhook {
  port: number;
  /** Stops serving (the configurations stay registered, as when the operator is down). */
  stop(): Promise<void>;
  /** Serves again on the same port with the same certificate. */
  start(): Promise<void>;
  /** Stops serving and removes the configurations. */
  remove(): Promise<void>;
}

export interface LocalWebhookOptions {
  policy?: () => AdmissionPolicy;
  /**
   * Where the serving certificate comes from. Default: a local CA whose bundle goes into the
   * configurations. Given a source, the configurations start with no caBundle and the source is
   * expected to publish one (the self-managed mode); it is started after they exist.
   */
  certificates?: CertificateSource;
}

async function localDevCertificates(): Promise<{ certs: CertificateSource; caPem: string }> {
  const caFile = path.join(mkdtempSync(path.join(tmpdir(), 'mcp-webhook-')), 'ca.crt');
  const certs = await createLocalDevSource({ caFile }, silentLogger());
  await certs.start();
  return { certs, caPem: readFileSync(caFile, 'utf8') };
}

export async function startLocalWebhook(name: string, opts: LocalWebhookOptions = {}): Promise<LocalWebhook> {
  const log = silentLogger();
  const policy = opts.policy ?? defaultPolicy;
  const { certs, caPem } = opts.certificates
    ? { certs: opts.certificates, caPem: undefined }
    : await localDevCertificates();
  // What the webhook server reads in production: Secrets, ConfigMaps, namespace labels, the requester.
  const client = await adminKubeClient();
  const reads = startAdmissionLookup(client, log);
  await waitUntilReady(reads);
  const handlers = createAdmissionHandlers({ lookup: reads.lookup, policy });
  const app = createWebhookApp({ ...handlers, log, readiness: () => [] });
  // The port is chosen before the certificate source starts, so the configurations can name it.
  const port = await freePort();
  const admission = adminKubeConfig().makeApiClient(k8s.AdmissionregistrationV1Api);
  const options = {
    name,
    operatorNamespace: 'mcp-operator-system',
    target: { kind: 'url' as const, port },
    caBundlePem: caPem,
  };
  await admission.createValidatingWebhookConfiguration({
    body: desiredValidatingWebhookConfiguration(options),
  });
  await admission.createMutatingWebhookConfiguration({ body: desiredMutatingWebhookConfiguration(options) });
  if (opts.certificates) await certs.start();
  let server: WebhookServerHandle | undefined = await startWebhookServer(app, certs, {
    port,
    host: '127.0.0.1',
    log,
  });

  const stop = async (): Promise<void> => {
    await server?.close();
    server = undefined;
  };
  return {
    port,
    stop,
    async start() {
      server ??= await startWebhookServer(app, certs, { port, host: '127.0.0.1', log });
    },
    async remove() {
      await stop();
      await Promise.all([certs.stop(), reads.stop()]);
      client.close();
      const v = desiredValidatingWebhookConfiguration(options).metadata!.name!;
      const m = desiredMutatingWebhookConfiguration(options).metadata!.name!;
      await admission.deleteValidatingWebhookConfiguration({ name: v }).catch(() => undefined);
      await admission.deleteMutatingWebhookConfiguration({ name: m }).catch(() => undefined);
    },
  };
}
