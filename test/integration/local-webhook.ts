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
import { createClusterLookup } from '../../webhook/cluster-lookup.ts';
import {
  desiredMutatingWebhookConfiguration,
  desiredValidatingWebhookConfiguration,
} from '../../webhook/configuration.ts';
import { createAdmissionHandlers } from '../../webhook/handlers.ts';
import { type AdmissionPolicy, defaultPolicy } from '../../webhook/policy.ts';
import { createWebhookApp, startWebhookServer, type WebhookServerHandle } from '../../webhook/server.ts';
import { adminKubeConfig, controlPlane } from './harness.ts';

export interface LocalWebhook {
  port: number;
  caPem: string;
  /** Stops serving (the configurations stay registered, as when the operator is down). */
  stop(): Promise<void>;
  /** Serves again on the same port with the same certificate. */
  start(): Promise<void>;
  /** Stops serving and removes the configurations. */
  remove(): Promise<void>;
}

export async function startLocalWebhook(
  name: string,
  policy: () => AdmissionPolicy = defaultPolicy,
): Promise<LocalWebhook> {
  const log = silentLogger();
  const caFile = path.join(mkdtempSync(path.join(tmpdir(), 'mcp-webhook-')), 'ca.crt');
  const certs: CertificateSource = await createLocalDevSource({ caFile }, log);
  await certs.start();
  const caPem = readFileSync(caFile, 'utf8');
  const handlers = createAdmissionHandlers({
    lookup: await createClusterLookup(controlPlane().kubeconfig),
    policy,
  });
  const app = createWebhookApp({ ...handlers, log, readiness: () => [] });
  let server: WebhookServerHandle | undefined = await startWebhookServer(app, certs, {
    port: 0,
    host: '127.0.0.1',
    log,
  });
  const port = server.port;

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

  const stop = async (): Promise<void> => {
    await server?.close();
    server = undefined;
  };
  return {
    port,
    caPem,
    stop,
    async start() {
      server ??= await startWebhookServer(app, certs, { port, host: '127.0.0.1', log });
    },
    async remove() {
      await stop();
      await certs.stop();
      const v = desiredValidatingWebhookConfiguration(options).metadata!.name!;
      const m = desiredMutatingWebhookConfiguration(options).metadata!.name!;
      await admission.deleteValidatingWebhookConfiguration({ name: v }).catch(() => undefined);
      await admission.deleteMutatingWebhookConfiguration({ name: m }).catch(() => undefined);
    },
  };
}
