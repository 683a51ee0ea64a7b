// Property-based fuzzing of the proxy's bearer-token checks (issue 15): `mcp-operator proxy --config`
// in a child process with an `auth` section, in front of server-everything over stdio, its issuer (JWKS
// and introspection) served by this test on loopback. Generated Authorization headers (token-cases.ts)
// go to /mcp 8 at a time; each answer must be one its case allows, 401 and 403 with a WWW-Authenticate
// naming the metadata and a JSON-RPC error body (503 only for introspected ones); never a 500. Afterwards the proxy must be alive and
// serve a good token. Bounded: FUZZ_TOKEN_RUNS requests (400 by default, seconds). FUZZ_SEED replays.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import fc from 'fast-check';
import { CompactSign, exportJWK, generateKeyPair } from 'jose';
import { Pool } from 'undici';
import type { RunConfigFile } from '../../proxy/config.ts';
import { fuzzSeed, spawnFuzzChild, type FuzzChild } from './fuzz-child.ts';
import { tokenCaseArbitrary, type Signer, type TokenCase } from './token-cases.ts';

const DEFAULT_SEED = 20_261_215;
const CONCURRENCY = 8;
const AUDIENCE = 'mcp-fuzz';
const EVERYTHING = fileURLToPath(
  import.meta.resolve('@modelcontextprotocol/server-everything/dist/index.js'),
);
const INITIALIZE = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'fuzz', version: '1' } },
});

const startedPort = (line: string): number | undefined =>
  line.includes('Started MCP proxy') ? (JSON.parse(line) as { port: number }).port : undefined;

