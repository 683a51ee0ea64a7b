// The permission profile a ConfigMap-based spec.permissionProfile points at: ToolHive's JSON format
// (stacklok/toolhive pkg/permissions/profile.go), shared by the webhook (which checks it parses) and the
// controller (which turns it into a NetworkPolicy and mounts). Like Go's encoding/json, unknown keys are
// ignored, so profiles written for newer ToolHive versions still load; known keys must have the right type.
//
//   {"read": ["/data"], "write": [], "network": {"outbound": {"insecure_allow_all": false,
//     "allow_host": ["api.github.com"], "allow_port": [443]}}}

export interface OutboundPermissions {
  insecure_allow_all?: boolean;
  allow_host?: string[];
  allow_port?: number[];
  /** Older ToolHive versions only; accepted and ignored. */
  allow_transport?: string[];
}

export interface PermissionProfile {
  read?: string[];
  write?: string[];
  network?: { mode?: string; outbound?: OutboundPermissions };
}

export type ProfileParseResult = { profile: PermissionProfile } | { error: string };

type Dict = Record<string, unknown>;
const isDict = (v: unknown): v is Dict => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStrings = (v: unknown): boolean => Array.isArray(v) && v.every((s) => typeof s === 'string');
const isPort = (p: unknown): boolean => Number.isInteger(p) && (p as number) >= 1 && (p as number) <= 65535;

// Each entry: where the value lives, and the check with the words used when it fails.
const FIELD_CHECKS: Array<[string[], (v: unknown) => boolean, string]> = [
  [['read'], isStrings, 'a list of paths'],
  [['write'], isStrings, 'a list of paths'],
  [['network'], isDict, 'an object'],
  [['network', 'mode'], (v) => typeof v === 'string', 'a string'],
  [['network', 'outbound'], isDict, 'an object'],
  [['network', 'outbound', 'insecure_allow_all'], (v) => typeof v === 'boolean', 'a boolean'],
  [['network', 'outbound', 'allow_host'], isStrings, 'a list of host names'],
  [['network', 'outbound', 'allow_port'], (v) => Array.isArray(v) && v.every(isPort), 'a list of ports'],
  [['network', 'outbound', 'allow_transport'], isStrings, 'a list of strings'],
];

function valueAt(doc: Dict, keys: string[]): unknown {
  let current: unknown = doc;
  for (const key of keys) current = isDict(current) ? current[key] : undefined;
  return current;
}

/**
 * Where JSON.parse stopped, never what it read: V8's messages quote the text (`Unexpected token 'x',
 * "..." is not valid JSON`), and this error reaches denials, status conditions and logs, which people
 * who may not read the ConfigMap can see.
 */
function jsonErrorPlace(message: string, text: string): string {
  const at = /at position (\d+)/.exec(message);
  if (at) {
    const position = Number(at[1]);
    const before = text.slice(0, position).split('\n');
    return ` at line ${before.length} column ${(before.at(-1)?.length ?? 0) + 1}`;
  }
  if (/end of (JSON )?input/i.test(message)) return ' (unexpected end)';
  return '';
}

/** Parses and checks a profile document; the error says what is wrong in one line, without its content. */
export function parsePermissionProfile(text: string): ProfileParseResult {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    return { error: `invalid JSON${jsonErrorPlace((e as Error).message, text)}` };
  }
  if (!isDict(doc)) return { error: 'must be a JSON object' };
  for (const [keys, check, words] of FIELD_CHECKS) {
    const value = valueAt(doc, keys);
    if (value !== undefined && value !== null && !check(value)) {
      return { error: `${keys.join('.')} must be ${words}` };
    }
  }
  return { profile: doc };
}
