// Our admission webhooks as they run in production (createAdmissionHandlers, createWebhookApp with its
// metrics, startWebhookServer), with the default policy, an in-memory certificate and inMemoryLookup,
// on 127.0.0.1 and a port the system picks. Logs at LOG_LEVEL (info by default) go to stderr.
import { InMemorySource } from '../../certs/memory-source.ts';
import { createLogger } from '../../lib/log.ts';
import { createAdmissionHandlers } from '../../webhook/handlers.ts';
import { defaultPolicy } from '../../webhook/policy.ts';
import { createWebhookApp, startWebhookServer } from '../../webhook/server.ts';
import { announcePort, exitWithParent, tlsFromEnv } from './child.ts';
import { inMemoryLookup } from './in-memory-lookup.ts';

const log = createLogger('bench-webhook');
const handlers = createAdmissionHandlers({ lookup: inMemoryLookup, policy: defaultPolicy });
const app = createWebhookApp({ ...handlers, log, readiness: () => [] });
const certificates = new InMemorySource(tlsFromEnv(), log);
await certificates.start();
const server = await startWebhookServer(app, certificates, { port: 0, host: '127.0.0.1', log });
announcePort(server.port);
exitWithParent(() => server.close());
