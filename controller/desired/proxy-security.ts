// Who may use the proxy, in one place: its authentication (proxy-auth.ts), authorization and audit
// (proxy-authz.ts), and the policy's proxyClientNamespaces, as the run config, the proxy pod and its
// NetworkPolicy need them. Pure.
// A reference that cannot be resolved (missing, or not valid) never opens the proxy: `hold` is set,
// and the reconciler then leaves the proxy's run config and Deployment as they are, so a running proxy
// keeps its last good configuration, and a server whose proxy never had one gets none (no proxy, no
// way in: its MCP server pods accept connections from the proxy only). Status says why
// (OIDCConfigRefValidated / AuthzConfigRefValidated False, Ready False).
import type { MCPServer } from '../../schemas/generated/mcpserver.ts';
import type { ControllerConfig } from '../config.ts';
import { statusUrl } from '../status.ts';
import {
  NO_EGRESS,
  oidcPlan,
  TOOLHIVE_KUBE_ISSUER,
  type AuthEgress,
  type RunConfigAuth,
} from './proxy-auth.ts';
import { auditSection, authzPlan, type RunConfigAuthz } from './proxy-authz.ts';
import { desiredExposure, exposedProxy } from './httproute.ts';
import { namespaceOf } from './names.ts';
import { webhookConfigPlan, type RunConfigWebhooks } from './webhook-config.ts';
import { externalAuthPlan, type RunConfigOutgoingAuth } from './external-auth.ts';
import { telemetryPlan, type RunConfigTelemetry } from './telemetry.ts';
import type { Dict, Finding, ServerFacts } from './types.ts';

export interface ProxySecurity {
  auth?: RunConfigAuth;
  authz?: RunConfigAuthz;
  audit?: { enabled: true };
  /** spec.webhookConfigRef's webhooks (webhook-config.ts). */
  webhooks?: RunConfigWebhooks;
  /** spec.externalAuthConfigRef: how the proxy authenticates to the MCP server (external-auth.ts). */
  outgoingAuth?: RunConfigOutgoingAuth;
  /** spec.telemetryConfigRef or spec.telemetry: OpenTelemetry over OTLP (telemetry.ts). */
  telemetry?: RunConfigTelemetry;
  /** Environment of the proxy container from Secrets (the webhooks' HMAC keys, outgoing credentials). */
  env?: Dict[];
  /** Volumes and mounts of the proxy pod for the files auth names (client secret, CA bundle). */
  volumes: Dict[];
  mounts: Dict[];
  /** The proxy pod needs its ServiceAccount token (and the cluster CA) mounted. */
  clusterToken: boolean;
  egress: AuthEgress;
  /** proxyClientNamespaces: undefined, anyone may connect. */
  clients: readonly string[] | undefined;
  /** Host names besides the Service's that clients use: the exposed hostname (httproute.ts). */
  allowedHosts?: string[];
  findings: {
    oidc?: Finding;
    authz?: Finding;
    webhookConfig?: Finding;
    externalAuth?: Finding;
    telemetry?: Finding;
  };
  /** A reference could not be resolved: leave the proxy's run config and Deployment as they are. */
  hold: boolean;
}

/** A server with none of the fields, under no policy: the proxy as it was before they existed. */
export const OPEN: ProxySecurity = {
  volumes: [],
  mounts: [],
  clusterToken: false,
  egress: NO_EGRESS,
  clients: undefined,
  findings: {},
  hold: false,
};

export function proxySecurity(server: MCPServer, facts: ServerFacts, cfg: ControllerConfig): ProxySecurity {
  const spec = server.spec as unknown as Dict;
  const namespace = namespaceOf(server);
  // Exposed through a Gateway, the resource is the external URL (its metadata follows it).
  const exposure = desiredExposure(server, facts);
  const oidc = oidcPlan(spec, facts, {
    namespace,
    proxyUrl: exposure.externalUrl ?? statusUrl(server, cfg),
    clusterIssuer: facts.clusterIssuer ?? TOOLHIVE_KUBE_ISSUER,
    clusterDomain: cfg.clusterDomain,
  });
  const authz = authzPlan(spec, facts, namespace);
  const audit = auditSection(spec);
  const companions = companionParts(server, facts);
  return {
    ...(oidc.auth ? { auth: oidc.auth } : {}),
    ...(authz.authz ? { authz: authz.authz } : {}),
    ...(audit ? { audit } : {}),
    ...companions.sections,
    ...(companions.env.length ? { env: companions.env } : {}),
    volumes: [...oidc.volumes, ...companions.volumes],
    mounts: [...oidc.mounts, ...companions.mounts],
    clusterToken: oidc.clusterToken,
    egress: withPorts(oidc.egress, companions.egressPorts),
    ...exposedProxy(exposure, facts.proxyClients),
    findings: {
      ...(oidc.finding ? { oidc: oidc.finding } : {}),
      ...(authz.finding ? { authz: authz.finding } : {}),
      ...companions.findings,
    },
    hold: oidc.finding?.status === 'False' || authz.finding?.status === 'False' || companions.hold,
  };
}

/** The run config sections, environment, files and egress of the referenced companion resources. */
function companionParts(server: MCPServer, facts: ServerFacts) {
  const webhooks = webhookConfigPlan(server, facts);
  const outgoing = externalAuthPlan(server, facts);
  const telemetry = telemetryPlan(server, facts);
  return {
    sections: {
      ...(webhooks.section ? { webhooks: webhooks.section } : {}),
      ...(outgoing.section ? { outgoingAuth: outgoing.section } : {}),
      ...(telemetry.section ? { telemetry: telemetry.section } : {}),
    },
    findings: {
      ...(webhooks.finding ? { webhookConfig: webhooks.finding } : {}),
      ...(outgoing.finding ? { externalAuth: outgoing.finding } : {}),
      ...(telemetry.finding ? { telemetry: telemetry.finding } : {}),
    },
    hold: webhooks.hold || outgoing.hold || telemetry.hold,
    env: [...webhooks.env, ...outgoing.env, ...telemetry.env],
    egressPorts: [...webhooks.egressPorts, ...outgoing.egressPorts, ...telemetry.egressPorts],
    volumes: webhooks.volumes,
    mounts: webhooks.mounts,
  };
}

/** The proxy's egress with more ports open (sorted, once each); the same object when none. */
function withPorts(egress: ProxySecurity['egress'], ports: readonly number[]): ProxySecurity['egress'] {
  if (ports.length === 0) return egress;
  return { ...egress, ports: [...new Set([...egress.ports, ...ports])].sort((a, b) => a - b) };
}
