// The Pepr module bench/webhook.ts measures: the entry point `pepr init` generates, with one capability.
// Plain JavaScript rather than TypeScript (which Pepr modules usually are, and which esbuild would strip
// the same way) because the project's type check covers bench/ and `pepr` is installed here, by the bench,
// only when it runs: a checkout without bench/pepr/node_modules must still type-check.
/* global process */
import { PeprModule } from 'pepr';
import cfg from './package.json';
import { McpServerPolicy } from './capabilities/mcpserver-policy.js';

// deferStart so the bench chooses the port (Pepr's default, 3000, may be taken on a shared machine).
const module = new PeprModule(cfg, [McpServerPolicy], { deferStart: true });
module.start(Number(process.env.PEPR_BENCH_PORT ?? 3000));
