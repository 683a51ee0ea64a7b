// The real node's images, and their cache: each archive is kept under <cache>/images/ by a hash of all
// that went into it (this folder's code, the shared layers' inputs, the image's own inputs), so a warm
// run builds nothing and only imports. The shared layers (base, Node runtime) are made once per run,
// and only when some image is missing.
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { cacheDir, repoRoot } from '../../controlplane/versions.ts';
import type { Logger } from '../../lib/log.ts';
import { BASE_CONFIG, hostCaBundle, writeBaseRootfs } from './base.ts';
import { serverEverythingRecipe, serverFilesystemRecipe } from './mcp-servers.ts';
import type { ImageBinaries, NodeImageNames } from './names.ts';
import {
  NODE_RUNTIME_CONFIG,
  nodeRuntimeInputs,
  nodeRuntimeKey,
  writeNodeRuntimeRootfs,
} from './node-runtime.ts';
import {
  inheritConfig,
  writeOciArchive,
  type ImageConfig,
  type LayerSource,
  type WrittenImage,
} from './oci.ts';
import { operatorRecipe } from './operator.ts';
import type { ImageRecipe, SharedLayer } from './recipe.ts';
import { combineHashes, hashTree, sha256File } from './rootfs.ts';
import { corednsRecipe, metricsServerRecipe, pauseRecipe } from './static-binaries.ts';

export interface BuiltImage extends WrittenImage {
  archive: string;
  /** Whether the archive came from the cache. */
  cached: boolean;
  ms: number;
}

export const imagesCacheDir = (): string => path.join(cacheDir(), 'images');

/** The recipes of every image the node imports. */
export function nodeImageRecipes(names: NodeImageNames, binaries: ImageBinaries): ImageRecipe[] {
  return [
    pauseRecipe(names.pause, binaries.pause),
    corednsRecipe(names.coredns, binaries.coredns),
    metricsServerRecipe(names.metricsServer, binaries.metricsServer),
    operatorRecipe(names.operator),
    serverEverythingRecipe(),
    serverFilesystemRecipe(),
  ];
}

/** The archive's file name: the image name made file-safe, and the first 16 hex digits of its key. */
export function archiveFileName(name: string, key: string): string {
  return `${name.replace(/[^A-Za-z0-9._-]/g, '_')}.${key.slice(0, 16)}.tar`;
}

interface SharedLayerSpec {
  key(): Promise<string>;
  write(dir: string): Promise<void>;
  config: ImageConfig;
  createdBy: string;
}

const SHARED: Record<SharedLayer, SharedLayerSpec> = {
  base: {
    key: async () => {
      const ca = hostCaBundle();
      return ca ? sha256File(ca) : 'no CA bundle';
    },
    write: (dir) => Promise.resolve(writeBaseRootfs(dir)),
    config: BASE_CONFIG,
    createdBy: 'realnode/images/base.ts: users, nsswitch, CA bundle, /tmp, /home/nonroot',
  },
  node: {
    key: async () => nodeRuntimeKey(await nodeRuntimeInputs()),
    write: async (dir) => writeNodeRuntimeRootfs(dir, await nodeRuntimeInputs()),
    config: NODE_RUNTIME_CONFIG,
    createdBy: 'realnode/images/node-runtime.ts: /nodejs/bin/node and its libraries',
  },
};

/** Builds, once per run, what several images share: keys on demand, layer folders on demand. */
class SharedLayers {
  private readonly keys = new Map<SharedLayer, Promise<string>>();
  private readonly dirs = new Map<SharedLayer, Promise<string>>();
  private readonly work: string;
  constructor(work: string) {
    this.work = work;
  }

  key(layer: SharedLayer): Promise<string> {
    if (!this.keys.has(layer)) this.keys.set(layer, SHARED[layer].key());
    return this.keys.get(layer)!;
  }

