// From a server and a handshake's outcome to what status says: status.verified and the Verified
// condition. Pure: the clock comes in as a Date.
//   verified     True  (Verified)                the handshake, tools/list and DELETE went through
//                False (HandshakeFailed)         it did not: the error, as the client saw it
//                Unknown (AuthenticationRequired) the proxy wants a bearer token the operator has none of
// status.verified is the last successful handshake: a failed one leaves it as it was, and the condition
// says it no longer holds.
import type { MCPServer } from '../../schemas/generated/mcpserver.ts';
import { companionKey } from '../../schemas/companion-refs.ts';
import { isDict, type Dict, type Finding } from '../desired/types.ts';
import type { HandshakeOutcome, Subject, VerifiedStatus } from './types.ts';

/** status.verified.tools holds at most this many names (toolCount has them all): status stays small. */
export const MAX_TOOL_NAMES = 100;

const dict = (v: unknown): Dict => (isDict(v) ? v : {});
const names = (v: unknown): string[] | undefined =>
  Array.isArray(v) ? v.filter((n): n is string => typeof n === 'string' && n !== '') : undefined;

/**
 * What a check of `server` now is made for. The MCPToolConfig comes from the facts the reconcile read
 * (undefined when it does not exist: the proxy then runs without it). Without a toolConfigRef, the older
 * spec.tools is the filter, and it is part of the server's generation.
 */
export function subjectOf(server: MCPServer, companions?: ReadonlyMap<string, Dict | undefined>): Subject {
  const generation = server.metadata?.generation ?? 0;
  const ref = server.spec.toolConfigRef?.name;
  const config = ref ? companions?.get(companionKey('MCPToolConfig', ref)) : undefined;
  if (ref && config) {
    const configGeneration = dict(config.metadata).generation;
    const filter = names(dict(config.spec).toolsFilter);
    return {
      generation,
      toolConfig: { name: ref, generation: typeof configGeneration === 'number' ? configGeneration : 0 },
      ...(filter?.length ? { toolsFilter: filter } : {}),
    };
  }
  const inline = names(server.spec.tools);
  return { generation, ...(inline?.length ? { toolsFilter: inline } : {}) };
}

/** The subject status.verified was made for, as subjectKey spells it; undefined when never verified. */
export function recordedSubject(verified: VerifiedStatus | undefined): Subject | undefined {
  if (!verified) return undefined;
  return {
    generation: verified.observedGeneration,
    ...(verified.toolConfig ? { toolConfig: verified.toolConfig } : {}),
  };
}

/** Names a filter lists that the proxy did not: typos, or tools the server does not have. */
export function unlistedFilterNames(
  tools: readonly string[],
  filter: readonly string[] | undefined,
): string[] {
  if (!filter?.length) return [];
  const listed = new Set(tools);
  return [...new Set(filter)].filter((name) => !listed.has(name)).sort();
}

/**
 * Tools listed that the filter does not allow: the proxy answered with an older configuration than
 * the subject's (its run config file is replaced a little after the apply). Such an answer is not
 * recorded; the check is made again.
 */
export function outsideFilter(tools: readonly string[], filter: readonly string[] | undefined): string[] {
  if (!filter?.length) return [];
  const allowed = new Set(filter);
  return tools.filter((name) => !allowed.has(name));
}

export function verifiedStatus(
  outcome: Extract<HandshakeOutcome, { kind: 'verified' }>,
  subject: Subject,
  now: Date,
): VerifiedStatus {
  const tools = [...new Set(outcome.tools)].sort();
  return {
    serverInfo: outcome.serverInfo,
    protocolVersion: outcome.protocolVersion,
    capabilities: outcome.capabilities,
    tools: tools.slice(0, MAX_TOOL_NAMES),
    toolCount: outcome.tools.length,
    lastVerifiedTime: now.toISOString(),
    observedGeneration: subject.generation,
    ...(subject.toolConfig ? { toolConfig: subject.toolConfig } : {}),
  };
}

const quoteAll = (list: readonly string[]): string => list.map((n) => JSON.stringify(n)).join(', ');

export function verifiedFinding(outcome: HandshakeOutcome, subject: Subject): Finding {
  switch (outcome.kind) {
    case 'verified': {
      const { name, version } = outcome.serverInfo;
      const who = [name, version].filter(Boolean).join(' ') || 'a server with no serverInfo';
      const count = outcome.tools.length;
      const base = `MCP handshake through the proxy: ${who}, protocol ${outcome.protocolVersion || 'unknown'}, ${count} tool${count === 1 ? '' : 's'}`;
      const unlisted = unlistedFilterNames(outcome.tools, subject.toolsFilter);
      const note = unlisted.length
        ? `; the toolsFilter names tools the proxy does not list: ${quoteAll(unlisted)}`
        : '';
      return { status: 'True', reason: 'Verified', message: base + note };
    }
    case 'authentication-required':
      return {
        status: 'Unknown',
        reason: 'AuthenticationRequired',
        message: `the proxy requires a bearer token and the operator presents none, so it cannot verify the server (${outcome.message})`,
      };
    case 'failed':
      return { status: 'False', reason: 'HandshakeFailed', message: outcome.message };
  }
}

/** The Verified condition as status has it now, to carry over while nothing new is known. */
export function previousFinding(server: MCPServer, type: string): Finding | undefined {
  const found = server.status?.conditions?.find((c) => c.type === type);
  return found ? { status: found.status, reason: found.reason, message: found.message } : undefined;
}
