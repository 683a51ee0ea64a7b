// Benchmark: tools/call (server-everything's echo) through three paths in the same run, on loopback:
//   direct      the SDK client speaking stdio to the server: the floor;
//   ours        mcp-operator proxy (stdio backend, one server process shared by all sessions), /mcp;
//   supergateway supergateway 4 --stateful streamableHttp (one server process per session: it cannot
//               share one stdio server between sessions).
// Prints latency p50/p99, throughput and the RSS of each path's processes (proxy or gateway plus the
// servers it runs) after the run, and for ours the RSS after opening and closing many sessions, so
// memory growth shows. Settings: PROXY_BENCH_SESSIONS (4), PROXY_BENCH_CALLS per session (500),
// PROXY_BENCH_CHURN sessions opened and closed (500). Run with `node bench/proxy.ts` or `make bench`.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { createHistogram } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';

const SESSIONS = Number(process.env.PROXY_BENCH_SESSIONS ?? 4);
const CALLS = Number(process.env.PROXY_BENCH_CALLS ?? 500);
const CHURN = Number(process.env.PROXY_BENCH_CHURN ?? 500);
const WARMUP_CALLS = 50;
const EVERYTHING = fileURLToPath(
  import.meta.resolve('@modelcontextprotocol/server-everything/dist/index.js'),
);
const SUPERGATEWAY = fileURLToPath(import.meta.resolve('supergateway/dist/index.js'));
const CLI = fileURLToPath(new URL('../cli/main.ts', import.meta.url));
const LOOPBACK_PRELOAD = new URL('../test/unit/proxy/support/loopback-listen.mjs', import.meta.url).href;
const serverCommand = `${process.execPath} ${EVERYTHING} stdio`;

interface Subject {
  name: string;
  /** A new client session; stdio spawns its own server, which is then part of the RSS. */
  transport(): Transport;
  /** Processes whose RSS counts for this path, children included. */
  pids(): number[];
  /** The MCP endpoint of an HTTP path. */
  url?: URL;
  stop(): Promise<void>;
}

/** Resident memory of pid and all its descendants, in MiB, from /proc. */
function treeRssMiB(roots: number[]): number {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // the process ended while we read
    }
  }
  const tree = new Set(roots);
  for (let grew = true; grew;) {
    grew = false;
    for (const [pid, ppid] of parents) {
      if (tree.has(ppid) && !tree.has(pid)) {
        tree.add(pid);
        grew = true;
      }
    }
  }
  let kib = 0;
  for (const pid of tree) {
    try {
      kib += Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
    } catch {
      // gone
    }
  }
  return kib / 1024;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function untilAnswering(url: string): Promise<void> {
  for (;;) {
    const res = await fetch(url).catch(() => undefined);
    if (res && res.status !== 503) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  return exited;
}

function directSubject(): Subject {
  const transports: StdioClientTransport[] = [];
  return {
    name: 'direct stdio',
    transport() {
      const t = new StdioClientTransport({
        command: process.execPath,
        args: [EVERYTHING, 'stdio'],
        stderr: 'ignore',
      });
      transports.push(t);
      return t;
    },
    pids: () => transports.map((t) => t.pid).filter((p): p is number => p !== null),
    stop: () => Promise.resolve(),
  };
}

async function httpSubject(
  name: string,
  args: string[],
  healthPath: string,
  mcpPath: string,
): Promise<Subject> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    args.map((a) => a.replace('$PORT', String(port))),
    {
      stdio: 'ignore',
      env: { ...process.env, LOG_LEVEL: 'warn', NODE_OPTIONS: `--import ${LOOPBACK_PRELOAD}` },
    },
  );
  await untilAnswering(`http://127.0.0.1:${port}${healthPath}`);
  const url = new URL(`http://127.0.0.1:${port}${mcpPath}`);
  return {
    name,
    url,
    transport: () => new StreamableHTTPClientTransport(url),
    pids: () => [child.pid!],
    stop: () => stopChild(child),
  };
}

