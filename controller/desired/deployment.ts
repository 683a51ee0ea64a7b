// The proxy: Deployment `<name>` running `mcp-operator proxy`, one MCP endpoint in front of the server
// whatever its transport. spec.resources and spec.resourceOverrides.proxyDeployment apply here.
// Authentication adds the files its run config section names (proxy-security.ts): a client secret and
// a CA bundle as volumes, and for kubernetesServiceAccount with useClusterAuth the pod's own
// ServiceAccount token, which an HTTP proxy otherwise does not get. Shared session storage adds the Redis
// password as an environment variable from its Secret, and a keyed checksum of it (scale-out.ts).
import type { MCPServer } from '../../schemas/generated/mcpserver.ts';
import type { ControllerConfig } from '../config.ts';
import { effectiveSpec } from '../spec.ts';
import {
  RUNCONFIG_CHECKSUM_ANNOTATION,
  RUNCONFIG_KEY,
  RUNCONFIG_MOUNT_DIR,
  runConfig,
  runConfigChecksum,
  runConfigText,
} from './configmap.ts';
import { childMetadata, componentLabels, selectorLabels } from './labels.ts';
import { PROXY_CONTAINER, proxyDeploymentName, proxyRunnerName, runConfigName } from './names.ts';
import { withRestrictedDefaults } from '../../lib/restricted-pod-defaults.ts';
import { OPEN, type ProxySecurity } from './proxy-security.ts';
import {
  redisPasswordEnv,
  SESSION_STORAGE_CHECKSUM_ANNOTATION,
  sessionStorageChecksum,
} from './scale-out.ts';
import type { ChildObject, Dict, ServerFacts } from './types.ts';

const probe = (initialDelaySeconds: number, periodSeconds: number): Dict => ({
  httpGet: { path: '/health', port: 'http' },
  initialDelaySeconds,
  periodSeconds,
  timeoutSeconds: 3,
  failureThreshold: 3,
});

/**
 * Unset spec.replicas leaves the field out of the apply, so an autoscaler (or kubectl scale) can own it.
 * A stdio server has one stdin: more than one proxy would interleave two clients' messages on it.
 */
function proxyReplicas(server: MCPServer): number | undefined {
  const replicas = server.spec.replicas;
  if (replicas === undefined) return undefined;
  return effectiveSpec(server).transport === 'stdio' ? Math.min(replicas, 1) : replicas;
}

function proxyContainer(server: MCPServer, cfg: ControllerConfig, security: ProxySecurity): Dict {
  const overrides = server.spec.resourceOverrides?.proxyDeployment;
  const container: Dict = {
    name: PROXY_CONTAINER,
    image: cfg.proxyImage,
    args: ['proxy', '--config', `${RUNCONFIG_MOUNT_DIR}/${RUNCONFIG_KEY}`],
    ports: [{ name: 'http', containerPort: effectiveSpec(server).proxyPort, protocol: 'TCP' }],
    volumeMounts: [
      { name: 'runconfig', mountPath: RUNCONFIG_MOUNT_DIR, readOnly: true },
      ...structuredClone(security.mounts),
    ],
    livenessProbe: probe(15, 10),
    // Every second: the proxy answers /health from memory, and a new server's clients wait for Ready.
    readinessProbe: probe(0, 1),
  };
  // The password variable last, and the user's of the same name dropped: env is a list keyed by name.
  const password = redisPasswordEnv(server);
  const fromSecrets = [...password, ...structuredClone(security.env ?? [])];
  const userEnv = (overrides?.env ?? [])
    .filter((e) => !fromSecrets.some((p) => p.name === e.name))
    .map((e): Dict => ({ name: e.name, value: e.value }));
  if (userEnv.length || fromSecrets.length) container.env = [...userEnv, ...fromSecrets];
  if (server.spec.resources) container.resources = structuredClone(server.spec.resources);
  return container;
}

function podTemplate(
  server: MCPServer,
  cfg: ControllerConfig,
  security: ProxySecurity,
  facts: ServerFacts | undefined,
): Dict {
  const overrides = server.spec.resourceOverrides?.proxyDeployment;
  const podOverrides = overrides?.podTemplateMetadataOverrides;
  const checksum = runConfigChecksum(runConfigText(runConfig(server, cfg, security)));
  const passwordChecksum = facts ? sessionStorageChecksum(server, facts) : undefined;
  const spec: Dict = {
    serviceAccountName: proxyRunnerName(server),
    // Only a stdio proxy calls the API (to attach), or one that fetches the API server's JWKS with
    // its own token; the others get no token to leak.
    automountServiceAccountToken: effectiveSpec(server).transport === 'stdio' || security.clusterToken,
    containers: [proxyContainer(server, cfg, security)],
    volumes: [
      { name: 'runconfig', configMap: { name: runConfigName(server) } },
      ...structuredClone(security.volumes),
    ],
  };
  if (overrides?.imagePullSecrets?.length)
    spec.imagePullSecrets = structuredClone(overrides.imagePullSecrets);
  return {
    metadata: {
      labels: { ...(podOverrides?.labels ?? {}), ...componentLabels(server, 'proxy') },
      annotations: {
        ...(podOverrides?.annotations ?? {}),
        [RUNCONFIG_CHECKSUM_ANNOTATION]: checksum,
        ...(passwordChecksum ? { [SESSION_STORAGE_CHECKSUM_ANNOTATION]: passwordChecksum } : {}),
      },
    },
    spec: withRestrictedDefaults(spec),
  };
}

export function desiredProxyDeployment(
  server: MCPServer,
  cfg: ControllerConfig,
  security: ProxySecurity = OPEN,
  facts?: ServerFacts,
): ChildObject {
  const overrides = server.spec.resourceOverrides?.proxyDeployment;
  const metadata = childMetadata(server, proxyDeploymentName(server), {
    ...(overrides?.labels ?? {}),
    ...componentLabels(server, 'proxy'),
  });
  if (overrides?.annotations && Object.keys(overrides.annotations).length) {
    metadata.annotations = { ...overrides.annotations };
  }
  const replicas = proxyReplicas(server);
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata,
    spec: {
      ...(replicas === undefined ? {} : { replicas }),
      selector: { matchLabels: selectorLabels(server, 'proxy') },
      template: podTemplate(server, cfg, security, facts),
    },
  };
}
