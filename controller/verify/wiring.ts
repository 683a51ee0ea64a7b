// The verifier as the manager runs it: a handshake (handshake.ts) with each server's proxy, dialled the
// way target.ts says for where the operator runs. Options come from the CLI (--verify-proxies, default
// auto); a Manager made without them (the integration tests' in-process controllers) checks nothing.
import type { Logger } from '../../lib/log.ts';
import type { ApiAccess } from '../../lib/kube/access.ts';
import type { ControllerConfig } from '../config.ts';
import { apiServerFetch } from './api-server-fetch.ts';
import { handshake } from './handshake.ts';
import { autoDialMode, proxyEndpoint, type DialMode } from './target.ts';
import { Verifier } from './verifier.ts';

/** A few seconds: a healthy proxy answers initialize and tools/list in milliseconds. */
export const DEFAULT_VERIFY_TIMEOUT_MS = 5_000;

export interface VerifyOptions {
  /** How to reach the proxies; `auto`: target.ts autoDialMode; `off` (the default here): no checks. */
  mode?: DialMode | 'off' | 'auto';
  timeoutMs?: number;
  concurrency?: number;
}

export function createVerifier(deps: {
  access: ApiAccess;
  config: ControllerConfig;
  log: Logger;
  enqueue: (key: string) => void;
  options?: VerifyOptions;
}): Verifier | undefined {
  const mode = dialModeOf(deps.options);
  if (mode === 'off') return undefined;
  const fetch = mode === 'api-server' ? apiServerFetch(deps.access) : undefined;
  const timeoutMs = deps.options?.timeoutMs ?? DEFAULT_VERIFY_TIMEOUT_MS;
  return new Verifier({
    check: (server) =>
      handshake({
        url: proxyEndpoint(server, mode, deps.config, deps.access.server),
        timeoutMs,
        ...(fetch ? { fetch } : {}),
      }),
    enqueue: deps.enqueue,
    log: deps.log,
    ...(deps.options?.concurrency ? { concurrency: deps.options.concurrency } : {}),
  });
}

/** The mode the options come to where this process runs. */
export function dialModeOf(options: VerifyOptions | undefined): DialMode | 'off' {
  const asked = options?.mode ?? 'off';
  return asked === 'auto' ? autoDialMode() : asked;
}

/**
 * The proxyClientNamespaces the proxies' ingress follows, with the operator's own namespace added when
 * the controller dials the proxy Services from there: otherwise a policy listing namespaces would make
 * every check time out. Unset stays unset (anyone may connect).
 */
export function clientsWithOperator(
  clients: readonly string[] | undefined,
  operatorNamespace: string | undefined,
): readonly string[] | undefined {
  if (clients === undefined || operatorNamespace === undefined || clients.includes(operatorNamespace))
    return clients;
  return [...clients, operatorNamespace];
}
