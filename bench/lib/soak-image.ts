// How the soak runs the operator and the proxy as the image runs them: compiled JavaScript (the image
// runs dist/cli/main.js; from source, Node's type stripper stays loaded, about 30 MiB of RSS) and the
// environment the image sets: the ENV lines of the Dockerfile's final stage, read from the Dockerfile
// itself so there is one place for them (NODE_ENV, and any memory setting such as MALLOC_ARENA_MAX or
// NODE_OPTIONS).
import path from 'node:path';
import { repoRoot } from '../../controlplane/versions.ts';
import { imageEnv, imageNodeFlags } from '../../lib/dockerfile.ts';
import { compileServers, compiledPath } from './compile.ts';

/** The variables the final stage's ENV instructions set (lib/dockerfile.ts; earlier stages do not reach the image). */
export { imageEnv };

export const dockerfileEnv = (text: string): Record<string, string> => imageEnv(text);

export interface SoakImage {
  /** The script that runs `mcp-operator` (compiled cli/main.js, or cli/main.ts from source). */
  script: string;
  env: Record<string, string>;
  /** The Node flags of the image's ENTRYPOINT, before the script. */
  nodeFlags: string[];
  compiled: boolean;
}

/** Compiles cli/main.ts (unless `compiled` is false) and reads the image's environment. */
export async function prepareImage(compiled: boolean): Promise<SoakImage> {
  const cli = path.join(repoRoot, 'cli/main.ts');
  if (compiled) await compileServers([cli]);
  return {
    script: compiled ? compiledPath(cli) : cli,
    env: imageEnv(),
    nodeFlags: imageNodeFlags(),
    compiled,
  };
}
