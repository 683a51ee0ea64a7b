// How the soak runs the operator and the proxy as the image runs them: compiled JavaScript (the image
// runs dist/cli/main.js; from source, Node's type stripper stays loaded, about 30 MiB of RSS) and the
// environment the image sets: the ENV lines of the Dockerfile's final stage, read from the Dockerfile
// itself so there is one place for them (NODE_ENV, and any memory setting such as MALLOC_ARENA_MAX or
// NODE_OPTIONS).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../../controlplane/versions.ts';
import { compileServers, compiledPath } from './compile.ts';

/**
 * The variables the final stage's ENV instructions set (`ENV K=V K2="V 2"`, continuation lines
 * included; the legacy `ENV K V` form too). Earlier stages (the build) do not reach the image.
 */
export function dockerfileEnv(text: string): Record<string, string> {
  const instructions = text
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const lastFrom = instructions.findLastIndex((l) => /^FROM\s/i.test(l));
  const env: Record<string, string> = {};
  for (const line of instructions.slice(lastFrom + 1)) {
    const m = /^ENV\s+(.*)$/i.exec(line);
    if (!m) continue;
    const rest = m[1]!.trim();
    if (!/^[A-Za-z_][\w]*=/.test(rest)) {
      const legacy = /^([A-Za-z_]\w*)\s+(.*)$/.exec(rest);
      if (legacy) env[legacy[1]!] = legacy[2]!;
      continue;
    }
    for (const pair of rest.matchAll(/([A-Za-z_]\w*)=("(?:[^"\\]|\\.)*"|\S*)/g)) {
      const raw = pair[2]!;
      env[pair[1]!] = raw.startsWith('"') ? raw.slice(1, -1).replace(/\\(.)/g, '$1') : raw;
    }
  }
  return env;
}

export const imageEnv = (): Record<string, string> =>
  dockerfileEnv(readFileSync(path.join(repoRoot, 'Dockerfile'), 'utf8'));

export interface SoakImage {
  /** The script that runs `mcp-operator` (compiled cli/main.js, or cli/main.ts from source). */
  script: string;
  env: Record<string, string>;
  compiled: boolean;
}

/** Compiles cli/main.ts (unless `compiled` is false) and reads the image's environment. */
export async function prepareImage(compiled: boolean): Promise<SoakImage> {
  const cli = path.join(repoRoot, 'cli/main.ts');
  if (compiled) await compileServers([cli]);
  return { script: compiled ? compiledPath(cli) : cli, env: imageEnv(), compiled };
}
