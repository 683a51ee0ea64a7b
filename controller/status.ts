// MCPServer status from what was observed, pure: no clock but the one passed in, no client.
// Phase, in order of precedence:
//   Terminating  the MCPServer has a deletionTimestamp (garbage collection removes the children)
//   Failed       a child could not be applied, or its name is taken by an object not this server's
//                (ChildConflict, adoption.ts), or an authentication or authorization reference cannot
//                be resolved (the proxy keeps its last configuration meanwhile: proxy-security.ts),
//                or a pod of the server or the proxy has a failure reason
//   Stopped      spec.replicas is 0
//   Ready        at least one proxy pod and the MCP server pod are ready: the URL answers. Both are
//                needed: a ready proxy in front of a server that is not running fails every request
//   Pending      anything else (being created, starting, rolling out)
// url is recomputed every time, so a changed port or proxy mode is never left stale.
import type { Condition, MCPServer, MCPServerStatus } from '../schemas/generated/mcpserver.ts';
import { contestedMessage, type Contested } from './adoption.ts';
import type { ControllerConfig } from './config.ts';
import { LABEL_COMPONENT } from './desired/labels.ts';
import { nameOf, namespaceOf, proxyServiceName } from './desired/names.ts';
import { EXPOSED_CONDITION } from './desired/httproute.ts';
import { SCALE_OUT_CONDITION } from './desired/scale-out.ts';
import { TOOL_CONFIG_CONDITION } from './desired/tool-config.ts';
import { isDict, type Dict, type Finding } from './desired/types.ts';
import { firstFailure, workloadHealth } from './pod-health.ts';
import { effectiveSpec, isStopped } from './spec.ts';

export type Phase = NonNullable<MCPServerStatus['phase']>;

export interface ApplyFailure {
  kind: string;
  name: string;
  message: string;
}

export interface Observed {
  statefulSet: Dict | undefined;
  deployment: Dict | undefined;
  /** Pods of both components, told apart by app.kubernetes.io/component. */
  pods: readonly Dict[];
  findings: {
    secrets: Finding;
    permissionProfile: Finding;
    oidc?: Finding;
    authz?: Finding;
    webhookConfig?: Finding;
    externalAuth?: Finding;
    telemetry?: Finding;
    scaleOut?: Finding;
    /** Condition ToolConfigValidated and status.toolConfigHash (desired/tool-config.ts), with a toolConfigRef. */
    toolConfig?: Finding & { hash?: string };
    /** Condition Exposed and the external URL (desired/httproute.ts), when the server asks to be exposed. */
    exposure?: Finding & { externalUrl?: string };
  };
  applyFailure: ApplyFailure | undefined;
  /** Children whose names are taken by objects not this server's, and those withheld meanwhile. */
  contested?: Contested | undefined;
  /** The MCP handshake through the proxy (controller/verify/): status.verified and the Verified condition. */
  verification?: { verified?: MCPServerStatus['verified']; finding?: Finding } | undefined;
}

export const CONDITION_TYPES = [
  'Ready',
  'WorkloadReady',
  'ProxyReady',
  'SecretsResolved',
  'PermissionProfileEnforced',
  'ResourcesApplied',
] as const;

/** ToolHive's conditions for the references, present only on servers that have one. */
export const REFERENCE_CONDITIONS = {
  oidc: 'OIDCConfigRefValidated',
  authz: 'AuthzConfigRefValidated',
  webhookConfig: 'WebhookConfigValidated',
  externalAuth: 'ExternalAuthConfigValidated',
  telemetry: 'TelemetryConfigRefValidated',
} as const;

export function statusUrl(server: MCPServer, cfg: ControllerConfig): string {
  const { proxyMode, proxyPort } = effectiveSpec(server);
  const host = `${proxyServiceName(server)}.${namespaceOf(server)}.svc.${cfg.clusterDomain}`;
  const path = proxyMode === 'sse' ? `/sse#${nameOf(server)}` : '/mcp';
  return `http://${host}:${proxyPort}${path}`;
}

