// The administrator's policy (webhook/policy.ts) applied to one MCPServer. Each denial names the policy
// entry that refused it, so the user knows what to ask the administrator for.
import { FieldPath, forbidden, goQuote, required, type FieldError } from '../field.ts';
import { namespaceMatches, type AdmissionPolicy, type ResourceCeilings } from '../policy.ts';
import { parseQuantity } from '../quantity.ts';
import { MCP_CONTAINER, podSpecOf } from './pod-template.ts';
import { dict, dictsOf, int, metadataOf, specOf, str, type Dict } from './shape.ts';

const SPEC = FieldPath.of('spec');

/** The registry an image is pulled from, as container runtimes resolve it (no host: docker.io). */
export function imageRegistry(image: string): string {
  const first = image.split('/')[0] ?? '';
  const hasHost =
    image.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
  return hasHost ? first : 'docker.io';
}

/** The image with its implied registry spelled out, so `mcp/fetch` matches a `docker.io/` prefix. */
function fullImageName(image: string): string {
  if (imageRegistry(image) !== 'docker.io' || image.startsWith('docker.io/')) return image;
  return image.includes('/') ? `docker.io/${image}` : `docker.io/library/${image}`;
}

const CONTAINER_LISTS = ['containers', 'initContainers', 'ephemeralContainers'] as const;

/** Every container of the pod template with its path: sidecars, init and ephemeral containers too. */
function templateContainers(server: unknown, path: FieldPath): Array<[Dict, FieldPath]> {
  const podSpec = podSpecOf(server);
  const podPath = path.child('podTemplateSpec', 'spec');
  return CONTAINER_LISTS.flatMap((list) =>
    dictsOf(podSpec[list]).map(([c, i]): [Dict, FieldPath] => [c, podPath.child(list).index(i)]),
  );
}

function checkImage(image: string | undefined, policy: AdmissionPolicy, path: FieldPath): FieldError[] {
  const allowed = policy.allowedImageRegistries;
  if (!allowed || image === undefined || image === '') return [];
  const full = fullImageName(image);
  if (allowed.some((prefix) => image.startsWith(prefix) || full.startsWith(prefix))) return [];
  const detail = `registry ${goQuote(imageRegistry(image))} is not allowed by policy allowedImageRegistries (allowed: ${allowed.map(goQuote).join(', ')})`;
  return [forbidden(path.child('image'), detail)];
}

/**
 * `none`/`network` for builtin profiles, `configmap` for any ConfigMap profile. None named means `none`,
 * here as in the controller, which then denies all egress (controller/desired/networkpolicy.ts).
 */
function profileId(server: unknown): string {
  const profile = dict(specOf(server).permissionProfile);
  if (profile.type === 'configmap') return 'configmap';
  return str(profile.name) ?? 'none';
}

function checkProfile(server: unknown, policy: AdmissionPolicy, path: FieldPath): FieldError[] {
  const rules = policy.allowedPermissionProfiles;
  if (!rules) return [];
  const namespace = str(metadataOf(server).namespace) ?? '';
  const here = rules.filter((r) => r.namespaces.some((pattern) => namespaceMatches(pattern, namespace)));
  const id = profileId(server);
  if (here.some((r) => r.profile === id || r.profile === '*')) return [];
  const allowedHere = here.length > 0 ? here.map((r) => goQuote(r.profile)).join(', ') : 'none';
  const detail = `permission profile ${goQuote(id)} is not allowed in namespace ${goQuote(namespace)} by policy allowedPermissionProfiles (allowed here: ${allowedHere})`;
  return [forbidden(path.child('permissionProfile'), detail)];
}

/**
 * The policy's default profile is set by the mutating webhook, whose failurePolicy is Ignore: if it was
 * skipped, this webhook (which fails closed) refuses the server rather than let it run without it.
 */
function checkDefaultProfileApplied(server: unknown, policy: AdmissionPolicy, path: FieldPath): FieldError[] {
  const fallback = policy.defaultPermissionProfile;
  if (!fallback || specOf(server).permissionProfile !== undefined) return [];
  const detail = `policy defaultPermissionProfile is ${goQuote(fallback)} but it was not set (the mutating webhook did not run); name a permission profile`;
  return [required(path.child('permissionProfile'), detail)];
}

/** The ceiling holds for both workloads: proxy pods (replicas) and MCP server pods (backendReplicas). */
function checkReplicas(spec: Dict, policy: AdmissionPolicy, path: FieldPath): FieldError[] {
  const max = policy.maxReplicas;
  if (max === undefined) return [];
  return (['replicas', 'backendReplicas'] as const).flatMap((field) => {
    const replicas = int(spec[field]);
    if (replicas === undefined || replicas <= max) return [];
    return [forbidden(path.child(field), `${replicas} replicas exceed policy maxReplicas (${max})`)];
  });
}

/** Limits and requests of one resources object against the ceilings. */
function checkCeilings(resources: unknown, ceilings: ResourceCeilings, path: FieldPath, mapKeys: boolean) {
  const errors: FieldError[] = [];
  for (const list of ['limits', 'requests']) {
    for (const name of ['cpu', 'memory'] as const) {
      const ceiling = ceilings[name];
      const value = dict(dict(resources)[list])[name];
      const quantity = typeof value === 'string' ? parseQuantity(value) : undefined;
      const max = ceiling === undefined ? undefined : parseQuantity(ceiling);
      if (quantity === undefined || max === undefined || quantity <= max) continue;
      const field = mapKeys ? path.child(list).key(name) : path.child(list, name);
      errors.push(forbidden(field, `${String(value)} exceeds policy maxResources.${name} (${ceiling})`));
    }
  }
  return errors;
}

/** The images of the template's containers; the `mcp` container's is replaced by spec.image, so skipped. */
function checkTemplateImages(server: unknown, policy: AdmissionPolicy, path: FieldPath): FieldError[] {
  if (!policy.allowedImageRegistries) return [];
  return templateContainers(server, path).flatMap(([container, containerPath]) =>
    container.name === MCP_CONTAINER ? [] : checkImage(str(container.image), policy, containerPath),
  );
}

function checkResourceCeilings(server: unknown, policy: AdmissionPolicy, path: FieldPath): FieldError[] {
  const ceilings = policy.maxResources;
  if (!ceilings) return [];
  const errors = checkCeilings(specOf(server).resources, ceilings, path.child('resources'), false);
  for (const [container, containerPath] of templateContainers(server, path)) {
    errors.push(...checkCeilings(container.resources, ceilings, containerPath.child('resources'), true));
  }
  return errors;
}

export function checkPolicy(server: unknown, policy: AdmissionPolicy, path: FieldPath = SPEC): FieldError[] {
  const spec = specOf(server);
  return [
    ...checkImage(str(spec.image), policy, path),
    ...checkTemplateImages(server, policy, path),
    ...checkProfile(server, policy, path),
    ...checkDefaultProfileApplied(server, policy, path),
    ...checkReplicas(spec, policy, path),
    ...checkResourceCeilings(server, policy, path),
  ];
}
