// The MCP conformance suite (@modelcontextprotocol/conformance, `server` mode, every scenario) against a
// URL, for bench/toolhive-proxy.ts: the conformance server directly, through our proxy and through
// ToolHive's proxy runner. The suite runs through test/support/conformance-suite.ts, the runner
// test/unit/proxy/e2e/conformance.test.ts uses too (the whole suite under a deadline, then each scenario it
// did not reach alone under its own); each scenario's checks.json is summed up here: a scenario passes with
// a successful check and no failed or warned one.
import {
  listScenarios,
  runSuite as runConformance,
  scenarioOf,
  SCENARIO_MS,
  type Check,
} from '../../test/support/conformance-suite.ts';

export { listScenarios, scenarioOf, type Check };

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

/** Every scenario against url; a scenario missing from the map did not finish within SCENARIO_MS. */
export const runSuite = (url: string, scenarios: string[]): Promise<Map<string, Outcome>> =>
  runConformance(url, scenarios, outcome);

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
