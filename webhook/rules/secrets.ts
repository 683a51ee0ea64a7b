// spec.env and spec.secrets: both become environment variables of the MCP server container, so their names
// must be valid and distinct; and each secret reference must name an existing Secret key (from the facts).
import type { AdmissionFacts } from '../facts.ts';
import { duplicate, FieldPath, invalid, notFound, required, type FieldError } from '../field.ts';
import { ENV_VAR_NAME_MESSAGE, isEnvVarName } from './env-names.ts';
import { dictsOf, specOf, str, type Dict } from './shape.ts';

const SPEC = FieldPath.of('spec');

interface EnvEntry {
  name: string;
  /** The field the name was read from: env[i].name, secrets[i].targetEnvName or secrets[i].key. */
  path: FieldPath;
  /** For a secret without targetEnvName (ToolHive then uses the key): where to ask for one. */
  targetEnvNamePath?: FieldPath;
}

function envEntries(spec: Dict, path: FieldPath): EnvEntry[] {
  return dictsOf(spec.env).flatMap(([env, i]) => {
    const name = str(env.name);
    return name === undefined ? [] : [{ name, path: path.child('env').index(i).child('name') }];
  });
}

function secretEntries(spec: Dict, path: FieldPath): EnvEntry[] {
  return dictsOf(spec.secrets).flatMap(([ref, i]) => {
    const refPath = path.child('secrets').index(i);
    const target = str(ref.targetEnvName);
    if (target !== undefined) return [{ name: target, path: refPath.child('targetEnvName') }];
    const key = str(ref.key);
    if (!key) return [];
    return [{ name: key, path: refPath.child('key'), targetEnvNamePath: refPath.child('targetEnvName') }];
  });
}

function checkEnvNames(entries: EnvEntry[]): FieldError[] {
  const errors: FieldError[] = [];
  const seen = new Set<string>();
  for (const { name, path, targetEnvNamePath } of entries) {
    if (!isEnvVarName(name)) {
      errors.push(
        targetEnvNamePath
          ? required(
              targetEnvNamePath,
              `the key ${JSON.stringify(name)} is not a valid environment variable name`,
            )
          : invalid(path, name, ENV_VAR_NAME_MESSAGE),
      );
    } else if (seen.has(name)) errors.push(duplicate(path, name));
    seen.add(name);
  }
  return errors;
}

function checkSecretsExist(spec: Dict, facts: AdmissionFacts, path: FieldPath): FieldError[] {
  if (facts.lookupsSkipped) return [];
  return dictsOf(spec.secrets).flatMap(([ref, i]): FieldError[] => {
    const name = str(ref.name);
    const key = str(ref.key);
    if (!name || !facts.secretKeys.has(name)) return [];
    const keys = facts.secretKeys.get(name);
    const refPath = path.child('secrets').index(i);
    if (keys === undefined) return [notFound(refPath.child('name'), name)];
    return key !== undefined && !keys.includes(key) ? [notFound(refPath.child('key'), key)] : [];
  });
}

/** Env var names valid and unique across spec.env and spec.secrets; every secret key present. */
export function checkSecrets(server: unknown, facts: AdmissionFacts, path: FieldPath = SPEC): FieldError[] {
  const spec = specOf(server);
  return [
    ...checkEnvNames([...envEntries(spec, path), ...secretEntries(spec, path)]),
    ...checkSecretsExist(spec, facts, path),
  ];
}
