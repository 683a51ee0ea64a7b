// Defaulting and legacy-field migration for the mutating webhook. Pure: the object in, a new object and
// warnings out; review.ts diffs the two into a JSON Patch.
//
// Why here and not as `default:` in the CRD schema: the API server applies structural defaults before any
// webhook runs, so a defaulted proxyPort would be indistinguishable from one the user wrote, and every
// legacy manifest with `port: 9090` would look like a port/proxyPort conflict. Defaults follow ToolHive
// (cmd/thv-operator/api/v1beta1/mcpserver_types.go): transport stdio; proxyMode streamable-http, only
// meaningful for stdio; proxyPort 8080; mcpPort 8080 for sse and streamable-http (GetMcpPort). The legacy
// `port` means the proxy port and `targetPort` the MCP port (GetProxyPort/GetMcpPort in the v1alpha1 types).
//
// Never overrides a value the user wrote; a legacy field that contradicts its replacement is left in place
// for validation to deny. Idempotent: defaulting the result again changes nothing.
import {
  DEFAULT_MCP_PORT,
  DEFAULT_PROXY_MODE,
  DEFAULT_PROXY_PORT,
  DEFAULT_TRANSPORT,
} from '../schemas/defaults.ts';
import type { AdmissionPolicy } from './policy.ts';
import { int, isDict, type Dict } from './rules/shape.ts';
import { PORT_MOVED, TARGET_PORT_MOVED } from './rules/warnings.ts';

export { DEFAULT_MCP_PORT, DEFAULT_PROXY_MODE, DEFAULT_PROXY_PORT, DEFAULT_TRANSPORT };

export interface Defaulted {
  object: unknown;
  warnings: string[];
}

const isPort = (value: unknown): value is number => {
  const n = int(value);
  return n !== undefined && n >= 1 && n <= 65535;
};

/** Moves a valid legacy port to its replacement when that is unset or equal; returns whether it moved. */
function migratePort(spec: Dict, legacy: string, current: string): boolean {
  const old = spec[legacy];
  if (!isPort(old)) return false;
  if (spec[current] === undefined) spec[current] = old;
  if (spec[current] !== old) return false; // a conflict: validation reports it, the user decides
  delete spec[legacy];
  return true;
}

function defaultTransport(spec: Dict): void {
  if (spec.transport === undefined) spec.transport = DEFAULT_TRANSPORT;
  if (spec.transport === 'stdio' && spec.proxyMode === undefined) spec.proxyMode = DEFAULT_PROXY_MODE;
}

function defaultPorts(spec: Dict): void {
  // Only when no conflicting legacy value is still waiting for the user to resolve.
  if (spec.proxyPort === undefined && spec.port === undefined) spec.proxyPort = DEFAULT_PROXY_PORT;
  const http = spec.transport === 'sse' || spec.transport === 'streamable-http';
  if (http && spec.mcpPort === undefined && spec.targetPort === undefined) spec.mcpPort = DEFAULT_MCP_PORT;
}

function defaultPermissionProfile(spec: Dict, policy: AdmissionPolicy): void {
  const name = policy.defaultPermissionProfile;
  if (name && spec.permissionProfile === undefined) spec.permissionProfile = { type: 'builtin', name };
}

export function defaultMCPServer(obj: unknown, policy: AdmissionPolicy): Defaulted {
  if (!isDict(obj) || !isDict(obj.spec)) return { object: obj, warnings: [] };
  // A shallow copy: only top-level spec fields are set or removed, and a deep clone overflows the stack
  // on objects nested a few thousand levels deep, which the API server accepts (it stops at 10,000).
  const spec: Dict = { ...obj.spec };
  const warnings: string[] = [];
  if (migratePort(spec, 'port', 'proxyPort')) warnings.push(PORT_MOVED);
  if (migratePort(spec, 'targetPort', 'mcpPort')) warnings.push(TARGET_PORT_MOVED);
  defaultTransport(spec);
  defaultPorts(spec);
  defaultPermissionProfile(spec, policy);
  return { object: { ...obj, spec }, warnings };
}