describe('MCP proxy authentication under generated hostile tokens', function () {
  this.timeout(120_000);
  const seed = fuzzSeed(DEFAULT_SEED);
  const runs = Number(process.env.FUZZ_TOKEN_RUNS ?? 400);
  const counts = new Map<string, number>();
  let issuer: Server;
  let issuerUrl: string;
  let sign: Signer;
  let dir: string;
  let proxy: FuzzChild;
  let pool: Pool;

  before(async () => {
    const { publicKey, privateKey } = await generateKeyPair('ES256');
    const jwks = JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256' }] });
    let introspections = 0;
    issuer = createServer((req, res) => {
      if (req.url === '/jwks')
        return void res.writeHead(200, { 'content-type': 'application/json' }).end(jwks);
      // Introspection answers vary: inactive, not JSON, an error status.
      const answers = ['{"active":false}', 'not json', '{"active":"true"}'];
      if (req.url === '/introspect' && introspections++ % 4 !== 3)
        return void res.writeHead(200).end(answers[introspections % answers.length]);
      res.writeHead(500).end();
    });
    await new Promise<void>((resolve) => issuer.listen(0, '127.0.0.1', resolve));
    issuerUrl = `http://127.0.0.1:${(issuer.address() as { port: number }).port}`;
    // CompactSign over the JSON text: SignJWT would structuredClone the claims, and a bomb overflows that.
    sign = (claims, header) =>
      new CompactSign(new TextEncoder().encode(JSON.stringify(claims)))
        .setProtectedHeader({ alg: 'ES256', ...header })
        .sign(privateKey);
    dir = await mkdtemp(join(tmpdir(), 'token-fuzz-'));
    const config: RunConfigFile = {
      version: 1,
      server: { name: 'fuzz', namespace: 'fuzz' },
      transport: 'stdio',
      proxyPort: 0,
      host: '127.0.0.1',
      target: { kind: 'command', command: [process.execPath, EVERYTHING, 'stdio'] },
      auth: {
        issuer: issuerUrl,
        audiences: [AUDIENCE],
        resourceUrl: 'http://127.0.0.1/mcp',
        scopesSupported: ['mcp:tools'],
        requiredScopes: ['mcp:tools'],
        jwksUrl: `${issuerUrl}/jwks`,
        introspectionUrl: `${issuerUrl}/introspect`,
        insecureAllowHTTP: true,
      },
    };
    await writeFile(join(dir, 'runconfig.json'), JSON.stringify(config));
    const main = fileURLToPath(new URL('../../cli/main.ts', import.meta.url));
    proxy = await spawnFuzzChild({
      args: ['--no-warnings=ExperimentalWarning', main, 'proxy', '--config', join(dir, 'runconfig.json')],
      portFrom: startedPort,
    });
    pool = new Pool(`http://127.0.0.1:${proxy.port}`, { connections: CONCURRENCY });
    console.log(`    seed ${seed} (FUZZ_SEED to replay), ${runs} generated requests (FUZZ_TOKEN_RUNS)`);
  });

  after(async () => {
    await pool?.close();
    await proxy?.stop();
    await new Promise((resolve) => issuer?.close(resolve));
    await rm(dir, { recursive: true, force: true });
    console.log(
      `    answers by case: ${[...counts.entries()]
        .sort()
        .map(([k, v]) => `${k}=${v}`)
        .join(', ')}`,
    );
  });

  const post = async (authorization: string) => {
    const res = await pool.request({
      path: '/mcp',
      method: 'POST',
      headers: {
        authorization,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      },
      body: INITIALIZE,
    });
    return {
      status: res.statusCode,
      challenge: res.headers['www-authenticate'],
      text: await res.body.text(),
    };
  };

  const judge = async (c: TokenCase): Promise<string | undefined> => {
    const header = typeof c.header === 'string' ? c.header : await c.header(sign);
    const answer = await post(header).catch((err: Error) => ({
      status: 0,
      challenge: undefined,
      text: err.message,
    }));
    counts.set(`${c.label}:${answer.status}`, (counts.get(`${c.label}:${answer.status}`) ?? 0) + 1);
    const shown = `${c.label} ${header.slice(0, 120)}${header.length > 120 ? '...' : ''}`;
    // A token that is not JWT-shaped goes to introspection, which this issuer answers badly on purpose
    // (errors, not JSON): 503 is right for those, and only for those.
    const token = /^Bearer +(\S+)$/i.exec(header)?.[1];
    const introspected = token !== undefined && !/^[\w-]+\.[\w-]+\.[\w-]+$/.test(token);
    const statuses = [...c.statuses, ...(introspected ? [503] : [])];
    // Node's 16 KiB header limit (431) may catch a large bomb before the proxy sees it.
    if (header.length > 15_000) statuses.push(431);
    if (!statuses.includes(answer.status))
      return `${shown}: status ${answer.status} ${answer.text.slice(0, 200)}`;
    if (answer.status === 401 || answer.status === 403) {
      if (!String(answer.challenge).startsWith('Bearer resource_metadata="http://127.0.0.1/.well-known/'))
        return `${shown}: challenge ${String(answer.challenge)}`;
      if (!(JSON.parse(answer.text) as { error?: { code?: unknown } }).error?.code)
        return `${shown}: body ${answer.text}`;
    }
    return undefined;
  };

  it('answers generated Authorization headers with 200, 401, 403 or 431, never 500', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(tokenCaseArbitrary(issuerUrl, AUDIENCE), { minLength: CONCURRENCY, maxLength: CONCURRENCY }),
        async (cases) => {
          const problems = (await Promise.all(cases.map(judge))).filter((p) => p !== undefined);
          if (problems.length > 0) throw new Error(problems.join('\n'));
        },
      ),
      { seed, numRuns: Math.ceil(runs / CONCURRENCY), endOnFailure: process.env.FUZZ_SHRINK === undefined },
    );
    expect(
      [...counts.keys()].some((k) => k.startsWith('signed:200')),
      'some generated tokens were accepted',
    ).to.equal(true);
  });

  it('is still alive and accepts a good token', async () => {
    expect(proxy.alive(), `proxy exited:\n${proxy.logTail().join('\n')}`).to.equal(true);
    const token = await sign(
      {
        iss: issuerUrl,
        aud: AUDIENCE,
        sub: 'after',
        exp: Math.floor(Date.now() / 1000) + 600,
        scope: 'mcp:tools',
      },
      { kid: 'k1' },
    );
    const answer = await post(`Bearer ${token}`);
    expect(answer.status, answer.text).to.equal(200);
    expect(proxy.errorLines(), proxy.logTail().join('\n')).to.equal(0);
  });
});
