// The real node's images as the rest of the code sees them: their names (for manifests and tests),
// and the build-and-import step the node runs once containerd answers. The archives start building
// as soon as the node is prepared, beside the control plane's start, and are imported when containerd
// is up (realnode/images/ builds them offline, cached by their inputs).
import type { Logger } from '../lib/log.ts';
import { nodeBinaryPaths, readNodeVersions, type NodeBinaryPaths } from './binaries.ts';
import { buildImages, imagesCacheDir, nodeImageRecipes, type BuiltImage } from './images/catalog.ts';
import { importArchive, nodeImageNames } from './images/import.ts';
import type { NodeImages } from './node.ts';

const names = nodeImageNames(nodeBinaryPaths(readNodeVersions()));

/** The images pods on the real node use, all under localhost/ (no registry is reachable). */
export const IMAGES = {
  /** The operator and its proxies (the repository's Dockerfile, carried out offline). */
  operator: names.operator,
  /** @modelcontextprotocol/server-everything: stdio, sse or streamable-http as the MCPServer asks. */
  everything: names.serverEverything,
  /** @modelcontextprotocol/server-filesystem, serving /projects. */
  filesystem: names.serverFilesystem,
  pause: names.pause,
  coredns: names.coredns,
  metricsServer: names.metricsServer,
} as const;

export function nodeImages(log: Logger, bins: NodeBinaryPaths): NodeImages {
  const recipes = nodeImageRecipes(nodeImageNames(bins), bins);
  const building: Promise<BuiltImage[]> = buildImages(recipes, log, imagesCacheDir());
  building.catch(() => {}); // reported by importAll, which every start awaits
  return {
    pause: IMAGES.pause,
    coredns: IMAGES.coredns,
    metricsServer: IMAGES.metricsServer,
    async importAll(ctr, socket) {
      const images = await building;
      const started = performance.now();
      // One after another: the images share their base and Node layers, which containerd stores once.
      for (const image of images) await importArchive({ ctr, socket }, image.archive, log);
      log.info(
        {
          images: images.length,
          built: images.filter((i) => !i.cached).length,
          importMs: Math.round(performance.now() - started),
        },
        'Images imported into containerd',
      );
    },
  };
}
