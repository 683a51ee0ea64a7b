// The real node's Node images, built as the node builds them (realnode/images, the shared cache) and
// run without a container engine: each archive's layers stacked in a folder, the config's entry point
// run in a chroot of it as the config's user with the config's environment. What it shows: the layers
// are complete (libraries, passwd, modes), the config runs, and server-everything serves each transport
// the way the operator's pods ask for it (stdin open for stdio only). Needs root (chroot, owners).
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { expect } from 'chai';
import { createLogger } from '../../lib/log.ts';
import { buildImages, type BuiltImage } from '../../realnode/images/catalog.ts';
import { serverEverythingRecipe, serverFilesystemRecipe } from '../../realnode/images/mcp-servers.ts';
import { operatorRecipe } from '../../realnode/images/operator.ts';
import { freePort } from '../unit/proxy/support/servers.ts';
import {
  isRoot,
  openArchive,
  stackLayers,
  type Config,
  type Manifest,
} from '../unit/realnode/images/support.ts';

const CHROOT = '/usr/sbin/chroot';

interface Unpacked {
  rootfs: string;
  config: { Entrypoint?: string[]; Cmd?: string[]; Env?: string[]; User?: string; WorkingDir?: string };
}

function unpack(image: BuiltImage): Unpacked {
  const archive = openArchive(image.archive);
  try {
    const manifest = archive.json<Manifest>(archive.index.manifests[0]!.digest);
    const config = archive.json<Config>(manifest.config.digest).config as Unpacked['config'];
    return { rootfs: stackLayers(manifest.layers.map((l) => archive.blobPath(l.digest))), config };
  } finally {
    rmSync(archive.dir, { recursive: true, force: true });
  }
}

/** chroot's command line for the image's entry point with `args` (else its CMD), as its user. */
function chrootArgs(image: Unpacked, args?: string[]): string[] {
  const user = image.config.User ?? '0';
  const userspec = user.includes(':') ? user : `${user}:${user}`;
  return [
    `--userspec=${userspec}`,
    image.rootfs,
    ...(image.config.Entrypoint ?? []),
    ...(args ?? image.config.Cmd ?? []),
  ];
}

function imageEnv(image: Unpacked, extra: Record<string, string> = {}): Record<string, string> {
  return {
    ...Object.fromEntries(
      (image.config.Env ?? []).map((e): [string, string] => [
        e.slice(0, e.indexOf('=')),
        e.slice(e.indexOf('=') + 1),
      ]),
    ),
    ...extra,
  };
}

/** Runs the image with stdin /dev/null, as a pod without `stdin: true` gets it. */
function runDetached(image: Unpacked, env: Record<string, string>, args?: string[]): ChildProcess {
  return spawn(CHROOT, chrootArgs(image, args), {
    env: imageEnv(image, env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

async function echo(transport: Transport, message: string): Promise<string> {
  const client = new Client({ name: 'realnode-images-test', version: '1' });
  await client.connect(transport);
  try {
    const result = await client.callTool({ name: 'echo', arguments: { message } });
    return JSON.stringify(result.content);
  } finally {
    await client.close();
  }
}

async function untilListening(url: string, child: ChildProcess): Promise<void> {
  let output = '';
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`the server exited: ${output}`);
    const ok = await fetch(url, { method: 'OPTIONS' }).then(
      () => true,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`nothing listens at ${url}: ${output}`);
}

describe('the real node’s Node images, run from their archives', function () {
  this.timeout(900_000);
  const images: Record<string, Unpacked> = {};

  before(async function () {
    if (!isRoot()) this.skip();
    const log = createLogger('realnode-images', process.env.LOG_LEVEL ?? 'warn');
    const built = await buildImages(
      [operatorRecipe(), serverEverythingRecipe(), serverFilesystemRecipe()],
      log,
    );
    for (const [key, image] of ['operator', 'everything', 'filesystem'].map(
      (k, i) => [k, built[i]!] as const,
    ))
      images[key] = unpack(image);
  });

  after(() => {
    for (const image of Object.values(images)) rmSync(image.rootfs, { recursive: true, force: true });
  });

  it('operator: prints its commands as 65532 with the Dockerfile’s entry point', async () => {
    const operator = images.operator!;
    // chroot starts in /, not the image's WorkingDir: the entry point's script is named from it.
    const entry = (operator.config.Entrypoint ?? []).map((a) => (a.startsWith('dist/') ? `/app/${a}` : a));
    const child = spawn(
      CHROOT,
      chrootArgs({ ...operator, config: { ...operator.config, Entrypoint: entry } }),
      {
        env: imageEnv(operator),
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const code = await new Promise((resolve) => child.on('close', resolve));
    expect(output).to.include('proxy');
    expect(code, output).to.equal(0);
  });

  it('server-everything: streamable-http at /mcp when stdin is /dev/null (no args, as the operator runs it)', async () => {
    const port = await freePort();
    const child = runDetached(images.everything!, { MCP_PORT: `${port}` });
    try {
      await untilListening(`http://127.0.0.1:${port}/mcp`, child);
      const url = new URL(`http://127.0.0.1:${port}/mcp`);
      expect(await echo(new StreamableHTTPClientTransport(url), 'over http')).to.include('over http');
    } finally {
      child.kill('SIGTERM');
    }
  });

  it('server-everything: sse at /sse when the MCPServer’s args say so', async () => {
    const port = await freePort();
    const child = runDetached(images.everything!, { MCP_PORT: `${port}` }, ['sse']);
    try {
      await untilListening(`http://127.0.0.1:${port}/sse`, child);
      expect(
        await echo(new SSEClientTransport(new URL(`http://127.0.0.1:${port}/sse`)), 'over sse'),
      ).to.include('over sse');
    } finally {
      child.kill('SIGTERM');
    }
  });

  it('server-everything: stdio when stdin is open, as a stdio MCPServer’s pod has it', async () => {
    const image = images.everything!;
    const transport = new StdioClientTransport({
      command: CHROOT,
      args: chrootArgs(image),
      env: imageEnv(image),
      stderr: 'ignore',
    });
    expect(await echo(transport, 'over stdio')).to.include('over stdio');
  });

  it('server-filesystem: stdio, serving its CMD’s /projects', async () => {
    const image = images.filesystem!;
    const client = new Client({ name: 'realnode-images-test', version: '1' });
    await client.connect(
      new StdioClientTransport({
        command: CHROOT,
        args: chrootArgs(image),
        env: imageEnv(image),
        stderr: 'ignore',
      }),
    );
    try {
      const result = await client.callTool({ name: 'list_allowed_directories', arguments: {} });
      expect(JSON.stringify(result.content)).to.include('/projects');
    } finally {
      await client.close();
    }
  });
});
