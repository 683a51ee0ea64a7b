// The names the real node's images are imported under (pure). All are under `localhost/`, a registry
// nobody publishes to, so no name can be mistaken for a real publisher's image or pulled from one;
// pods use them with the default imagePullPolicy IfNotPresent (their tags are not `latest`).
import path from 'node:path';

export const LOCAL_REGISTRY = 'localhost';

/** The operator (and proxy) image, built from the repository's Dockerfile. */
export const OPERATOR_IMAGE = `${LOCAL_REGISTRY}/mcp-operator:dev`;

export const PAUSE_REPOSITORY = `${LOCAL_REGISTRY}/pause`;
export const COREDNS_REPOSITORY = `${LOCAL_REGISTRY}/mcp-local/coredns`;
export const METRICS_SERVER_REPOSITORY = `${LOCAL_REGISTRY}/mcp-local/metrics-server`;

export const SERVER_EVERYTHING_PACKAGE = '@modelcontextprotocol/server-everything';
export const SERVER_FILESYSTEM_PACKAGE = '@modelcontextprotocol/server-filesystem';

/**
 * The versions the images install: the devDependency versions the tests use, written here too so that
 * reading a name needs no file (the CLI imports this in the image, where package.json is elsewhere);
 * test/unit/realnode/images/names.test.ts fails when they drift from package.json.
 */
export const SERVER_EVERYTHING_VERSION = '2026.8.31';
export const SERVER_FILESYSTEM_VERSION = '2026.8.31';
export const SERVER_EVERYTHING_IMAGE = `${LOCAL_REGISTRY}/mcp-local/server-everything:${SERVER_EVERYTHING_VERSION}`;
export const SERVER_FILESYSTEM_IMAGE = `${LOCAL_REGISTRY}/mcp-local/server-filesystem:${SERVER_FILESYSTEM_VERSION}`;

/**
 * A cached binary's version, from the cache's `bin/<component>-<version>/<binary>` layout
 * (`.cache/bin/coredns-v1.12.4/coredns` gives `v1.12.4`); `local` when the folder does not say.
 */
export function binaryVersion(binaryPath: string): string {
  const folder = path.basename(path.dirname(binaryPath));
  const match = /^[a-z0-9-]+?-(v?\d[\w.+-]*)$/.exec(folder);
  return match ? match[1]!.replace(/\+/g, '_') : 'local';
}

/** An image name for a binary: the repository, tagged with the binary's version. */
export const binaryImage = (repository: string, binaryPath: string): string =>
  `${repository}:${binaryVersion(binaryPath)}`;

/** The images the real node imports, by role. */
export interface NodeImageNames {
  operator: string;
  pause: string;
  coredns: string;
  metricsServer: string;
  serverEverything: string;
  serverFilesystem: string;
}

/** The binaries the node's own images are made of (paths from the binaries build). */
export interface ImageBinaries {
  pause: string;
  coredns: string;
  metricsServer: string;
}

export function nodeImageNames(binaries: ImageBinaries, operator = OPERATOR_IMAGE): NodeImageNames {
  return {
    operator,
    pause: binaryImage(PAUSE_REPOSITORY, binaries.pause),
    coredns: binaryImage(COREDNS_REPOSITORY, binaries.coredns),
    metricsServer: binaryImage(METRICS_SERVER_REPOSITORY, binaries.metricsServer),
    serverEverything: SERVER_EVERYTHING_IMAGE,
    serverFilesystem: SERVER_FILESYSTEM_IMAGE,
  };
}