  dir(layer: SharedLayer): Promise<string> {
    if (!this.dirs.has(layer)) {
      const dir = path.join(this.work, `shared-${layer}`);
      mkdirSync(dir, { recursive: true });
      this.dirs.set(
        layer,
        SHARED[layer].write(dir).then(() => dir),
      );
    }
    return this.dirs.get(layer)!;
  }
}

/** The config of the shared layers under an image: the base's, then the Node runtime's over it. */
export function sharedConfig(layers: SharedLayer[]): ImageConfig {
  return layers.reduce<ImageConfig>((config, layer) => inheritConfig(config, SHARED[layer].config), {});
}

/** A hash of the code that makes the images: any change to it makes new archives. */
async function codeKey(): Promise<string> {
  return combineHashes([
    await hashTree(import.meta.dirname),
    readFileSync(path.join(repoRoot, 'lib', 'dockerfile.ts'), 'utf8'),
  ]);
}

export async function imageKey(recipe: ImageRecipe, shared: SharedLayers, code: string): Promise<string> {
  const sharedKeys = await Promise.all(recipe.shared.map(async (l) => `${l}:${await shared.key(l)}`));
  return combineHashes([code, recipe.name, ...sharedKeys, ...(await recipe.inputs())]);
}

async function buildOne(recipe: ImageRecipe, shared: SharedLayers, work: string, out: string, log: Logger) {
  const imageWork = mkdtempSync(path.join(work, 'image-'));
  const layerDir = path.join(imageWork, 'layer');
  mkdirSync(layerDir);
  const own = await recipe.build({ layerDir, workDir: path.join(imageWork, 'work'), log });
  const layers: LayerSource[] = [];
  for (const layer of recipe.shared)
    layers.push({ dir: await shared.dir(layer), createdBy: SHARED[layer].createdBy });
  layers.push({ dir: layerDir, createdBy: recipe.createdBy });
  const written = await writeOciArchive(
    recipe.name,
    layers,
    inheritConfig(sharedConfig(recipe.shared), own),
    out,
  );
  rmSync(imageWork, { recursive: true, force: true });
  return written;
}

/** Removes the archives of this image name that have another key: only the current one is worth keeping. */
function pruneOthers(dir: string, keep: string): void {
  const prefix = keep.replace(/\.[0-9a-f]{16}\.tar$/, '.');
  for (const file of readdirSync(dir))
    if (file.startsWith(prefix) && file !== keep && file !== `${keep}.json`)
      rmSync(path.join(dir, file), { force: true });
}

/** Builds the archives missing from the cache, with a log line per image; returns all, in order. */
export async function buildImages(
  recipes: ImageRecipe[],
  log: Logger,
  cache = imagesCacheDir(),
): Promise<BuiltImage[]> {
  mkdirSync(cache, { recursive: true });
  const work = mkdtempSync(path.join(tmpdir(), 'mcp-images-'));
  const shared = new SharedLayers(work);
  const built: BuiltImage[] = [];
  try {
    const code = await codeKey();
    for (const [i, recipe] of recipes.entries()) {
      const started = Date.now();
      const file = archiveFileName(recipe.name, await imageKey(recipe, shared, code));
      const archive = path.join(cache, file);
      const progress = { image: recipe.name, n: i + 1, of: recipes.length };
      if (existsSync(archive) && existsSync(`${archive}.json`)) {
        const meta = JSON.parse(readFileSync(`${archive}.json`, 'utf8')) as WrittenImage;
        built.push({ ...meta, archive, cached: true, ms: Date.now() - started });
        log.info({ ...progress, archive }, 'Image archive cached');
        continue;
      }
      log.info(progress, 'Building image archive');
      const written = await buildOne(recipe, shared, work, archive, log);
      writeFileSync(`${archive}.json`, `${JSON.stringify(written)}\n`);
      pruneOthers(cache, file);
      const ms = Date.now() - started;
      built.push({ ...written, archive, cached: false, ms });
      log.info(
        { ...progress, ms, bytes: written.bytes, digest: written.manifestDigest },
        'Image archive built',
      );
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return built;
}
