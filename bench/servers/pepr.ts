// Runs the Pepr module's bundle (BENCH_PEPR_BUNDLE, built by bench/lib/pepr.ts) in this process, as
// Pepr's own controller runs it (node_modules/pepr/dist/controller.js forks module-<hash>.js), plus the
// bench's exit-with-parent guard. Pepr reads its TLS files, API path and port from the environment
// (SSL_CERT_PATH, SSL_KEY_PATH, PEPR_API_PATH, PEPR_BENCH_PORT) and logs to stdout.
import { createRequire } from 'node:module';
import { exitWithParent } from './child.ts';

const bundle = process.env.BENCH_PEPR_BUNDLE;
if (!bundle) throw new Error('BENCH_PEPR_BUNDLE must name the Pepr module bundle');
exitWithParent();
createRequire(import.meta.url)(bundle);
