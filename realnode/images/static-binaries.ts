// Images of one static Go binary each, as their upstream images are: pause (FROM scratch, the binary at
// /pause, user 65535), CoreDNS and metrics-server (on distroless static :nonroot, the binary at /coredns
// and /metrics-server, user 65532), here on the local base layer. The binaries come from the binaries
// build; their paths are parameters.
import path from 'node:path';
import { NONROOT_UID } from './base.ts';
import type { ImageConfig } from './oci.ts';
import type { ImageRecipe, SharedLayer } from './recipe.ts';
import { copyIn, normalizeTree, sha256File } from './rootfs.ts';

/** pause runs as 65535, as registry.k8s.io/pause does. */
export const PAUSE_USER = '65535:65535';

export interface StaticBinaryImage {
  name: string;
  binary: string;
  /** Where the binary goes in the image; it is the ENTRYPOINT. */
  imagePath: string;
  user: string;
  shared: SharedLayer[];
}

export function staticBinaryConfig(spec: StaticBinaryImage): ImageConfig {
  return { Entrypoint: [spec.imagePath], User: spec.user };
}

export function staticBinaryRecipe(spec: StaticBinaryImage): ImageRecipe {
  return {
    name: spec.name,
    shared: spec.shared,
    createdBy: `${spec.imagePath} (${path.basename(spec.binary)} from the binaries build)`,
    inputs: async () => [spec.imagePath, spec.user, await sha256File(spec.binary)],
    build({ layerDir }) {
      copyIn(layerDir, spec.imagePath, spec.binary);
      normalizeTree(layerDir);
      return Promise.resolve(staticBinaryConfig(spec));
    },
  };
}

export const pauseRecipe = (name: string, binary: string): ImageRecipe =>
  staticBinaryRecipe({ name, binary, imagePath: '/pause', user: PAUSE_USER, shared: [] });

export const corednsRecipe = (name: string, binary: string): ImageRecipe =>
  staticBinaryRecipe({ name, binary, imagePath: '/coredns', user: `${NONROOT_UID}`, shared: ['base'] });

export const metricsServerRecipe = (name: string, binary: string): ImageRecipe =>
  staticBinaryRecipe({
    name,
    binary,
    imagePath: '/metrics-server',
    user: `${NONROOT_UID}`,
    shared: ['base'],
  });
