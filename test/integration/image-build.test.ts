// The Dockerfile, carried out step by step without a container engine (none runs here): its build stage's
// COPY and RUN lines in an empty folder, then only what the final stage copies out of it, run as the
// image's non-root user with the image's entry point. What it catches is what breaks an image without
// breaking `make test`: a source folder the Dockerfile forgets to copy, code that reads a file the image
// lacks, a runtime import of a devDependency that `npm prune --omit=dev` removed, a tsc build error.
// The carrying-out is realnode/images/dockerfile-build.ts, the one the real node's operator image is built
// with. What it cannot show: the base images themselves (node:24-bookworm-slim, distroless nodejs24), which
// it stands in for with this machine's Node 24 (the registry's `node` package) and Debian userland.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { expect } from 'chai';
import { repoRoot } from '../../controlplane/versions.ts';
import { DOCKERFILE } from '../../lib/dockerfile.ts';
import { createLogger } from '../../lib/log.ts';
import {
  carryOutDockerfile,
  node24Dir,
  planDockerfile,
  type DockerfilePlan,
} from '../../realnode/images/dockerfile-build.ts';
import { inRootfs, normalizeTree } from '../../realnode/images/rootfs.ts';
import { freePort, untilHealthy } from '../unit/proxy/support/servers.ts';

const IMAGE_UID = 65532; // distroless :nonroot
const NODE24_DIR = node24Dir();
const EVERYTHING = fileURLToPath(
  import.meta.resolve('@modelcontextprotocol/server-everything/dist/index.js'),
);

/** The image's entry point with these arguments, as the image's user and environment, from its folder. */
function image(
  appDir: string,
  entrypoint: string[],
  env: Record<string, string>,
  args: string[],
): ChildProcess {
  const [, ...entryArgs] = entrypoint; // the image's /nodejs/bin/node: this machine's Node 24 stands in
  return spawn(path.join(NODE24_DIR, 'node'), [...entryArgs, ...args], {
    cwd: appDir,
    uid: IMAGE_UID,
    gid: IMAGE_UID,
    env: { PATH: '/usr/bin:/bin', HOME: '/nonexistent', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function completion(child: ChildProcess): Promise<{ code: number | null; output: string }> {
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, output })));
}

describe('the Dockerfile, carried out without a container engine', function () {
  this.timeout(600_000);
  const plan: DockerfilePlan = planDockerfile(readFileSync(DOCKERFILE, 'utf8'));
  let root: string;
  let appDir: string;
  let entrypoint: string[];
  let imageEnv: Record<string, string>;

  before(async function () {
    this.timeout(600_000);
    root = mkdtempSync(path.join(tmpdir(), 'mcp-operator-image-'));
    chmodSync(root, 0o755); // the image's user must reach the final stage's folder
    // The same carrying-out as the real node's operator image (realnode/images/operator.ts).
    const rootfs = path.join(root, 'rootfs');
    await carryOutDockerfile({
      plan,
      context: repoRoot,
      buildDir: path.join(root, 'build'),
      rootfs,
      log: createLogger('image-build', process.env.LOG_LEVEL ?? 'warn'),
    });
    // Owned by root and not writable by the image's user, as in the image's layer.
    normalizeTree(rootfs);
    appDir = inRootfs(rootfs, plan.settings.workingDir ?? '/');
    entrypoint = plan.settings.entrypoint ?? [];
    imageEnv = plan.settings.env;
    writeFileSync(
      path.join(root, 'mcpserver.yaml'),
      readFileSync(path.join(repoRoot, 'test/fixtures/seed-examples/mcpserver-osv.yaml')),
    );
  });

  after(() => {
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('runs as the non-root user the chart expects, with the Node 24 entry point', () => {
    expect(plan.settings.user).to.equal(`${IMAGE_UID}:${IMAGE_UID}`);
    expect(entrypoint).to.deep.equal(['/nodejs/bin/node', '--optimize-for-size', 'dist/cli/main.js']);
    expect(imageEnv.NODE_ENV).to.equal('production');
  });

  it('prints its commands with no devDependency installed', async () => {
    const { code, output } = await completion(image(appDir, entrypoint, imageEnv, ['--help']));
    expect(output).to.include('proxy');
    expect(output).to.include('controller');
    expect(code).to.equal(0);
  });

  it('validates a seed example offline (the schema, rules and defaults ship in the image)', async () => {
    const { code, output } = await completion(
      image(appDir, entrypoint, imageEnv, ['validate', '--offline', '-f', path.join(root, 'mcpserver.yaml')]),
    );
    expect(output, output).to.match(/accepted/i);
    expect(code, output).to.equal(0);
  });

  it('serves MCP as a proxy in front of a real stdio server, to the SDK client', async () => {
    const port = await freePort();
    const proxy = image(appDir, entrypoint, imageEnv, [
      ...['proxy', '--transport', 'stdio', '--port', `${port}`, '--'],
      ...[path.join(NODE24_DIR, 'node'), EVERYTHING, 'stdio'],
    ]);
    const exited = completion(proxy);
    try {
      await Promise.race([
        untilHealthy(`http://127.0.0.1:${port}`),
        exited.then(({ output }) => Promise.reject(new Error(`the proxy exited: ${output}`))),
      ]);
      const client = new Client({ name: 'image-test', version: '1' });
      await client.connect(new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${port}/mcp`)));
      const result = await client.callTool({ name: 'echo', arguments: { message: 'from the image' } });
      expect(JSON.stringify(result.content)).to.include('from the image');
      await client.close();
    } finally {
      proxy.kill('SIGTERM');
      await exited;
    }
  });
});
