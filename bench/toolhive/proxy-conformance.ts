// The MCP conformance suite (@modelcontextprotocol/conformance, `server` mode, every scenario) against a
// URL, for bench/toolhive-proxy.ts: the conformance server directly, through our proxy and through
// ToolHive's proxy runner. The suite is run as test/unit/proxy/e2e/conformance.test.ts runs it (the whole
// suite under a deadline, then each scenario it did not reach alone under its own), and each scenario's
// checks.json is summed up: a scenario passes with a successful check and no failed or warned one.
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const CONFORMANCE = fileURLToPath(import.meta.resolve('@modelcontextprotocol/conformance/dist/index.js'));
const run = promisify(execFile);
const SUITE_MS = 30_000;
const SCENARIO_MS = 20_000;

export interface Check {
  name: string;
  status: 'SUCCESS' | 'FAILURE' | 'WARNING' | 'INFO' | 'SKIPPED';
  description: string;
  errorMessage?: string;
}

/**
 * One scenario's result: its successful checks, each failed or warned check with its message, and the
 * names of its informational checks (a check turns INFO where the specification leaves the server a
 * choice: ours answers a short request with plain JSON where the SDK's servers stream it, for one).
 */
export interface Outcome {
  passed: number;
  problems: string[];
  infos: string[];
}

export function outcome(checks: Check[]): Outcome {
  return {
    passed: checks.filter((c) => c.status === 'SUCCESS').length,
    problems: checks
      .filter((c) => c.status === 'FAILURE' || c.status === 'WARNING')
      .map((c) => `${c.status} ${c.name}: ${(c.errorMessage ?? c.description).slice(0, 200)}`),
    infos: checks.filter((c) => c.status === 'INFO').map((c) => c.name),
  };
}

/** The suite's result directories: server-<scenario>-<ISO time with dashes>. */
const RESULT_DIR = /^server-([\w-]+?)-\d{4}-\d\d-\d\dT[\d-]+Z$/u;

export function scenarioOf(dirName: string): string | undefined {
  return RESULT_DIR.exec(dirName)?.[1];
}

/** The server scenarios the suite has (`list --server` prints `  - name [versions]`). */
export async function listScenarios(): Promise<string[]> {
  const { stdout } = await run(process.execPath, [CONFORMANCE, 'list', '--server']);
  return [...stdout.matchAll(/^ {2}- ([\w-]+)/gmu)].map((match) => match[1]!);
}

async function runChecks(args: string[], timeout: number, into: Map<string, Outcome>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-conformance-'));
  try {
    const options = { cwd: dir, timeout, maxBuffer: 16 * 1024 * 1024 };
    await run(process.execPath, [CONFORMANCE, 'server', ...args, '--output-dir', dir], options).catch(
      () => undefined,
    );
    for (const entry of await readdir(dir)) {
      const scenario = scenarioOf(entry);
      if (scenario === undefined) continue;
      const written = await readFile(join(dir, entry, 'checks.json'), 'utf8').catch(() => undefined);
      if (written !== undefined) into.set(scenario, outcome(JSON.parse(written) as Check[]));
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Every scenario against url; a scenario missing from the map did not finish within SCENARIO_MS. */
export async function runSuite(url: string, scenarios: string[]): Promise<Map<string, Outcome>> {
  const results = new Map<string, Outcome>();
  await runChecks(['--url', url, '--suite', 'all'], SUITE_MS, results);
  for (const name of scenarios.filter((s) => !results.has(s)))
    await runChecks(['--url', url, '--scenario', name], SCENARIO_MS, results);
  return results;
}

export interface SuiteSummary {
  scenarios: number;
  passedScenarios: number;
  passedChecks: number;
  /** Each scenario that did not pass: `name (n passed): problems`, or `name: unfinished`. */
  failing: string[];
  /** Informational checks, `scenario/check`, that `baseline` (the server directly) does not have. */
  newInfos: string[];
}

export function summarize(
  scenarios: string[],
  results: Map<string, Outcome>,
  baseline: Map<string, Outcome> = results,
): SuiteSummary {
  const failing = scenarios.flatMap((name) => {
    const result = results.get(name);
    if (!result) return [`${name}: unfinished after ${SCENARIO_MS / 1000} s`];
    if (result.passed > 0 && result.problems.length === 0) return [];
    return [`${name} (${result.passed} passed): ${result.problems.join('; ') || 'no successful check'}`];
  });
  const passedChecks = [...results.values()].reduce((sum, r) => sum + r.passed, 0);
  const newInfos = scenarios.flatMap((name) => {
    const before = new Set(baseline.get(name)?.infos ?? []);
    return (results.get(name)?.infos ?? []).filter((i) => !before.has(i)).map((i) => `${name}/${i}`);
  });
  return {
    scenarios: scenarios.length,
    passedScenarios: scenarios.length - failing.length,
    passedChecks,
    failing,
    newInfos,
  };
}
