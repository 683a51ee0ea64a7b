// OCI image layout archives, written without a container engine: each layer is a root filesystem folder
// made into an uncompressed tar by GNU tar with reproducible flags, then the small part is ours: the
// image config, the manifest, index.json (with the name containerd imports it under), oci-layout, and
// the outer tar. The same folders and config give the same bytes, so the same digests.
// Media types and fields: opencontainers/image-spec (image-layout.md, manifest.md, config.md).
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { sha256File } from './rootfs.ts';

export const MEDIA_TYPES = {
  index: 'application/vnd.oci.image.index.v1+json',
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  config: 'application/vnd.oci.image.config.v1+json',
  layer: 'application/vnd.oci.image.layer.v1.tar',
} as const;

/** containerd's import takes the image's full name from this annotation of the index. */
export const CONTAINERD_NAME_ANNOTATION = 'io.containerd.image.name';
export const REF_NAME_ANNOTATION = 'org.opencontainers.image.ref.name';

/** The config's `config` object: how a container of the image runs (config.md, "Properties"). */
export interface ImageConfig {
  Entrypoint?: string[];
  Cmd?: string[];
  Env?: string[];
  User?: string;
  WorkingDir?: string;
  Labels?: Record<string, string>;
  ExposedPorts?: Record<string, Record<string, never>>;
}

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: { architecture: string; os: string };
  annotations?: Record<string, string>;
}

/** One layer: a root filesystem folder, and a line for the config's history. */
export interface LayerSource {
  dir: string;
  createdBy: string;
}

export interface WrittenImage {
  name: string;
  /** The manifest's digest (`sha256:...`), the image's identity in containerd. */
  manifestDigest: string;
  /** The archive's size in bytes. */
  bytes: number;
}

const EPOCH = '1970-01-01T00:00:00Z';
const PLATFORM = { architecture: 'amd64', os: 'linux' };

/** The tag of `registry/repo:tag` (`latest` when there is none). */
export function imageTag(name: string): string {
  const colon = name.lastIndexOf(':');
  return colon > name.lastIndexOf('/') ? name.slice(colon + 1) : 'latest';
}

/** A map with its keys sorted, so that the JSON does not depend on the order it was built in. */
function sortedMap<T>(map: Record<string, T> | undefined): Record<string, T> | undefined {
  if (!map) return undefined;
  return Object.fromEntries(Object.entries(map).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Docker's inheritance: the child's Env entries replace the base's by name; other fields replace whole. */
export function inheritConfig(base: ImageConfig, child: ImageConfig): ImageConfig {
  const env = new Map((base.Env ?? []).map((e) => [e.split('=')[0]!, e]));
  for (const e of child.Env ?? []) env.set(e.split('=')[0]!, e);
  const merged: ImageConfig = { ...base, ...child };
  if (env.size) merged.Env = [...env.values()];
  // A new ENTRYPOINT drops the base's CMD (the Dockerfile reference, "Understand how CMD and ENTRYPOINT interact").
  if (child.Entrypoint && !child.Cmd) delete merged.Cmd;
  const labels = { ...base.Labels, ...child.Labels };
  if (Object.keys(labels).length) merged.Labels = labels;
  return merged;
}

/** The image config blob's JSON (config.md): platform, run settings, layers' diff_ids and history. */
export function configJson(config: ImageConfig, diffIds: string[], history: string[]): string {
  const ordered: ImageConfig = {
    ...config,
    ...(config.Labels ? { Labels: sortedMap(config.Labels) } : {}),
    ...(config.ExposedPorts ? { ExposedPorts: sortedMap(config.ExposedPorts) } : {}),
  };
  return JSON.stringify({
    created: EPOCH,
    architecture: PLATFORM.architecture,
    os: PLATFORM.os,
    config: ordered,
    rootfs: { type: 'layers', diff_ids: diffIds },
    history: history.map((createdBy) => ({ created: EPOCH, created_by: createdBy })),
  });
}

/** The image manifest's JSON (manifest.md): the config and the layers, by digest. */
export function manifestJson(config: Descriptor, layers: Descriptor[]): string {
  return JSON.stringify({ schemaVersion: 2, mediaType: MEDIA_TYPES.manifest, config, layers });
}

/** index.json (image-layout.md): the one manifest, named for containerd's import and by its tag. */
export function indexJson(name: string, manifest: Descriptor): string {
  const annotations = { [CONTAINERD_NAME_ANNOTATION]: name, [REF_NAME_ANNOTATION]: imageTag(name) };
  return JSON.stringify({
    schemaVersion: 2,
    mediaType: MEDIA_TYPES.index,
    manifests: [{ ...manifest, platform: PLATFORM, annotations }],
  });
}

export const OCI_LAYOUT = JSON.stringify({ imageLayoutVersion: '1.0.0' });

/** GNU tar's flags for bytes that depend only on the files: sorted, epoch times, numeric ids, no pax noise. */
export const REPRODUCIBLE_TAR_FLAGS = [
  '--sort=name',
  '--mtime=@0',
  '--numeric-owner',
  '--format=posix',
  '--pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime',
  '--no-acls',
  '--no-xattrs',
  '--no-selinux',
];

function runTar(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('tar', args, {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, LC_ALL: 'C' },
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`tar ${args.join(' ')} exited ${code}: ${stderr.trim()}`)),
    );
  });
}

