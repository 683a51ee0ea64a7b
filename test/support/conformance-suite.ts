// The MCP conformance suite (@modelcontextprotocol/conformance, `server` mode) run against a URL, each
// scenario's checks.json read back: the runner that test/unit/proxy/e2e/conformance.test.ts and
// bench/toolhive-proxy.ts share. How a scenario's checks count is the caller's (`read`).
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const CONFORMANCE = fileURLToPath(import.meta.resolve('@modelcontextprotocol/conformance/dist/index.js'));
const run = promisify(execFile);

/** One check of a scenario's checks.json. */
export interface Check {
  name: string;
  status: 'SUCCESS' | 'FAILURE' | 'WARNING' | 'INFO' | 'SKIPPED';
  description: string;
  errorMessage?: string;
  details?: { message?: unknown };
}

/**
 * The suite has no deadline of its own (a POST whose answer never starts waits forever), so a run is
 * stopped after SUITE_MS (all scenarios take about 3 s here) and each scenario it did not reach is run on
 * its own for up to SCENARIO_MS (the SSE polling scenario waits up to 15 s by itself).
 */
export const SUITE_MS = 30_000;
export const SCENARIO_MS = 20_000;

/** The suite's result directories are named server-<scenario>-<ISO time with dashes>. */
const RESULT_DIR = /^server-([\w-]+?)-\d{4}-\d\d-\d\dT[\d-]+Z$/u;

export function scenarioOf(dirName: string): string | undefined {
  return RESULT_DIR.exec(dirName)?.[1];
}

/** The server scenarios the suite has (`list --server` prints `  - name [versions]`). */
export async function listScenarios(): Promise<string[]> {
  const { stdout } = await run(process.execPath, [CONFORMANCE, 'list', '--server']);
  return [...stdout.matchAll(/^ {2}- ([\w-]+)/gmu)].map((match) => match[1]!);
}

/** Runs the suite with `args` and reads the checks.json of each scenario it finished. */
async function runChecks<T>(
  args: string[],
  timeout: number,
  read: (checks: Check[]) => T,
  into: Map<string, T>,
): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'mcp-conformance-'));
  try {
    const options = { cwd: dir, timeout, maxBuffer: 16 * 1024 * 1024 };
    await run(process.execPath, [CONFORMANCE, 'server', ...args, '--output-dir', dir], options).catch(
      () => undefined,
    );
    for (const entry of await readdir(dir)) {
      const scenario = scenarioOf(entry);
      if (scenario === undefined) continue;
      // The directory is made when the scenario starts, checks.json when it ends.
      const written = await readFile(join(dir, entry, 'checks.json'), 'utf8').catch(() => undefined);
      if (written !== undefined) into.set(scenario, read(JSON.parse(written) as Check[]));
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Every scenario against url (the suite's exit code is ignored: the checks tell); a scenario missing from
 * the map did not finish within SCENARIO_MS.
 */
export async function runSuite<T>(
  url: string,
  scenarios: string[],
  read: (checks: Check[]) => T,
): Promise<Map<string, T>> {
  const results = new Map<string, T>();
  await runChecks(['--url', url, '--suite', 'all'], SUITE_MS, read, results);
  for (const name of scenarios.filter((scenario) => !results.has(scenario)))
    await runChecks(['--url', url, '--scenario', name], SCENARIO_MS, read, results);
  return results;
}