const oursSubject = () =>
  httpSubject(
    'mcp-operator proxy',
    [CLI, 'proxy', '--transport', 'stdio', '--port', '$PORT', '--', process.execPath, EVERYTHING, 'stdio'],
    '/health',
    '/mcp',
  );
const supergatewaySubject = () =>
  httpSubject(
    'supergateway',
    [
      SUPERGATEWAY,
      '--stdio',
      serverCommand,
      '--outputTransport',
      'streamableHttp',
      '--stateful',
      '--port',
      '$PORT',
      '--logLevel',
      'none',
      '--healthEndpoint',
      '/healthz',
    ],
    '/healthz',
    '/mcp',
  );

interface Figures {
  p50Ms: number;
  p99Ms: number;
  perSecond: number;
  rssMiB: number;
}

async function measure(subject: Subject): Promise<Figures> {
  const clients = await Promise.all(
    Array.from({ length: SESSIONS }, async () => {
      const client = new Client({ name: 'bench', version: '1' });
      await client.connect(subject.transport());
      return client;
    }),
  );
  const call = (c: Client, i: number) => c.callTool({ name: 'echo', arguments: { message: `m${i}` } });
  await Promise.all(
    clients.map(async (c) => {
      for (let i = 0; i < WARMUP_CALLS; i++) await call(c, i);
    }),
  );
  const histogram = createHistogram();
  const started = performance.now();
  await Promise.all(
    clients.map(async (c) => {
      for (let i = 0; i < CALLS; i++) {
        const t0 = process.hrtime.bigint();
        await call(c, i);
        histogram.record(process.hrtime.bigint() - t0);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const rssMiB = treeRssMiB(subject.pids());
  await Promise.all(clients.map((c) => c.close()));
  return {
    p50Ms: histogram.percentile(50) / 1e6,
    p99Ms: histogram.percentile(99) / 1e6,
    perSecond: (SESSIONS * CALLS) / seconds,
    rssMiB,
  };
}

/** RSS of our proxy after opening, using and closing CHURN sessions: flat means nothing is kept. */
async function churn(subject: Subject): Promise<number[]> {
  const samples = [treeRssMiB(subject.pids())];
  for (let round = 0; round < 4; round++) {
    for (let i = 0; i < CHURN / 4; i++) {
      const client = new Client({ name: 'churn', version: '1' });
      const transport = new StreamableHTTPClientTransport(subject.url!);
      await client.connect(transport);
      await client.callTool({ name: 'echo', arguments: { message: 'x' } });
      await transport.terminateSession();
      await client.close();
    }
    samples.push(treeRssMiB(subject.pids()));
  }
  return samples;
}

const fmt = (n: number, digits = 2) => n.toFixed(digits).padStart(9);

async function main(): Promise<void> {
  console.log(
    `proxy bench: ${SESSIONS} sessions x ${CALLS} tools/call (echo), after ${WARMUP_CALLS} warm-up calls each`,
  );
  console.log(
    `${'path'.padEnd(20)}${'p50 ms'.padStart(9)}${'p99 ms'.padStart(9)}${'calls/s'.padStart(9)}${'RSS MiB'.padStart(9)}`,
  );
  for (const make of [() => Promise.resolve(directSubject()), oursSubject, supergatewaySubject]) {
    const subject = await make();
    try {
      const f = await measure(subject);
      console.log(
        `${subject.name.padEnd(20)}${fmt(f.p50Ms)}${fmt(f.p99Ms)}${fmt(f.perSecond, 0)}${fmt(f.rssMiB, 1)}`,
      );
      if (subject.name === 'mcp-operator proxy') {
        const samples = await churn(subject);
        console.log(
          `  RSS of proxy + server while opening and closing ${CHURN} sessions, MiB: ${samples.map((s) => s.toFixed(1)).join(' -> ')}`,
        );
      }
    } finally {
      await subject.stop();
    }
  }
}

await main();
