// Everything one MCPServer becomes, in apply order (ServiceAccounts and the ConfigMap before the
// workloads that use them), and what the builders found that status must report. When an
// authentication or authorization reference cannot be resolved, the proxy's run config and Deployment
// are `held`: desired (so never pruned) but not applied, and the proxy keeps what it has
// (proxy-security.ts).
import type { MCPServer } from '../../schemas/generated/mcpserver.ts';
import type { ControllerConfig } from '../config.ts';
import { desiredRunConfigMap } from './configmap.ts';
import { desiredProxyDeployment } from './deployment.ts';
import { desiredExposure } from './httproute.ts';
import { desiredNetworkPolicy } from './networkpolicy.ts';
import { desiredProxyNetworkPolicy } from './proxy-networkpolicy.ts';
import { desiredRbac } from './rbac.ts';
import { desiredServices } from './services.ts';
import { proxySecurity } from './proxy-security.ts';
import { redisPasswordRef, scaleOutFinding } from './scale-out.ts';
import { desiredStatefulSet } from './statefulset.ts';
import { toolConfigPlan } from './tool-config.ts';
import type { ChildObject, Finding, ServerFacts } from './types.ts';

export interface DesiredState {
  objects: ChildObject[];
  /** Objects of `objects` not to apply now (nor prune): the proxy's, while a reference is unresolved. */
  held: ChildObject[];
  findings: {
    secrets: Finding;
    permissionProfile: Finding;
    oidc?: Finding;
    authz?: Finding;
    webhookConfig?: Finding;
    /** Condition ExternalAuthConfigValidated (external-auth.ts), with an externalAuthConfigRef. */
    externalAuth?: Finding;
    /** Condition TelemetryConfigRefValidated (telemetry.ts), with a telemetryConfigRef. */
    telemetry?: Finding;
    scaleOut?: Finding;
    /** Condition ToolConfigValidated and status.toolConfigHash (tool-config.ts), with a toolConfigRef. */
    toolConfig?: Finding & { hash?: string };
    exposure?: Finding & { externalUrl?: string };
  };
}

/**
 * Whether every Secret key in spec.secrets and the Redis passwordRef exists. Missing ones are still
 * applied: the pod waits.
 */
export function checkSecrets(server: MCPServer, facts: ServerFacts): Finding {
  const password = redisPasswordRef(server);
  const refs = [...(server.spec.secrets ?? []), ...(password ? [password] : [])];
  const missing = refs.flatMap((ref) => {
    const data = facts.secrets.get(ref.name);
    if (data === undefined) return [`Secret ${ref.name} not found`];
    return data[ref.key] === undefined ? [`Secret ${ref.name} has no key ${ref.key}`] : [];
  });
  if (missing.length) return { status: 'False', reason: 'SecretNotFound', message: missing.join('; ') };
  return { status: 'True', reason: 'Resolved', message: 'every referenced Secret key exists' };
}

export function desiredChildren(server: MCPServer, facts: ServerFacts, cfg: ControllerConfig): DesiredState {
  const policy = desiredNetworkPolicy(server, facts);
  const security = proxySecurity(server, facts, cfg);
  const tools = toolConfigPlan(server, facts);
  const runConfig = desiredRunConfigMap(server, cfg, security, tools.section);
  const proxy = desiredProxyDeployment(server, cfg, security, facts);
  const scaleOut = scaleOutFinding(server);
  const exposure = desiredExposure(server, facts);
  const objects = [
    ...desiredRbac(server),
    runConfig,
    policy.object,
    desiredProxyNetworkPolicy(server, facts, security),
    ...desiredServices(server),
    desiredStatefulSet(server, facts),
    proxy,
    ...(exposure.route ? [exposure.route] : []),
  ];
  return {
    objects,
    held: security.hold || tools.hold ? [runConfig, proxy] : [],
    findings: {
      secrets: checkSecrets(server, facts),
      permissionProfile: policy.finding,
      ...security.findings,
      ...(scaleOut ? { scaleOut } : {}),
      ...(tools.finding
        ? { toolConfig: { ...tools.finding, ...(tools.hash ? { hash: tools.hash } : {}) } }
        : {}),
      ...(exposure.finding
        ? {
            exposure: {
              ...exposure.finding,
              ...(exposure.externalUrl ? { externalUrl: exposure.externalUrl } : {}),
            },
          }
        : {}),
    },
  };
}
