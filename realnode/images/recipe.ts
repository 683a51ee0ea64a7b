// What one local image is made of: shared layers below (the base, the Node runtime: the same bytes in
// every image, so containerd stores and unpacks them once) and a layer of its own on top.
import type { Logger } from '../../lib/log.ts';
import type { ImageConfig } from './oci.ts';

/** Layers several images share, built once per run when some image needs them. */
export type SharedLayer = 'base' | 'node';

export interface BuildContext {
  /** The image's own layer: an empty folder to fill (image paths inside), normalized by the recipe. */
  layerDir: string;
  /** A scratch folder for the build (removed afterwards). */
  workDir: string;
  log: Logger;
}

export interface ImageRecipe {
  name: string;
  /** Shared layers under the image's own, lowest first. */
  shared: SharedLayer[];
  /** The inputs of the image's own layer, as strings (hashes, versions): a change makes a new archive. */
  inputs(): Promise<string[]>;
  /** Fills the own layer and returns its config, applied over the shared layers' configs. */
  build(ctx: BuildContext): Promise<ImageConfig>;
  /** The own layer's line in the image's history. */
  createdBy: string;
}
