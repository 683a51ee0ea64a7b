// MCP server images from the npm registry's servers, on the local base and Node runtime: the package at
// the version package.json pins for the tests, installed with the project's Node 24 npm into /app
// (production dependencies only, no install scripts), run as nonroot (65532).
//
// server-everything serves all three transports from one image: /app/start.mjs picks stdio, sse or
// streamable-http from the MCPServer's args, else $MCP_TRANSPORT, else the container's stdin (open for
// stdio servers only: the operator sets no transport variable), see that file. server-filesystem speaks
// stdio only and takes its allowed folders as arguments: CMD ["/projects"], as docker.io/mcp/filesystem
// (ToolHive's registry entry) has it; an MCPServer's args replace it. Both preload exit-on-sigterm.mjs, and
// both carry busybox's shell tools (busybox.ts), as the images real MCP servers ship on do.
import { readFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_MCP_PORT } from '../../schemas/defaults.ts';
import { addBusybox, busyboxInput } from './busybox.ts';
import { buildStageEnv } from './dockerfile-build.ts';
import { runStep } from './exec.ts';
import {
  SERVER_EVERYTHING_IMAGE,
  SERVER_EVERYTHING_PACKAGE,
  SERVER_EVERYTHING_VERSION,
  SERVER_FILESYSTEM_IMAGE,
  SERVER_FILESYSTEM_PACKAGE,
  SERVER_FILESYSTEM_VERSION,
} from './names.ts';
import { NODE_PATH } from './node-runtime.ts';
import type { ImageConfig } from './oci.ts';
import type { BuildContext, ImageRecipe } from './recipe.ts';
import { inRootfs, normalizeTree, writeIn } from './rootfs.ts';

export const APP_DIR = '/app';
export const START_SCRIPT = path.join(import.meta.dirname, 'server-everything-start.mjs');
/** Preloaded by both images: Node as PID 1 exits on SIGTERM (see that file). */
export const SIGTERM_SCRIPT = path.join(import.meta.dirname, 'exit-on-sigterm.mjs');
const SIGTERM_IMAGE_PATH = path.posix.join(APP_DIR, 'exit-on-sigterm.mjs');

/** The image's Node, with the SIGTERM preload, running `script`. */
export const nodeEntrypoint = (script: string): string[] => [
  NODE_PATH,
  `--import=${SIGTERM_IMAGE_PATH}`,
  script,
];

/** npm install's flags: what runs in the image only, nothing executed at install, no network extras. */
export const NPM_INSTALL_FLAGS = ['--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund'];

/** The package's entry point inside the image. */
export function packageEntry(pkg: string, binPath = 'dist/index.js'): string {
  return path.posix.join(APP_DIR, 'node_modules', pkg, binPath);
}

/**
 * Installs pkg@version into <layer>/app. A package.json is written first: without one npm would look
 * for a project in the folders above and install there.
 */
async function installPackage(ctx: BuildContext, pkg: string, version: string): Promise<string> {
  const app = inRootfs(ctx.layerDir, APP_DIR);
  mkdirSync(app, { recursive: true });
  const manifest = { name: `mcp-local-${path.posix.basename(pkg)}`, version: '0.0.0', private: true };
  writeFileSync(path.join(app, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  await runStep('npm', ['install', ...NPM_INSTALL_FLAGS, `${pkg}@${version}`], {
    cwd: app,
    env: buildStageEnv(),
    log: ctx.log,
    step: `npm install ${pkg}@${version}`,
  });
  writeIn(ctx.layerDir, SIGTERM_IMAGE_PATH, readFileSync(SIGTERM_SCRIPT, 'utf8'));
  return app;
}

const SERVER_ENV = ['NODE_ENV=production'];

export function serverEverythingConfig(): ImageConfig {
  return {
    Entrypoint: nodeEntrypoint(path.posix.join(APP_DIR, 'start.mjs')),
    Env: [...SERVER_ENV, `PORT=${DEFAULT_MCP_PORT}`],
    WorkingDir: APP_DIR,
    ExposedPorts: { [`${DEFAULT_MCP_PORT}/tcp`]: {} },
    Labels: { 'org.opencontainers.image.title': `${SERVER_EVERYTHING_PACKAGE}@${SERVER_EVERYTHING_VERSION}` },
  };
}

export function serverFilesystemConfig(): ImageConfig {
  return {
    Entrypoint: nodeEntrypoint(packageEntry(SERVER_FILESYSTEM_PACKAGE)),
    Cmd: ['/projects'],
    Env: SERVER_ENV,
    WorkingDir: APP_DIR,
    Labels: { 'org.opencontainers.image.title': `${SERVER_FILESYSTEM_PACKAGE}@${SERVER_FILESYSTEM_VERSION}` },
  };
}

export function serverEverythingRecipe(): ImageRecipe {
  const script = readFileSync(START_SCRIPT, 'utf8');
  return {
    name: SERVER_EVERYTHING_IMAGE,
    shared: ['base', 'node'],
    createdBy: `npm install ${SERVER_EVERYTHING_PACKAGE}@${SERVER_EVERYTHING_VERSION}; /app/start.mjs`,
    inputs: async () => [SERVER_EVERYTHING_PACKAGE, SERVER_EVERYTHING_VERSION, script, await busyboxInput()],
    async build(ctx) {
      await installPackage(ctx, SERVER_EVERYTHING_PACKAGE, SERVER_EVERYTHING_VERSION);
      addBusybox(ctx.layerDir);
      writeIn(ctx.layerDir, path.posix.join(APP_DIR, 'start.mjs'), script);
      normalizeTree(ctx.layerDir);
      return serverEverythingConfig();
    },
  };
}

export function serverFilesystemRecipe(): ImageRecipe {
  return {
    name: SERVER_FILESYSTEM_IMAGE,
    shared: ['base', 'node'],
    createdBy: `npm install ${SERVER_FILESYSTEM_PACKAGE}@${SERVER_FILESYSTEM_VERSION}; /projects`,
    inputs: async () => [SERVER_FILESYSTEM_PACKAGE, SERVER_FILESYSTEM_VERSION, await busyboxInput()],
    async build(ctx) {
      await installPackage(ctx, SERVER_FILESYSTEM_PACKAGE, SERVER_FILESYSTEM_VERSION);
      addBusybox(ctx.layerDir);
      // The default allowed folder must exist: the server checks each one at start.
      mkdirSync(inRootfs(ctx.layerDir, '/projects'), { recursive: true });
      normalizeTree(ctx.layerDir);
      return serverFilesystemConfig();
    },
  };
}
