// The project's Dockerfile read as data, so that what runs outside a container runs as the image would:
// its final stage's ENV (NODE_ENV, V8 memory flags) and the Node flags of its ENTRYPOINT for the benches
// and the fuzzed servers, and its stages' instructions for the test that carries the build out without a
// container engine. The Dockerfile stays the one place these settings are written.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../controlplane/versions.ts';

export const DOCKERFILE = path.join(repoRoot, 'Dockerfile');

export interface DockerfileStage {
  /** The `AS` name, or `stage<N>` when there is none. */
  name: string;
  steps: { instruction: string; args: string }[];
}

/** The stages and their instructions (upper-cased), continuation lines joined and comments dropped. */
export function dockerfileStages(text: string): DockerfileStage[] {
  const lines = text
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  const stages: DockerfileStage[] = [];
  for (const line of lines) {
    const [word = '', ...rest] = line.split(/\s+/);
    const instruction = word.toUpperCase();
    const args = rest.join(' ');
    if (instruction === 'FROM') {
      const alias = /\bAS\s+(\S+)/i.exec(args)?.[1] ?? `stage${stages.length}`;
      stages.push({ name: alias, steps: [] });
    } else stages.at(-1)?.steps.push({ instruction, args });
  }
  return stages;
}

/** The variables a stage's ENV instructions set: `ENV K=V K2="V 2"`, and the legacy `ENV K V`. */
export function stageEnv(stage: DockerfileStage): Record<string, string> {
  const env: Record<string, string> = {};
  for (const { instruction, args } of stage.steps) {
    if (instruction !== 'ENV') continue;
    if (!/^[A-Za-z_]\w*=/.test(args)) {
      const legacy = /^([A-Za-z_]\w*)\s+(.*)$/.exec(args);
      if (legacy) env[legacy[1]!] = legacy[2]!;
      continue;
    }
    for (const pair of args.matchAll(/([A-Za-z_]\w*)=("(?:[^"\\]|\\.)*"|\S*)/g)) {
      const raw = pair[2]!;
      env[pair[1]!] = raw.startsWith('"') ? raw.slice(1, -1).replace(/\\(.)/g, '$1') : raw;
    }
  }
  return env;
}

/** The environment the image sets: its final stage's ENV (earlier stages do not reach the image). */
export function imageEnv(text = readFileSync(DOCKERFILE, 'utf8')): Record<string, string> {
  const final = dockerfileStages(text).at(-1);
  return final ? stageEnv(final) : {};
}

/** The image's ENTRYPOINT in exec form (a JSON array), from its final stage; [] when there is none. */
export function imageEntrypoint(text = readFileSync(DOCKERFILE, 'utf8')): string[] {
  const steps = dockerfileStages(text).at(-1)?.steps ?? [];
  const entrypoint = steps.filter((s) => s.instruction === 'ENTRYPOINT').at(-1);
  return entrypoint ? (JSON.parse(entrypoint.args) as string[]) : [];
}

/**
 * The flags the ENTRYPOINT gives Node before the script (`node --flag dist/cli/main.js`): V8 flags that
 * NODE_OPTIONS does not accept, such as --optimize-for-size, are set there.
 */
export function imageNodeFlags(text = readFileSync(DOCKERFILE, 'utf8')): string[] {
  const [, ...args] = imageEntrypoint(text);
  const script = args.findIndex((a) => !a.startsWith('-'));
  return script === -1 ? args : args.slice(0, script);
}
