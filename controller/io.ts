// The edge between reconcile() and the cluster. reconcile.ts decides; an implementation of ReconcileIO
// reads caches and talks to the API server (cluster-io.ts), or records calls (the unit tests).
import type { Logger } from '../lib/log.ts';
import type { MCPServer, MCPServerStatus } from '../schemas/generated/mcpserver.ts';
import type { ControllerConfig } from './config.ts';
import type { ChildConflict } from './adoption.ts';
import type { ChildKind, ChildObject, Dict, ServerFacts } from './desired/types.ts';
import type { Verification, VerificationInput } from './verify/verifier.ts';
import { ApiError } from '../lib/kube/api-error.ts';

export interface ObjectKey {
  namespace: string;
  name: string;
}

export const keyString = (key: ObjectKey): string => `${key.namespace}/${key.name}`;

export interface ChildRef {
  kind: ChildKind;
  namespace: string;
  name: string;
}

/** What an apply did: `unchanged` means no request was needed (or the server changed nothing). */
export type ApplyResult = 'created' | 'configured' | 'unchanged';

export interface NotableEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

export interface ReconcileIO {
  readonly config: ControllerConfig;
  readonly log: Logger;
  now(): Date;
  /** The MCPServer as last seen (the informer cache); undefined when it no longer exists. */
  getServer(key: ObjectKey): MCPServer | undefined;
  /**
   * What the builders need besides the server: its Secrets as key digests (read from the API server
   * when their cached metadata changed; never their values), its profile ConfigMap (from caches).
   */
  getFacts(server: MCPServer): Promise<ServerFacts>;
  /** Objects of the kinds in CHILD_KINDS whose controller owner reference is this server. */
  listOwned(server: MCPServer): ChildRef[];
  /**
   * The desired children whose names are taken by objects their MCPServer does not control
   * (adoption.ts). From the caches; the API server is asked only about a child they cannot hold.
   */
  findConflicts(objects: readonly ChildObject[]): Promise<ChildConflict[]>;
  /**
   * Server-side applies one object with the operator's field manager, forcing ownership of the fields
   * sent. May skip the request when the object is known to be as last applied. Throws ApiError, or
   * ChildConflictError when the name turns out to be taken: it never writes over another's object.
   */
  apply(object: ChildObject): Promise<ApplyResult>;
  /** Deletes one child; a child already gone is not an error. */
  delete(ref: ChildRef): Promise<void>;
  /** The server's StatefulSet, proxy Deployment and their pods, from caches. */
  observe(server: MCPServer): { statefulSet: Dict | undefined; deployment: Dict | undefined; pods: Dict[] };
  /** Writes status (the status subresource); called only when it changed. */
  writeStatus(server: MCPServer, status: MCPServerStatus): Promise<void>;
  /** Records a Kubernetes Event on the MCPServer; failures are logged, never thrown. */
  recordEvent(server: MCPServer, event: NotableEvent): Promise<void>;
  /**
   * What status should say about the MCP handshake through the proxy (controller/verify/verifier.ts);
   * starts one, apart from the reconcile, when it is due. Unset: no checks (status keeps no verified).
   */
  verification?(server: MCPServer, input: VerificationInput): Verification;
}

/** An API error with its HTTP code (lib/kube/api-error.ts), for the controller's modules. */
export { ApiError };

/**
 * Errors retrying cannot fix: the API server rejected the object itself (invalid, forbidden by
 * admission). They wait for the next spec change, which triggers a reconcile anyway; retrying them
 * with backoff would only hammer the API server with the same rejected body.
 */
export const isTerminalApplyError = (err: unknown): boolean =>
  err instanceof ApiError && (err.code === 422 || err.code === 400);

/** An apply refused because the child's name is taken by an object its MCPServer does not control. */
export class ChildConflictError extends Error {
  readonly conflict: ChildConflict;
  constructor(conflict: ChildConflict) {
    super(`${conflict.kind} ${conflict.name} is not this MCPServer's (${conflict.owner})`);
    this.name = 'ChildConflictError';
    this.conflict = conflict;
  }
}
