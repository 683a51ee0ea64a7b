// The words the verify room shares: what a handshake found, and what a server's check is made for.
import type { VerifiedStatus } from '../../schemas/generated/mcpserver.ts';

export type { VerifiedStatus };

/** The condition type the controller writes; absent until a server's first check has an answer. */
export const VERIFIED_CONDITION = 'Verified';

/** What one handshake through the proxy ended with (handshake.ts); never an exception. */
export type HandshakeOutcome =
  | {
      kind: 'verified';
      serverInfo: { name: string; version: string };
      protocolVersion: string;
      /** The keys of the ServerCapabilities, sorted. */
      capabilities: string[];
      /** Every tool name the proxy listed, every page, in its order. */
      tools: string[];
    }
  /** The proxy wants a bearer token (401) or refused the operator's (403). */
  | { kind: 'authentication-required'; message: string }
  | { kind: 'failed'; message: string };

/**
 * What a check is made for: the MCPServer's generation and the MCPToolConfig it names (with that
 * config's generation). A check answers for one subject; a new subject needs a new check.
 */
export interface Subject {
  generation: number;
  toolConfig?: { name: string; generation: number };
  /** The tool filter in force for this subject (the MCPToolConfig's toolsFilter); undefined: none. */
  toolsFilter?: readonly string[];
}

/** One string per subject, to compare and to key maps by. */
export const subjectKey = (s: Subject): string =>
  s.toolConfig ? `${s.generation}/${s.toolConfig.name}@${s.toolConfig.generation}` : `${s.generation}`;
