// ToolHive's two images for the real node, assembled offline like ours (realnode/images/): each is its
// static Go binary (CGO off: `file` says statically linked, `ldd` not dynamic) on the local base layer
// (users, nsswitch, CA bundle; as distroless :nonroot), at /ko-app/<binary> as ToolHive's ko build puts
// it, the binary as ENTRYPOINT, user 65532. The operator starts the proxy runner with args only, so the
// ENTRYPOINT is what runs. Cached with the node's images; imported into the node's containerd.
import type { ControlPlane } from '../../controlplane/cluster.ts';
import type { Logger } from '../../lib/log.ts';
import { nodeBinaryPaths, readNodeVersions } from '../../realnode/binaries.ts';
import { NONROOT_UID } from '../../realnode/images/base.ts';
import { buildImages } from '../../realnode/images/catalog.ts';
import { importArchive } from '../../realnode/images/import.ts';
import { LOCAL_REGISTRY } from '../../realnode/images/names.ts';
import { staticBinaryRecipe } from '../../realnode/images/static-binaries.ts';
import { nodeDirs } from '../../realnode/layout.ts';

export interface ToolhiveImages {
  operator: string;
  runner: string;
}

/** The local names: under localhost/, never pulled; tagged with ToolHive's version. */
export const toolhiveImageNames = (version: string): ToolhiveImages => ({
  operator: `${LOCAL_REGISTRY}/toolhive/operator:${version}`,
  runner: `${LOCAL_REGISTRY}/toolhive/proxyrunner:${version}`,
});

/** Builds the two archives (or finds them cached) and imports them into the running node's containerd. */
export async function importToolhiveImages(
  cp: ControlPlane,
  binaries: string,
  version: string,
  log: Logger,
): Promise<ToolhiveImages> {
  const names = toolhiveImageNames(version);
  const recipe = (name: string, binary: string) =>
    staticBinaryRecipe({
      name,
      binary: `${binaries}/${binary}`,
      imagePath: `/ko-app/${binary}`,
      user: `${NONROOT_UID}`,
      shared: ['base'],
    });
  const built = await buildImages(
    [recipe(names.operator, 'thv-operator'), recipe(names.runner, 'thv-proxyrunner')],
    log,
  );
  const containerd = {
    ctr: nodeBinaryPaths(readNodeVersions()).ctr,
    socket: nodeDirs(cp.stateDir).containerdSocket,
  };
  for (const image of built) await importArchive(containerd, image.archive, log);
  return names;
}