const componentOf = (pod: Dict): unknown =>
  isDict(pod.metadata) && isDict(pod.metadata.labels) ? pod.metadata.labels[LABEL_COMPONENT] : undefined;

function workloadFinding(
  what: string,
  workload: Dict | undefined,
  pods: readonly Dict[],
  stopped: boolean,
): Finding {
  const health = workloadHealth(workload);
  const failure = firstFailure(pods);
  if (failure)
    return {
      status: 'False',
      reason: failure.reason,
      message: `${what} pod ${failure.pod}: ${failure.reason}`,
    };
  if (stopped) return { status: 'False', reason: 'Stopped', message: `${what} scaled to zero` };
  if (!health.exists) return { status: 'False', reason: 'NotFound', message: `${what} not created yet` };
  if (health.readyReplicas >= 1) {
    return {
      status: 'True',
      reason: 'Ready',
      message: `${health.readyReplicas}/${health.desiredReplicas} ${what} pods ready`,
    };
  }
  return { status: 'False', reason: 'Starting', message: `0/${health.desiredReplicas} ${what} pods ready` };
}

interface Verdict {
  phase: Phase;
  ready: Finding;
}

function phaseFor(server: MCPServer, observed: Observed, workload: Finding, proxy: Finding): Verdict {
  const notReady = (phase: Phase, reason: string, message: string): Verdict => ({
    phase,
    ready: { status: 'False', reason, message },
  });
  if (server.metadata?.deletionTimestamp)
    return notReady('Terminating', 'Terminating', 'MCPServer is being deleted');
  const applied = appliedFinding(observed);
  if (observed.contested?.conflicts.length) return notReady('Failed', applied.reason, applied.message);
  if (observed.applyFailure) return notReady('Failed', 'ApplyFailed', applyMessage(observed.applyFailure));
  const unresolved = unresolvedReference(observed);
  if (unresolved) return notReady('Failed', unresolved.reason, unresolved.message);
  for (const finding of [workload, proxy]) {
    if (finding.status === 'False' && !['Stopped', 'NotFound', 'Starting'].includes(finding.reason)) {
      return notReady('Failed', finding.reason, finding.message);
    }
  }
  if (isStopped(server)) return notReady('Stopped', 'Stopped', 'MCP server is stopped (replicas: 0)');
  if (workload.status === 'True' && proxy.status === 'True') {
    return {
      phase: 'Ready',
      ready: { status: 'True', reason: 'Ready', message: 'MCP server and proxy are ready' },
    };
  }
  const waiting = workload.status === 'True' ? proxy : workload;
  return notReady('Pending', waiting.reason, waiting.message);
}

/** An authentication or authorization reference that cannot be resolved (desired/proxy-security.ts). */
function unresolvedReference(observed: Observed): Finding | undefined {
  const { oidc, authz, webhookConfig, externalAuth, telemetry } = observed.findings;
  const finding = [oidc, authz, webhookConfig, externalAuth, telemetry].find((f) => f?.status === 'False');
  if (!finding) return undefined;
  return { ...finding, message: `${finding.message}; the proxy keeps its last configuration` };
}

const applyMessage = (f: ApplyFailure): string => `applying ${f.kind} ${f.name} failed: ${f.message}`;

/** A taken name outranks a failed apply: it lasts until someone acts, while a failure may pass. */
function appliedFinding(observed: Observed): Finding {
  if (observed.contested?.conflicts.length)
    return { status: 'False', reason: 'ChildConflict', message: contestedMessage(observed.contested) };
  if (observed.applyFailure)
    return { status: 'False', reason: 'ApplyFailed', message: applyMessage(observed.applyFailure) };
  return { status: 'True', reason: 'Applied', message: 'every child object is applied' };
}

/**
 * status.externalUrl while exposed; null once to clear one written before, since the status is written
 * as a merge patch, which keeps every key it does not name.
 */
