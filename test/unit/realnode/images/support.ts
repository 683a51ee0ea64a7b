// Reading OCI archives back in tests: extracted with GNU tar, blobs by digest, a layer's entries as tar lists them.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const isRoot = (): boolean => process.getuid?.() === 0;

export interface OpenedArchive {
  dir: string;
  index: {
    mediaType: string;
    manifests: {
      mediaType: string;
      digest: string;
      size: number;
      platform: unknown;
      annotations: Record<string, string>;
    }[];
  };
  blobPath(digest: string): string;
  json<T>(digest: string): T;
}

export function openArchive(archive: string): OpenedArchive {
  const dir = mkdtempSync(path.join(tmpdir(), 'oci-open-'));
  execFileSync('tar', ['-xf', archive, '-C', dir]);
  const blobPath = (digest: string): string => path.join(dir, 'blobs', ...digest.split(':'));
  return {
    dir,
    index: JSON.parse(readFileSync(path.join(dir, 'index.json'), 'utf8')) as OpenedArchive['index'],
    blobPath,
    json: <T>(digest: string): T => JSON.parse(readFileSync(blobPath(digest), 'utf8')) as T,
  };
}

export interface Manifest {
  mediaType: string;
  config: { mediaType: string; digest: string; size: number };
  layers: { mediaType: string; digest: string; size: number }[];
}

export interface Config {
  architecture: string;
  os: string;
  config: Record<string, unknown>;
  rootfs: { type: string; diff_ids: string[] };
  history: { created_by: string }[];
}

/** `tar -tv` of a layer, numeric owners: mode, owner/group and name of each entry. */
export function layerEntries(layer: string): { mode: string; owner: string; name: string; mtime: string }[] {
  const out = execFileSync('tar', ['--numeric-owner', '--full-time', '-tvf', layer], { encoding: 'utf8' });
  return out
    .trim()
    .split('\n')
    .map((line) => {
      const [mode, owner, , date, time, ...name] = line.split(/\s+/);
      return {
        mode: mode!,
        owner: owner!,
        mtime: `${date} ${time}`,
        name: name.join(' ').replace(/ -> .*$/, ''),
      };
    });
}

/** Extracts layers in order into one folder, as a snapshotter would stack them (no whiteouts here). */
export function stackLayers(layers: string[]): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'oci-rootfs-'));
  chmodSync(dir, 0o755); // a snapshot's root, as the container's / (mkdtemp makes it 0700)
  for (const layer of layers) execFileSync('tar', ['--numeric-owner', '-xpf', layer, '-C', dir]);
  return dir;
}
