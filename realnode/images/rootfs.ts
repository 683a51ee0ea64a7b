// Root filesystem folders for image layers, and the content hashes that key the image cache. A layer's
// bytes must depend only on what is in it: every entry is owned by root and has a normalized mode (0755
// for folders and executables, 0644 for the rest) unless an override says otherwise, so an archive built
// from the same files is the same archive whoever copied them, with whatever umask.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import {
  chmodSync,
  chownSync,
  copyFileSync,
  lchownSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readlinkSync,
  realpathSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';

/** An image path (absolute, as inside the container) whose owner or mode is not root's 0755/0644. */
export interface PathOverride {
  path: string;
  uid?: number;
  gid?: number;
  mode?: number;
}

/** Where an absolute image path lands inside the rootfs folder. */
export function inRootfs(rootfs: string, imagePath: string): string {
  const relative = path.posix.normalize(imagePath).replace(/^\/+/, '');
  if (relative.startsWith('..')) throw new Error(`${imagePath} leaves the root filesystem`);
  return path.join(rootfs, relative);
}

/** Copies a host file (symbolic links followed) to an image path, making its folders. */
export function copyIn(rootfs: string, imagePath: string, hostFile: string): void {
  const target = inRootfs(rootfs, imagePath);
  mkdirSync(path.dirname(target), { recursive: true });
  copyFileSync(realpathSync(hostFile), target);
}

/** Writes a text file at an image path, making its folders. */
export function writeIn(rootfs: string, imagePath: string, text: string): void {
  const target = inRootfs(rootfs, imagePath);
  mkdirSync(path.dirname(target), { recursive: true });
  writeFileSync(target, text);
}

/** Every entry below `dir` (not `dir` itself), relative, in a stable order. */
function entries(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort();
}

/** The normalized mode of an entry: folders and executables 0755, other files 0644, links untouched. */
export function normalizedMode(kind: 'dir' | 'file' | 'link', mode: number): number | undefined {
  if (kind === 'link') return undefined;
  return kind === 'dir' || (mode & 0o111) !== 0 ? 0o755 : 0o644;
}

function kindOf(stat: { isDirectory(): boolean; isSymbolicLink(): boolean }): 'dir' | 'file' | 'link' {
  return stat.isSymbolicLink() ? 'link' : stat.isDirectory() ? 'dir' : 'file';
}

/**
 * Owner root and normalized modes for the whole tree, then the overrides (e.g. /tmp 1777, a home folder
 * owned by 65532). Needs root, as a layer with files of several owners does.
 */
export function normalizeTree(rootfs: string, overrides: PathOverride[] = []): void {
  for (const relative of entries(rootfs)) {
    const full = path.join(rootfs, relative);
    const stat = lstatSync(full);
    lchownSync(full, 0, 0);
    const mode = normalizedMode(kindOf(stat), stat.mode);
    if (mode !== undefined) chmodSync(full, mode);
  }
  chmodSync(rootfs, 0o755);
  for (const o of overrides) {
    const full = inRootfs(rootfs, o.path);
    if (o.uid !== undefined || o.gid !== undefined) chownSync(full, o.uid ?? 0, o.gid ?? 0);
    if (o.mode !== undefined) chmodSync(full, o.mode);
  }
}

/** sha256 of a file's bytes, hex, streamed (layers and binaries are large). */
export function sha256File(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(file)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}

/**
 * A hash of a file or folder tree as a build sees it: each entry's relative path, kind, executable bit
 * and content (a link's target). Used to key cached images by their inputs.
 */
export async function hashTree(root: string): Promise<string> {
  const hash = createHash('sha256');
  const stat = lstatSync(root);
  const list = stat.isDirectory() ? entries(root) : [''];
  for (const relative of list) {
    const full = relative ? path.join(root, relative) : root;
    const s = lstatSync(full);
    const kind = kindOf(s);
    const content = kind === 'link' ? readlinkSync(full) : kind === 'dir' ? '' : await sha256File(full);
    hash.update(`${relative}\0${kind}\0${(s.mode & 0o111) !== 0 ? 'x' : '-'}\0${content}\n`);
  }
  return hash.digest('hex');
}

/** One hash of several parts (strings, or hashes of trees computed by the caller). */
export function combineHashes(parts: string[]): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(`${part.length}:${part}`);
  return hash.digest('hex');
}
