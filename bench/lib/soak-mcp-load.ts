// One proxy in front of server-everything over stdio (`mcp-operator proxy --transport stdio`), and a
// light, steady client load on it for the whole soak: an SDK client opens a session, makes a few
// `tools/call echo`, ends the session with DELETE, pauses, and again. Every failure is counted (and the
// first few kept), since the proxy must serve the whole run without one.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { repoRoot } from '../../controlplane/versions.ts';
import { freePort, httpGet, waitUntil } from '../../controlplane/wait.ts';
import { sumSamples } from '../../lib/prometheus-text.ts';
import type { SoakImage } from './soak-image.ts';

const EVERYTHING = fileURLToPath(
  import.meta.resolve('@modelcontextprotocol/server-everything/dist/index.js'),
);

export interface SoakProxy {
  /** The proxy process itself (server-everything is its child). */
  pid: number;
  url: URL;
  heapMiB(): Promise<number | undefined>;
  alive(): boolean;
  stop(): Promise<void>;
}

/**
 * Starts the proxy in its own process group, so stopping it ends server-everything too; as the image
 * runs it (its script and environment).
 */
export async function startSoakProxy(
  image: Pick<SoakImage, 'script' | 'env'> & { nodeFlags?: string[] },
): Promise<SoakProxy> {
  const port = await freePort();
  const node = path.join(repoRoot, 'node_modules/.bin/node');
  const child: ChildProcess = spawn(
    node,
    [
      ...(image.nodeFlags ?? []),
      image.script,
      'proxy',
      '--transport',
      'stdio',
      '--port',
      `${port}`,
      '--',
      node,
      EVERYTHING,
      'stdio',
    ],
    {
      cwd: repoRoot,
      stdio: 'ignore',
      detached: true,
      env: { ...process.env, ...image.env, LOG_LEVEL: 'warn' },
    },
  );
  let running = true;
  const exited = new Promise<string>((resolve) =>
    child.once('exit', (code, signal) => {
      running = false;
      resolve(`code ${code}, signal ${signal}`);
    }),
  );
  const base = `http://127.0.0.1:${port}`;
  await waitUntil(async () => (await httpGet(`${base}/health`)).status === 200, {
    what: 'the proxy',
    timeoutMs: 60_000,
    exited,
  });
  return {
    pid: child.pid!,
    url: new URL(`${base}/mcp`),
    async heapMiB() {
      const text = (await httpGet(`${base}/metrics`, undefined, 10_000)).body;
      if (!text.includes('nodejs_heap_size_used_bytes')) return undefined;
      return sumSamples(text, 'nodejs_heap_size_used_bytes') / 2 ** 20;
    },
    alive: () => running,
    async stop() {
      if (!running) return;
      process.kill(-child.pid!, 'SIGTERM');
      await exited;
    },
  };
}

export interface LoadCounts {
  sessions: number;
  calls: number;
  failedSessions: number;
  failedCalls: number;
  /** The first few failures' messages. */
  errors: string[];
}

export interface ClientLoad {
  counts: LoadCounts;
  /** Ends the loop after the session in progress. */
  stop(): Promise<void>;
}

/** Sessions of `callsPerSession` echoes, one after another, `pauseMs` apart, until stopped. */
export function startClientLoad(url: URL, o: { callsPerSession: number; pauseMs: number }): ClientLoad {
  const counts: LoadCounts = { sessions: 0, calls: 0, failedSessions: 0, failedCalls: 0, errors: [] };
  const note = (err: unknown) => {
    if (counts.errors.length < 10) counts.errors.push((err as Error).message ?? String(err));
  };
  let stopping = false;
  const session = async (n: number): Promise<void> => {
    const client = new Client({ name: 'soak', version: '1' });
    const transport = new StreamableHTTPClientTransport(url);
    try {
      await client.connect(transport);
    } catch (err) {
      counts.failedSessions++;
      note(err);
      return;
    }
    counts.sessions++;
    for (let i = 0; i < o.callsPerSession; i++) {
      const message = `soak-${n}-${i}`;
      counts.calls++;
      try {
        const result = await client.callTool({ name: 'echo', arguments: { message } });
        if (!JSON.stringify(result.content).includes(message)) throw new Error('echo did not come back');
      } catch (err) {
        counts.failedCalls++;
        note(err);
      }
    }
    await transport.terminateSession().catch(note);
    await client.close().catch(note);
  };
  const loop = (async () => {
    for (let n = 0; !stopping; n++) {
      await session(n);
      await sleep(o.pauseMs);
    }
  })();
  return {
    counts,
    async stop() {
      stopping = true;
      await loop;
    },
  };
}
