// The admission webhook as `mcp-operator webhook` builds it (createAdmissionHandlers, createWebhookApp with
// its metrics, startWebhookServer), with the default policy, an in-memory certificate and an in-memory
// ClusterLookup, run as a child of the fuzz test so that a crash or a leak shows. Protocol with the
// parent (fuzz-child.ts): TLS from FUZZ_TLS_CERT / FUZZ_TLS_KEY, the port as one JSON line on stdout,
// `{type: 'memory'}` over IPC answered with the memory after a full GC (run with --expose-gc), exit
// when the IPC channel closes (the parent is gone, even by SIGKILL).
import { InMemorySource } from '../../certs/memory-source.ts';
import { createLogger } from '../../lib/log.ts';
import { createAdmissionHandlers } from '../../webhook/handlers.ts';
import { defaultPolicy } from '../../webhook/policy.ts';
import { createWebhookApp, startWebhookServer } from '../../webhook/server.ts';
import { serveMemoryReports } from './child-memory.ts';
import { fuzzLookup as lookup } from './fuzz-lookup.ts';

const certPem = process.env.FUZZ_TLS_CERT;
const keyPem = process.env.FUZZ_TLS_KEY;
if (!certPem || !keyPem) throw new Error('FUZZ_TLS_CERT and FUZZ_TLS_KEY must hold PEM');

const log = createLogger('fuzz-webhook');
const handlers = createAdmissionHandlers({ lookup, policy: defaultPolicy });
const app = createWebhookApp({ ...handlers, log, readiness: () => [] });
const certificates = new InMemorySource({ certPem, keyPem }, log);
await certificates.start();
const server = await startWebhookServer(app, certificates, { port: 0, host: '127.0.0.1', log });
process.stdout.write(`${JSON.stringify({ port: server.port })}\n`);
serveMemoryReports(() => server.close());
