// The project's Dockerfile carried out without a container engine (none runs here): its build stage's
// COPY and RUN lines in an empty folder that stands for the stage's WORKDIR, with this project's Node 24
// first on PATH (the stand-in for node:24-bookworm-slim), then only what the final stage COPYs out of it,
// at the image paths it names. Used by the operator image and by test/integration/image-build.test.ts,
// so that both carry out the same steps. Only the instructions the Dockerfile uses are understood; any
// other stops the build rather than being skipped.
import { cpSync, mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { dockerfileStages, stageSettings, type StageSettings } from '../../lib/dockerfile.ts';
import type { Logger } from '../../lib/log.ts';
import { runStep } from './exec.ts';
import { inRootfs } from './rootfs.ts';

export type BuildStep =
  { kind: 'copy'; sources: string[]; dest: string; intoFolder: boolean } | { kind: 'run'; command: string };

export interface DockerfilePlan {
  buildStage: string;
  /** Build steps; a COPY's `dest` is relative to the build stage's WORKDIR (the build folder). */
  buildSteps: BuildStep[];
  /** The final stage's COPY --from=<build>: `from` relative to the build folder, `to` an image path. */
  finalCopies: { from: string; to: string; intoFolder: boolean }[];
  /** The final stage's ENV, LABEL, USER, WORKDIR, ENTRYPOINT, CMD: the image's config. */
  settings: StageSettings;
}

/** The folder the registry's `node` package keeps Node 24 in: first on PATH for npm and npx. */
export function node24Dir(): string {
  return path.dirname(fileURLToPath(import.meta.resolve('node/bin/node')));
}

const SETTINGS = new Set(['ENV', 'LABEL', 'USER', 'WORKDIR', 'ENTRYPOINT', 'CMD']);

function within(workdir: string, dest: string, what: string): string {
  const resolved = path.posix.resolve(workdir, dest);
  const relative = path.posix.relative(workdir, resolved);
  if (relative.startsWith('..'))
    throw new Error(`${what}: ${dest} is outside the stage's WORKDIR ${workdir}`);
  return relative;
}

function planBuildStage(steps: { instruction: string; args: string }[]): {
  workdir: string;
  steps: BuildStep[];
} {
  let workdir: string | undefined;
  const planned: BuildStep[] = [];
  for (const { instruction, args } of steps) {
    if (instruction === 'WORKDIR') {
      if (workdir !== undefined || planned.length)
        throw new Error('build stage: one WORKDIR, before the steps');
      workdir = path.posix.resolve('/', args);
    } else if (instruction === 'COPY') {
      if (args.startsWith('--')) throw new Error(`build stage: COPY flags are not carried out: ${args}`);
      const parts = args.split(/\s+/);
      const dest = parts.pop()!;
      const intoFolder = dest.endsWith('/') || parts.length > 1;
      planned.push({ kind: 'copy', sources: parts, dest: within(workdir ?? '/', dest, 'COPY'), intoFolder });
    } else if (instruction === 'RUN') planned.push({ kind: 'run', command: args });
    else throw new Error(`build stage: ${instruction} is not carried out`);
  }
  return { workdir: workdir ?? '/', steps: planned };
}

/** What carrying the Dockerfile out does, step by step (pure: the text in, the plan out). */
export function planDockerfile(text: string): DockerfilePlan {
  const stages = dockerfileStages(text);
  if (stages.length !== 2)
    throw new Error(`expected a build stage and a final stage, found ${stages.length}`);
  const [build, final] = stages as [(typeof stages)[0], (typeof stages)[0]];
  const { workdir: buildWorkdir, steps: buildSteps } = planBuildStage(build.steps);
  const finalCopies: DockerfilePlan['finalCopies'] = [];
  let workdir = '/';
  for (const { instruction, args } of final.steps) {
    if (instruction === 'WORKDIR') workdir = path.posix.resolve(workdir, args);
    if (SETTINGS.has(instruction)) continue;
    const copy = /^--from=(\S+)\s+(\S+)\s+(\S+)$/.exec(args);
    if (instruction !== 'COPY' || !copy || copy[1] !== build.name)
      throw new Error(`final stage: ${instruction} ${args} is not carried out`);
    const [, , source, dest] = copy as unknown as [string, string, string, string];
    const to = path.posix.resolve(workdir, dest);
    finalCopies.push({
      from: within(buildWorkdir, source, 'COPY --from'),
      to,
      intoFolder: dest.endsWith('/'),
    });
  }
  return { buildStage: build.name, buildSteps, finalCopies, settings: stageSettings(final) };
}

/** The environment the build stage's RUN lines get: this machine's, with Node 24 first on PATH. */
export function buildStageEnv(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return {
    ...base,
    PATH: `${node24Dir()}:${base.PATH ?? '/usr/bin:/bin'}`,
    npm_config_update_notifier: 'false',
  };
}

export interface CarryOutOptions {
  plan: DockerfilePlan;
  /** The build context: where COPY sources are read (the repository). */
  context: string;
  /** An empty folder for the build stage (it stands for the stage's WORKDIR). */
  buildDir: string;
  /** The final stage's files land here at their image paths (e.g. <rootfs>/app/dist). */
  rootfs: string;
  log: Logger;
  env?: NodeJS.ProcessEnv;
}

/**
 * COPY as Docker does it: a folder's contents go to the destination; a file goes to it, or into it when
 * it names a folder (a trailing `/`, or several sources). Links are copied as they are: npm's relative
 * links in node_modules/.bin must stay relative.
 */
function copy(source: string, dest: string, intoFolder: boolean): void {
  const target =
    !statSync(source).isDirectory() && intoFolder ? path.join(dest, path.basename(source)) : dest;
  mkdirSync(path.dirname(target), { recursive: true });
  cpSync(source, target, { recursive: true, verbatimSymlinks: true });
}

/** Runs the plan's build steps in `buildDir`, then copies the final stage's files into `rootfs`. */
export async function carryOutDockerfile(opts: CarryOutOptions): Promise<void> {
  const { plan, context, buildDir, rootfs, log } = opts;
  const env = opts.env ?? buildStageEnv();
  mkdirSync(buildDir, { recursive: true });
  for (const step of plan.buildSteps) {
    if (step.kind === 'run') {
      await runStep('bash', ['-c', step.command], { cwd: buildDir, env, log, step: `RUN ${step.command}` });
      continue;
    }
    for (const source of step.sources)
      copy(path.join(context, source), path.join(buildDir, step.dest), step.intoFolder);
  }
  for (const { from, to, intoFolder } of plan.finalCopies)
    copy(path.join(buildDir, from), inRootfs(rootfs, to), intoFolder);
  log.info({ copies: plan.finalCopies.map((c) => c.to) }, 'Final stage files copied');
}
