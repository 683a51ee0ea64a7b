// The project's Dockerfile read as data, so that what runs outside a container runs as the image would:
// its final stage's ENV (NODE_ENV, V8 memory flags) and the Node flags of its ENTRYPOINT for the benches
// and the fuzzed servers, its stages' instructions for carrying the build out without a container engine
// (realnode/images/dockerfile-build.ts), and the final stage's settings for the real node's operator image
// config. The Dockerfile stays the one place these settings are written.
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

/** `K=V K2="V 2"` pairs (ENV, LABEL): values bare or double-quoted with backslash escapes. */
function keyValuePairs(args: string, key: string): [string, string][] {
  const pairs: [string, string][] = [];
  for (const pair of args.matchAll(new RegExp(`(${key})=("(?:[^"\\\\]|\\\\.)*"|\\S*)`, 'g'))) {
    const raw = pair[2]!;
    pairs.push([pair[1]!, raw.startsWith('"') ? raw.slice(1, -1).replace(/\\(.)/g, '$1') : raw]);
  }
  return pairs;
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
    for (const [k, v] of keyValuePairs(args, '[A-Za-z_]\\w*')) env[k] = v;
  }
  return env;
}

/** The settings a stage gives its image, as Docker records them in the image's config. */
export interface StageSettings {
  env: Record<string, string>;
  labels: Record<string, string>;
  user?: string;
  /** Absolute: a relative WORKDIR is resolved against the one before it. */
  workingDir?: string;
  entrypoint?: string[];
  cmd?: string[];
}

/** ENTRYPOINT and CMD: the exec form is a JSON array; the shell form runs under /bin/sh -c. */
function commandForm(args: string): string[] {
  return args.startsWith('[') ? (JSON.parse(args) as string[]) : ['/bin/sh', '-c', args];
}

/** A stage's ENV, LABEL, USER, WORKDIR, ENTRYPOINT and CMD (later instructions win, as in Docker). */
export function stageSettings(stage: DockerfileStage): StageSettings {
  const settings: StageSettings = { env: stageEnv(stage), labels: {} };
  for (const { instruction, args } of stage.steps) {
    if (instruction === 'LABEL') for (const [k, v] of keyValuePairs(args, '[^\\s=]+')) settings.labels[k] = v;
    else if (instruction === 'USER') settings.user = args;
    else if (instruction === 'WORKDIR')
      settings.workingDir = path.posix.resolve(settings.workingDir ?? '/', args);
    else if (instruction === 'ENTRYPOINT') settings.entrypoint = commandForm(args);
    else if (instruction === 'CMD') settings.cmd = commandForm(args);
  }
  return settings;
}

/** The final stage's settings: what the image's config gets from the Dockerfile. */
export function imageSettings(text = readFileSync(DOCKERFILE, 'utf8')): StageSettings {
  const final = dockerfileStages(text).at(-1);
  return final ? stageSettings(final) : { env: {}, labels: {} };
}

/** The environment the image sets: its final stage's ENV (earlier stages do not reach the image). */
export function imageEnv(text = readFileSync(DOCKERFILE, 'utf8')): Record<string, string> {
  return imageSettings(text).env;
}

/** The image's ENTRYPOINT, from its final stage; [] when there is none. */
export function imageEntrypoint(text = readFileSync(DOCKERFILE, 'utf8')): string[] {
  return imageSettings(text).entrypoint ?? [];
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
