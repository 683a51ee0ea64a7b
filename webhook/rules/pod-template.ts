// spec.podTemplateSpec is free-form in the CRD (x-kubernetes-preserve-unknown-fields), so nothing checks it
// until the operator applies the StatefulSet, long after kubectl returned. These are the mistakes worth
// catching at admission: a malformed container list, no `mcp` container to merge the MCP server into,
// duplicate container names, mounts of undeclared volumes, and bad resource quantities.
import { duplicate, FieldPath, invalid, notFound, required, typeInvalid, type FieldError } from '../field.ts';
import { checkResourceRequirements } from './resources.ts';
import { dict, dictsOf, isDict, specOf, str, type Dict } from './shape.ts';

export const MCP_CONTAINER = 'mcp';

const LISTS = ['containers', 'initContainers'] as const;

/** The pod spec inside spec.podTemplateSpec, if it is an object. */
export const podSpecOf = (server: unknown): Dict => dict(dict(specOf(server).podTemplateSpec).spec);

/** The container named `mcp` with its index in containers, if there is one. */
export function mcpContainer(server: unknown): [Dict, number] | undefined {
  const containers = podSpecOf(server).containers;
  if (!Array.isArray(containers)) return undefined;
  const index = containers.findIndex((c) => isDict(c) && c.name === MCP_CONTAINER);
  return index === -1 ? undefined : [containers[index] as Dict, index];
}

function checkListShape(podSpec: Dict, path: FieldPath): FieldError[] {
  const errors: FieldError[] = [];
  for (const list of LISTS) {
    const value = podSpec[list];
    if (value === undefined) continue;
    if (!Array.isArray(value)) {
      errors.push(typeInvalid(path.child(list), value, 'must be of type array'));
      continue;
    }
    value.forEach((c: unknown, i) => {
      if (!isDict(c)) errors.push(typeInvalid(path.child(list).index(i), c, 'must be of type object'));
      else if (typeof c.name !== 'string' || c.name === '') {
        errors.push(required(path.child(list).index(i).child('name')));
      }
    });
  }
  return errors;
}

function checkMcpContainerPresent(podSpec: Dict, path: FieldPath): FieldError[] {
  const containers = podSpec.containers;
  if (!Array.isArray(containers) || containers.length === 0) return [];
  if (containers.some((c) => isDict(c) && c.name === MCP_CONTAINER)) return [];
  return [
    required(
      path.child('containers'),
      'a container named "mcp" is required: it is where the MCP server runs',
    ),
  ];
}

function checkContainers(podSpec: Dict, path: FieldPath): FieldError[] {
  const errors: FieldError[] = [];
  const names = new Set<string>();
  let volumes: Set<string | undefined> | undefined; // read once a container mounts something
  for (const list of LISTS) {
    for (const [container, i] of dictsOf(podSpec[list])) {
      const containerPath = path.child(list).index(i);
      const name = str(container.name);
      if (name && names.has(name)) errors.push(duplicate(containerPath.child('name'), name));
      if (name) names.add(name);
      for (const [mount, j] of dictsOf(container.volumeMounts)) {
        const volume = str(mount.name);
        volumes ??= new Set(dictsOf(podSpec.volumes).map(([v]) => str(v.name)));
        if (volume && !volumes.has(volume)) {
          errors.push(notFound(containerPath.child('volumeMounts').index(j).child('name'), volume));
        }
      }
      errors.push(
        ...checkResourceRequirements(container.resources, containerPath.child('resources'), 'mapKey'),
      );
    }
  }
  return errors;
}

export function checkPodTemplate(server: unknown, path: FieldPath = FieldPath.of('spec')): FieldError[] {
  const template = specOf(server).podTemplateSpec;
  if (!isDict(template) || template.spec === undefined) return [];
  const podPath = path.child('podTemplateSpec', 'spec');
  if (!isDict(template.spec)) return [invalid(podPath, template.spec, 'must be a PodSpec object')];
  const errors = checkListShape(template.spec, podPath);
  errors.push(
    ...checkMcpContainerPresent(template.spec, podPath),
    ...checkContainers(template.spec, podPath),
  );
  return errors;
}
