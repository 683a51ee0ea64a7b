// A warning, never a denial: the MCPToolConfig that spec.toolConfigRef names filters tools that the
// proxy did not list in the controller's last MCP handshake (status.verified.tools, controller/verify/):
// a typo, or a tool the server does not have, which the filter then lets nobody call.
// Where the status comes from: on UPDATE the API server keeps status as stored (the status subresource),
// so the object under review carries the last verified tools; on CREATE there is none and nothing is said.
// `mcp-operator validate` sees the status of an exported object the same way.
// When the last check cannot tell, nothing is said:
//   - status.verified.tools was cut at 100 names (toolCount is more);
//   - the check was made under another MCPToolConfig, whose filter may have hidden the names.
// Under the same MCPToolConfig, the check listed what that config let through, renamed as clients see
// it (toolsFilter names tools as clients see them), so a name it lists but the proxy did not is missing.
// The MCPToolConfig's own admission says nothing: it would take a list of the MCPServers naming it
// (the webhook keeps no MCPServer cache); the controller instead names such tools in the Verified
// condition's message after it checks again under the new filter.
// Pure: AdmissionFacts.companions holds the MCPToolConfig's spec (facts.ts).
import { companionKey } from './companion-references.ts';
import type { AdmissionFacts } from '../facts.ts';
import { dict, specOf, str } from './shape.ts';

const SHOWN = 10;

const strings = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((n): n is string => typeof n === 'string' && n !== '') : [];

const quoteAll = (names: readonly string[]): string => names.map((n) => JSON.stringify(n)).join(', ');

export function toolConfigVsVerifiedWarnings(server: unknown, facts: AdmissionFacts): string[] {
  const ref = str(dict(specOf(server).toolConfigRef).name);
  const verified = dict(dict(dict(server).status).verified);
  const tools = strings(verified.tools);
  if (!ref || verified.toolCount === undefined || Number(verified.toolCount) > tools.length) return [];
  const verifiedUnder = str(dict(verified.toolConfig).name);
  if (verifiedUnder !== undefined && verifiedUnder !== ref) return [];
  const filter = strings(dict(facts.companions?.get(companionKey('MCPToolConfig', ref))).toolsFilter);
  const listed = new Set(tools);
  const missing = [...new Set(filter)].filter((name) => !listed.has(name)).sort();
  if (missing.length === 0) return [];
  const shown = tools.slice(0, SHOWN);
  const listing = tools.length
    ? `it listed ${quoteAll(shown)}${tools.length > SHOWN ? ` and ${tools.length - SHOWN} more` : ''}`
    : 'it listed no tools';
  return [
    `spec.toolConfigRef.name: MCPToolConfig ${JSON.stringify(ref)} filters ${quoteAll(missing)}, which the proxy did not list when last verified (${listing})`,
  ];
}