/**
 * A layer tar of a folder: its top-level entries named without `./`, owners and modes as they are on
 * disk (normalizeTree sets them), so that /tmp keeps 1777 and a home folder its owner.
 */
export async function writeLayerTar(dir: string, out: string): Promise<void> {
  const top = readdirSync(dir).sort();
  if (top.length === 0) throw new Error(`${dir}: an empty layer`);
  await runTar(['--create', `--file=${out}`, `--directory=${dir}`, ...REPRODUCIBLE_TAR_FLAGS, '--', ...top]);
}

async function blob(blobs: string, file: string, mediaType: string): Promise<Descriptor> {
  const hex = await sha256File(file);
  const size = statSync(file).size;
  renameSync(file, path.join(blobs, hex));
  return { mediaType, digest: `sha256:${hex}`, size };
}

function jsonBlob(blobs: string, text: string, mediaType: string): Promise<Descriptor> {
  const file = path.join(blobs, 'incoming.json');
  writeFileSync(file, text);
  return blob(blobs, file, mediaType);
}

/**
 * Writes an OCI layout archive of the layers (lowest first) and config at `out`, replacing it atomically.
 * Uncompressed layers: their digests are their diff_ids, and containerd unpacks them without gunzip.
 */
export async function writeOciArchive(
  name: string,
  layers: LayerSource[],
  config: ImageConfig,
  out: string,
): Promise<WrittenImage> {
  const staging = `${out}.partial`;
  rmSync(staging, { recursive: true, force: true });
  const blobs = path.join(staging, 'blobs', 'sha256');
  mkdirSync(blobs, { recursive: true });
  try {
    const layerDescriptors: Descriptor[] = [];
    for (const [i, layer] of layers.entries()) {
      const file = path.join(blobs, `incoming-layer-${i}.tar`);
      await writeLayerTar(layer.dir, file);
      layerDescriptors.push(await blob(blobs, file, MEDIA_TYPES.layer));
    }
    const diffIds = layerDescriptors.map((l) => l.digest);
    const history = layers.map((l) => l.createdBy);
    const configDescriptor = await jsonBlob(blobs, configJson(config, diffIds, history), MEDIA_TYPES.config);
    const manifest = await jsonBlob(
      blobs,
      manifestJson(configDescriptor, layerDescriptors),
      MEDIA_TYPES.manifest,
    );
    writeFileSync(path.join(staging, 'index.json'), indexJson(name, manifest));
    writeFileSync(path.join(staging, 'oci-layout'), OCI_LAYOUT);
    for (const file of readdirSync(blobs)) chmodSync(path.join(blobs, file), 0o644);
    const archive = `${out}.partial.tar`;
    await runTar([
      ...['--create', `--file=${archive}`, `--directory=${staging}`, ...REPRODUCIBLE_TAR_FLAGS],
      ...['--owner=0', '--group=0', '--mode=u=rwX,go=rX', '--', 'oci-layout', 'index.json', 'blobs'],
    ]);
    renameSync(archive, out);
    return { name, manifestDigest: manifest.digest, bytes: statSync(out).size };
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}
