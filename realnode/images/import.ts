// Puts the node's images into containerd, in the namespace the CRI plugin (so kubelet) uses: builds the
// archives the cache lacks, then `ctr images import` of each. ctr unpacks each into the default
// snapshotter as it imports, so a pod's first start does not wait for it.
import type { Logger } from '../../lib/log.ts';
import { buildImages, imagesCacheDir, nodeImageRecipes, type BuiltImage } from './catalog.ts';
import { runStep } from './exec.ts';
import { nodeImageNames, OPERATOR_IMAGE, type ImageBinaries, type NodeImageNames } from './names.ts';

export {
  COREDNS_REPOSITORY,
  METRICS_SERVER_REPOSITORY,
  OPERATOR_IMAGE,
  PAUSE_REPOSITORY,
  SERVER_EVERYTHING_IMAGE,
  SERVER_FILESYSTEM_IMAGE,
  nodeImageNames,
  type ImageBinaries,
  type NodeImageNames,
} from './names.ts';

/** The containerd namespace the CRI plugin serves kubelet from. */
export const CRI_NAMESPACE = 'k8s.io';

export interface Containerd {
  /** The ctr binary. */
  ctr: string;
  /** containerd's gRPC socket. */
  socket: string;
}

/** ctr's arguments to import one OCI archive (named by its index's io.containerd.image.name). */
export function importArgs(socket: string, archive: string): string[] {
  return ['--address', socket, '-n', CRI_NAMESPACE, 'images', 'import', archive];
}

export async function importArchive(containerd: Containerd, archive: string, log: Logger): Promise<void> {
  await runStep(containerd.ctr, importArgs(containerd.socket, archive), {
    log,
    step: `ctr images import ${archive}`,
  });
}

export interface ImportOptions extends Containerd, ImageBinaries {
  log: Logger;
  /** The operator image's name (default localhost/mcp-operator:dev). */
  operatorImage?: string;
  /** Where archives are cached (default <cache>/images). */
  cache?: string;
}

export interface ImportedImages {
  names: NodeImageNames;
  images: BuiltImage[];
}

/** Builds what is missing, then imports every image; logs each step with its time. */
export async function buildAndImportImages(opts: ImportOptions): Promise<ImportedImages> {
  const { log } = opts;
  const started = Date.now();
  const names = nodeImageNames(opts, opts.operatorImage ?? OPERATOR_IMAGE);
  const recipes = nodeImageRecipes(names, opts);
  const images = await buildImages(recipes, log, opts.cache ?? imagesCacheDir());
  const built = Date.now();
  for (const [i, image] of images.entries()) {
    const t = Date.now();
    await importArchive(opts, image.archive, log);
    log.info({ image: image.name, n: i + 1, of: images.length, ms: Date.now() - t }, 'Image imported');
  }
  log.info(
    {
      buildMs: built - started,
      importMs: Date.now() - built,
      built: images.filter((i) => !i.cached).map((i) => i.name),
    },
    'Images ready in containerd',
  );
  return { names, images };
}