function externalUrlOf(server: MCPServer, observed: Observed): { externalUrl?: string } {
  const url = observed.findings.exposure?.externalUrl;
  if (url) return { externalUrl: url };
  return server.status?.externalUrl ? { externalUrl: null as unknown as string } : {};
}

const findingOnly = ({ status, reason, message }: Finding): Finding => ({ status, reason, message });

/** lastTransitionTime moves only when a condition's status does, as metav1.Condition specifies. */
function condition(
  type: string,
  f: Finding,
  previous: readonly Condition[],
  now: Date,
  generation?: number,
): Condition {
  const before = previous.find((c) => c.type === type);
  const lastTransitionTime =
    before && before.status === f.status ? before.lastTransitionTime : now.toISOString();
  return {
    type,
    status: f.status,
    reason: f.reason,
    message: f.message,
    lastTransitionTime,
    ...(generation === undefined ? {} : { observedGeneration: generation }),
  };
}

export function statusFor(
  server: MCPServer,
  observed: Observed,
  cfg: ControllerConfig,
  now: Date,
): MCPServerStatus {
  const stopped = isStopped(server);
  const workload = workloadFinding(
    'MCP server',
    observed.statefulSet,
    observed.pods.filter((p) => componentOf(p) === 'mcp-server'),
    stopped,
  );
  const proxy = workloadFinding(
    'proxy',
    observed.deployment,
    observed.pods.filter((p) => componentOf(p) === 'proxy'),
    stopped,
  );
  const verdict = phaseFor(server, observed, workload, proxy);
  const generation = server.metadata?.generation;
  const previous = server.status?.conditions ?? [];
  const findings: Record<(typeof CONDITION_TYPES)[number], Finding> = {
    Ready: verdict.ready,
    WorkloadReady: workload,
    ProxyReady: proxy,
    SecretsResolved: observed.findings.secrets,
    PermissionProfileEnforced: observed.findings.permissionProfile,
    ResourcesApplied: appliedFinding(observed),
  };
  return {
    phase: verdict.phase,
    url: statusUrl(server, cfg),
    ...externalUrlOf(server, observed),
    message: verdict.ready.message,
    readyReplicas: workloadHealth(observed.deployment).readyReplicas,
    ...(generation === undefined ? {} : { observedGeneration: generation }),
    ...(observed.findings.toolConfig?.hash ? { toolConfigHash: observed.findings.toolConfig.hash } : {}),
    conditions: [
      ...CONDITION_TYPES.map((type) => condition(type, findings[type], previous, now, generation)),
      ...(['oidc', 'authz', 'externalAuth', 'telemetry', 'webhookConfig'] as const).flatMap((which) => {
        const finding = observed.findings[which];
        const type = REFERENCE_CONDITIONS[which];
        return finding ? [condition(type, finding, previous, now, generation)] : [];
      }),
      ...(observed.findings.scaleOut
        ? [condition(SCALE_OUT_CONDITION, observed.findings.scaleOut, previous, now, generation)]
        : []),
      ...(observed.findings.toolConfig
        ? [
            condition(
              TOOL_CONFIG_CONDITION,
              findingOnly(observed.findings.toolConfig),
              previous,
              now,
              generation,
            ),
          ]
        : []),
      ...(observed.findings.exposure
        ? [condition(EXPOSED_CONDITION, findingOnly(observed.findings.exposure), previous, now, generation)]
        : []),
      ...(observed.verification?.finding
        ? [condition('Verified', observed.verification.finding, previous, now, generation)]
        : []),
    ],
    ...(observed.verification?.verified ? { verified: observed.verification.verified } : {}),
  };
}

/** Whether writing `next` would change anything; the reconciler writes status only when it would. */
export function statusChanged(current: MCPServerStatus | undefined, next: MCPServerStatus): boolean {
  return JSON.stringify(canonical(current ?? {})) !== JSON.stringify(canonical(next));
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (!isDict(value)) return value;
  return Object.fromEntries(
    Object.keys(value)
      .filter((k) => value[k] !== undefined)
      .sort()
      .map((k) => [k, canonical(value[k])]),
  );
}
