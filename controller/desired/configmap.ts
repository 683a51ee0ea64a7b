// The proxy's configuration, ConfigMap `<name>-runconfig`, key runconfig.json, mounted into the proxy.
// It holds what the proxy needs to serve and nothing it could read itself: its front (proxyMode, port)
// and where the MCP server is (a URL for sse and streamable-http, a pod to attach to for stdio), and,
// when the MCPServer asks for them, its authentication, authorization and audit (proxy-security.ts),
// and its shared session storage and rate limits (scale-out.ts); those sections are left out when
// unused. An HTTP target also lists one URL per MCP server pod (podUrls), which the proxy spreads
// sessions over; `url`, the Service's, stays for proxies that read only it.
// Its checksum goes on the proxy's pod template, so an edit rolls the proxy.
import { createHash } from 'node:crypto';
import type { MCPServer } from '../../schemas/generated/mcpserver.ts';
import type { ControllerConfig } from '../config.ts';
import { effectiveSpec, type ProxyMode, type Transport } from '../spec.ts';
import { childMetadata, commonLabels } from './labels.ts';
import { firstPodName, MCP_CONTAINER, mcpServiceName, nameOf, namespaceOf, runConfigName } from './names.ts';
import type { RunConfigAuth } from './proxy-auth.ts';
import type { RunConfigAuthz } from './proxy-authz.ts';
import { edgeSection, type RunConfigEdge } from './proxy-edge.ts';
import { OPEN, type ProxySecurity } from './proxy-security.ts';
import {
  podUrls,
  rateLimitingSection,
  sessionStorageSection,
  type RunConfigRateLimiting,
  type RunConfigSessionStorage,
} from './scale-out.ts';
import type { RunConfigTools } from './tool-config.ts';
import type { ChildObject } from './types.ts';
import type { RunConfigWebhooks } from './webhook-config.ts';
import type { RunConfigOutgoingAuth } from './external-auth.ts';
import type { RunConfigTelemetry } from './telemetry.ts';

export const RUNCONFIG_KEY = 'runconfig.json';
export const RUNCONFIG_MOUNT_DIR = '/etc/mcp-operator';
export const RUNCONFIG_CHECKSUM_ANNOTATION = 'mcp-operator/runconfig-checksum';

export type ProxyTarget =
  | { kind: 'attach'; namespace: string; pod: string; container: string }
  | { kind: 'http'; url: string; podUrls: string[] };

/** The proxy's configuration format, version 1. `mcp-operator proxy --config FILE` reads it. */
export interface RunConfig {
  version: 1;
  server: { name: string; namespace: string };
  transport: Transport;
  proxyMode: ProxyMode;
  proxyPort: number;
  target: ProxyTarget;
  /** The exposed hostname (httproute.ts): the Gateway keeps the client's Host header. */
  allowedHosts?: string[];
  auth?: RunConfigAuth;
  authz?: RunConfigAuthz;
  audit?: { enabled: true };
  sessionStorage?: RunConfigSessionStorage;
  rateLimiting?: RunConfigRateLimiting;
  /** proxy-edge.ts: behind an ingress, and the HTTP server's timeouts; read at start. */
  edge?: RunConfigEdge;
  /** webhook-config.ts, through proxy-security.ts: in the checksum, the proxy reads it at start only. */
  webhooks?: RunConfigWebhooks;
  /** external-auth.ts, through proxy-security.ts: in the checksum, the proxy reads it at start only. */
  outgoingAuth?: RunConfigOutgoingAuth;
  /** telemetry.ts, through proxy-security.ts: in the checksum, the proxy reads it at start only. */
  telemetry?: RunConfigTelemetry;
  /** tool-config.ts: only in the ConfigMap, never in runConfig() (the pod template's checksum). */
  tools?: RunConfigTools;
}

const PATH_BY_TRANSPORT: Record<'sse' | 'streamable-http', string> = {
  sse: '/sse',
  'streamable-http': '/mcp',
};

export function runConfig(
  server: MCPServer,
  cfg: ControllerConfig,
  security: ProxySecurity = OPEN,
): RunConfig {
  const { transport, proxyMode, proxyPort, mcpPort } = effectiveSpec(server);
  const namespace = namespaceOf(server);
  const target: ProxyTarget =
    transport === 'stdio'
      ? { kind: 'attach', namespace, pod: firstPodName(server), container: MCP_CONTAINER }
      : {
          kind: 'http',
          url: `http://${mcpServiceName(server)}.${namespace}.svc.${cfg.clusterDomain}:${mcpPort}${PATH_BY_TRANSPORT[transport]}`,
          podUrls: podUrls(server, cfg.clusterDomain, mcpPort!, PATH_BY_TRANSPORT[transport]),
        };
  const { auth, authz, audit } = security;
  const sessionStorage = sessionStorageSection(server);
  const rateLimiting = rateLimitingSection(server);
  const edge = edgeSection(server);
  return {
    version: 1,
    server: { name: nameOf(server), namespace },
    transport,
    proxyMode,
    proxyPort,
    target,
    ...(security.allowedHosts ? { allowedHosts: security.allowedHosts } : {}),
    ...(auth ? { auth } : {}),
    ...(authz ? { authz } : {}),
    ...(audit ? { audit } : {}),
    ...(sessionStorage ? { sessionStorage } : {}),
    ...(rateLimiting ? { rateLimiting } : {}),
    ...(edge ? { edge } : {}),
    ...(security.webhooks ? { webhooks: security.webhooks } : {}),
    ...(security.outgoingAuth ? { outgoingAuth: security.outgoingAuth } : {}),
    ...(security.telemetry ? { telemetry: security.telemetry } : {}),
  };
}

/** Stable text: the checksum must not change when nothing did. */
export const runConfigText = (config: RunConfig): string => `${JSON.stringify(config, null, 2)}\n`;

export const runConfigChecksum = (text: string): string => createHash('sha256').update(text).digest('hex');

export function desiredRunConfigMap(
  server: MCPServer,
  cfg: ControllerConfig,
  security: ProxySecurity = OPEN,
  tools?: RunConfigTools,
): ChildObject {
  // The tools section is added here and not in runConfig(): the running proxy re-reads it, so changing
  // it must not change the checksum that rolls the proxy (deployment.ts).
  const config: RunConfig = { ...runConfig(server, cfg, security), ...(tools ? { tools } : {}) };
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: childMetadata(server, runConfigName(server), commonLabels(server)),
    data: { [RUNCONFIG_KEY]: runConfigText(config) },
  };
}
