// spec.permissionProfile: a builtin profile must be one ToolHive ships (none, network); a ConfigMap profile
// must name an existing ConfigMap key whose content parses as a ToolHive permission profile, checked now
// rather than when the proxy fails to start.
import { parsePermissionProfile } from '../../schemas/permission-profile.ts';
import type { AdmissionFacts } from '../facts.ts';
import { FieldPath, invalid, notFound, notSupported, required, type FieldError } from '../field.ts';
import { isDict, specOf, str } from './shape.ts';

export const BUILTIN_PROFILES: readonly string[] = ['none', 'network'];

const SPEC = FieldPath.of('spec');

function checkConfigMapProfile(
  name: string,
  key: string | undefined,
  facts: AdmissionFacts,
  path: FieldPath,
): FieldError[] {
  // ToolHive mounts the key as the profile file and has no default key, so a missing key is an error.
  if (!key) return [required(path.child('key'), 'the ConfigMap key holding the profile JSON')];
  if (facts.lookupsSkipped || !facts.configMapData.has(name)) return [];
  const data = facts.configMapData.get(name);
  if (data === undefined) return [notFound(path.child('name'), name)];
  // Own keys only: `constructor` or `toString` must be Not found, not a function read off the prototype.
  const text = Object.hasOwn(data, key) ? data[key] : undefined;
  if (text === undefined) return [notFound(path.child('key'), key)];
  const parsed = parsePermissionProfile(text);
  if ('profile' in parsed) return [];
  const detail = `ConfigMap ${JSON.stringify(name)} key ${JSON.stringify(key)} is not a permission profile: ${parsed.error}`;
  return [invalid(path.child('key'), key, detail)];
}

export function checkPermissionProfile(
  server: unknown,
  facts: AdmissionFacts,
  path: FieldPath = SPEC,
): FieldError[] {
  const profile = specOf(server).permissionProfile;
  if (!isDict(profile)) return [];
  const profilePath = path.child('permissionProfile');
  const name = str(profile.name);
  if (name === undefined) return [];
  if (profile.type === 'builtin' && !BUILTIN_PROFILES.includes(name)) {
    return [notSupported(profilePath.child('name'), name, BUILTIN_PROFILES)];
  }
  if (profile.type === 'configmap') return checkConfigMapProfile(name, str(profile.key), facts, profilePath);
  return [];
}
