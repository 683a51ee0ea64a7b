// The MCP conformance suite (@modelcontextprotocol/conformance, `server` mode) against server-everything
// directly (its streamableHttp mode) and through the proxy (stdio backend on the same server; HTTP
// backend in front of the direct one). The suite is written for its own test server, so against
// server-everything many scenarios fail either way (missing test tools, prompts, resources); what is
// checked is that the proxy adds no failure: every scenario that passes directly passes through it.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect } from 'chai';
import type { StartedProxy } from '../../../../proxy/proxy.ts';
import {
  EVERYTHING,
  nodeCommand,
  startHttpEverything,
  startProxyFor,
  untilHealthy,
  type RunningServer,
} from '../support/servers.ts';

const CONFORMANCE = fileURLToPath(import.meta.resolve('@modelcontextprotocol/conformance/dist/index.js'));

interface ScenarioResult {
  passed: number;
  failed: number;
}

/** The suite's summary lines, e.g. `✗ tools-call-image: 0 passed, 1 failed`, by scenario. */
export function parseSummary(output: string): Map<string, ScenarioResult> {
  const results = new Map<string, ScenarioResult>();
  for (const match of output.matchAll(/^[✓✗] ([\w-]+): (\d+) passed, (\d+) failed$/gmu)) {
    results.set(match[1]!, { passed: Number(match[2]), failed: Number(match[3]) });
  }
  return results;
}

/** Runs every server scenario against url; the suite exits 1 when any fails, so its code is ignored. */
async function runSuite(url: string, cwd: string): Promise<Map<string, ScenarioResult>> {
  const output = await promisify(execFile)(process.execPath, [CONFORMANCE, 'server', '--url', url], {
    cwd,
    maxBuffer: 16 * 1024 * 1024,
  }).catch((err: { stdout?: string }) => ({ stdout: err.stdout ?? '' }));
  return parseSummary(output.stdout);
}

const passing = (results: Map<string, ScenarioResult>) =>
  [...results].filter(([, r]) => r.failed === 0 && r.passed > 0).map(([name]) => name);

describe('MCP conformance suite through the proxy', function () {
  this.timeout(120_000);
  let server: RunningServer;
  let stdioProxy: StartedProxy;
  let httpProxy: StartedProxy;
  let resultsDir: string;
  let direct: Map<string, ScenarioResult>;

  before(async () => {
    // The suite writes results/ under its working directory.
    resultsDir = await mkdtemp(join(tmpdir(), 'mcp-conformance-'));
    server = await startHttpEverything('streamableHttp');
    stdioProxy = await startProxyFor('stdio', {
      kind: 'command',
      command: nodeCommand(EVERYTHING, 'stdio'),
    });
    httpProxy = await startProxyFor('streamable-http', { kind: 'http', url: server.url });
    await Promise.all([untilHealthy(stdioProxy.url), untilHealthy(httpProxy.url)]);
    direct = await runSuite(server.url, resultsDir);
  });
  after(async () => {
    await stdioProxy?.close();
    await httpProxy?.close();
    await server?.close();
    if (resultsDir) await rm(resultsDir, { recursive: true, force: true });
  });

  it('runs scenarios directly, some of which pass', () => {
    expect(direct.size).to.be.greaterThan(10);
    expect(passing(direct)).to.include.members(['server-initialize', 'tools-list', 'tools-call-simple-text']);
  });

  for (const backend of ['stdio', 'streamable-http'] as const) {
    it(`passes through the proxy (${backend} backend) every scenario that passes directly`, async () => {
      const proxy = backend === 'stdio' ? stdioProxy : httpProxy;
      const through = await runSuite(`${proxy.url}/mcp`, resultsDir);
      const lost = passing(direct).filter((name) => !passing(through).includes(name));
      expect(lost, `scenarios failing only through the proxy`).to.deep.equal([]);
    });
  }
});
