// The proxy's backend with authorization and audit around it when the run config asks for either
// (config.authz: Cedar; config.audit: one JSON line per request), else the backend itself. Called once
// by proxy.ts; throws, naming the problem, when the Cedar config cannot be enforced as written, so a
// proxy never starts with a policy it would apply differently than it reads.
import type { Writable } from 'node:stream';
import type { Logger } from '../../lib/log.ts';
import type { Backend } from '../backends/backend.ts';
import type { ProxyConfig } from '../config.ts';
import { AuditLog } from './audit.ts';
import { AuthorizingBackend } from './authorizing-backend.ts';
import { CedarAuthorizer } from './cedar-authorizer.ts';

export function withAuthorization(
  backend: Backend,
  config: Pick<ProxyConfig, 'name' | 'namespace' | 'authz' | 'audit'>,
  io: { log: Logger; auditOut?: Writable },
): Backend {
  if (!config.authz && !config.audit) return backend;
  const authorizer = config.authz ? new CedarAuthorizer(config.authz, config.name) : undefined;
  const audit = config.audit
    ? new AuditLog(io.auditOut ?? process.stdout, { name: config.name, namespace: config.namespace })
    : undefined;
  // Buffered lines reach stdout however the process ends short of a kill (process.stdout writes are
  // synchronous to files and pipes, so an exit handler may write).
  if (audit && !io.auditOut) process.once('exit', () => audit.flush());
  if (authorizer)
    io.log.info(
      { policies: config.authz!.policies.length, decisionCache: authorizer.caching },
      'Cedar authorization is on: requests the policies do not permit are answered 403 Unauthorized',
    );
  if (audit) io.log.info('audit is on: one JSON line per MCP request on stdout');
  return new AuthorizingBackend(backend, {
    log: io.log,
    ...(authorizer ? { authorizer } : {}),
    ...(audit ? { audit } : {}),
  });
}
