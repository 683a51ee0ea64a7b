// The operator image from the repository's Dockerfile, carried out without an engine (dockerfile-build.ts)
// on the local base and Node runtime that stand in for gcr.io/distroless/nodejs24-debian12:nonroot. Its
// config is the Dockerfile's final stage (ENV, LABEL, USER, WORKDIR, ENTRYPOINT, CMD) over the base's.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../../controlplane/versions.ts';
import { DOCKERFILE, type StageSettings } from '../../lib/dockerfile.ts';
import { carryOutDockerfile, planDockerfile, type DockerfilePlan } from './dockerfile-build.ts';
import { OPERATOR_IMAGE } from './names.ts';
import type { ImageConfig } from './oci.ts';
import type { ImageRecipe } from './recipe.ts';
import { hashTree, normalizeTree } from './rootfs.ts';

/** The image config fields a Dockerfile stage's settings give (Env as `K=V`, in the Dockerfile's order). */
export function settingsConfig(settings: StageSettings): ImageConfig {
  const config: ImageConfig = { Env: Object.entries(settings.env).map(([k, v]) => `${k}=${v}`) };
  if (settings.user !== undefined) config.User = settings.user;
  if (settings.workingDir !== undefined) config.WorkingDir = settings.workingDir;
  if (settings.entrypoint) config.Entrypoint = settings.entrypoint;
  if (settings.cmd) config.Cmd = settings.cmd;
  if (Object.keys(settings.labels).length) config.Labels = settings.labels;
  return config;
}

/** The build context's files the build stage copies: the Dockerfile names them, so the cache key does too. */
export function copiedSources(plan: DockerfilePlan): string[] {
  return plan.buildSteps.flatMap((s) => (s.kind === 'copy' ? s.sources : []));
}

export function operatorRecipe(
  name = OPERATOR_IMAGE,
  dockerfile = readFileSync(DOCKERFILE, 'utf8'),
  context = repoRoot,
): ImageRecipe {
  const plan = planDockerfile(dockerfile);
  return {
    name,
    shared: ['base', 'node'],
    createdBy: 'realnode/images/operator.ts: the Dockerfile, carried out without an engine',
    async inputs() {
      const sources = [dockerfile];
      for (const source of copiedSources(plan))
        sources.push(source, await hashTree(path.join(context, source)));
      return sources;
    },
    async build({ layerDir, workDir, log }) {
      await carryOutDockerfile({
        plan,
        context,
        buildDir: path.join(workDir, 'build'),
        rootfs: layerDir,
        log,
      });
      normalizeTree(layerDir);
      return settingsConfig(plan.settings);
    },
  };
}
