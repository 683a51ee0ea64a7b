// The MCP server's NetworkPolicy (ToolHive's operator makes none). It always exists and always
// restricts ingress: the server pod admits its own proxy alone.
//   sse, streamable-http  from the proxy pods of the same MCPServer (same namespace), TCP to the MCP port
//   stdio                 nothing: the proxy reaches the server through the API server's pods/attach,
//                         never over the network
// Replies to allowed connections need no rule in either direction.
//
// Egress follows spec.permissionProfile (ToolHive's operator accepts a profile and enforces nothing).
// No profile means builtin `none`, as admission's policy check reads it (webhook/rules/policy.ts): a
// server nobody gave network access has none.
//   builtin none     no egress at all, not even DNS (also: no profile)
//   builtin network  all egress
//   configmap        the ports and IP/CIDR hosts it lists; insecure_allow_all allows everything.
// A NetworkPolicy cannot name hosts, so host names are not allowed (fail closed) and are reported in the
// PermissionProfileEnforced condition rather than dropped silently. A profile that cannot be read also
// fails closed: a typo must not open the network.
import { isIP } from 'node:net';
import type { MCPServer } from '../../schemas/generated/mcpserver.ts';
import { parsePermissionProfile, type OutboundPermissions } from '../../schemas/permission-profile.ts';
import { effectiveSpec } from '../spec.ts';
import { childMetadata, commonLabels, selectorLabels } from './labels.ts';
import { networkPolicyName } from './names.ts';
import type { ChildObject, Dict, Finding, ServerFacts } from './types.ts';

type Egress = Dict[];
type Ingress = Dict[];

const ALLOW_ALL: Egress = [{}];
const DENY_ALL: Egress = [];
const enforced = (reason: string, message: string): Finding => ({ status: 'True', reason, message });
const notEnforced = (reason: string, message: string): Finding => ({ status: 'False', reason, message });

function cidrOf(host: string): string | undefined {
  const [address, bits] = host.split('/');
  const family = isIP(address ?? '');
  if (family === 0) return undefined;
  if (bits !== undefined) return /^\d{1,3}$/.test(bits) ? host : undefined;
  return `${address}/${family === 4 ? 32 : 128}`;
}

/** Egress rules for ToolHive's outbound permissions, and the host names that could not be expressed. */
export function outboundEgress(outbound: OutboundPermissions): { egress: Egress; unenforceable: string[] } {
  if (outbound.insecure_allow_all) return { egress: ALLOW_ALL, unenforceable: [] };
  const hosts = outbound.allow_host ?? [];
  const cidrs = hosts.map(cidrOf).filter((c): c is string => c !== undefined);
  const unenforceable = hosts.filter((h) => cidrOf(h) === undefined);
  const ports = (outbound.allow_port ?? []).flatMap((port) => [
    { protocol: 'TCP', port },
    { protocol: 'UDP', port },
  ]);
  if (cidrs.length === 0 && (hosts.length > 0 || ports.length === 0))
    return { egress: DENY_ALL, unenforceable };
  const rule: Dict = {};
  if (cidrs.length) rule.to = cidrs.map((cidr) => ({ ipBlock: { cidr } }));
  if (ports.length) rule.ports = ports;
  return { egress: [rule], unenforceable };
}

function configMapEgress(server: MCPServer, facts: ServerFacts): { egress: Egress; finding: Finding } {
  const ref = server.spec.permissionProfile!;
  const where = `ConfigMap ${ref.name} key ${ref.key ?? '(none)'}`;
  const text = facts.profileConfigMap?.[ref.key ?? ''];
  if (facts.profileConfigMap === undefined || text === undefined) {
    return {
      egress: DENY_ALL,
      finding: notEnforced('ProfileNotFound', `${where} not found; all egress denied`),
    };
  }
  const parsed = parsePermissionProfile(text);
  if ('error' in parsed) {
    return {
      egress: DENY_ALL,
      finding: notEnforced('ProfileInvalid', `${where}: ${parsed.error}; all egress denied`),
    };
  }
  const { egress, unenforceable } = outboundEgress(parsed.profile.network?.outbound ?? {});
  if (unenforceable.length === 0)
    return { egress, finding: enforced('Enforced', `egress limited as ${where} lists`) };
  const message = `a NetworkPolicy cannot allow host names, so egress to ${unenforceable.join(', ')} is denied`;
  return { egress, finding: notEnforced('HostNamesNotEnforceable', message) };
}

function egressFor(server: MCPServer, facts: ServerFacts): { egress: Egress; finding: Finding } {
  const ref = server.spec.permissionProfile!;
  if (ref.type === 'configmap') return configMapEgress(server, facts);
  if (ref.name === 'network')
    return {
      egress: ALLOW_ALL,
      finding: enforced('Enforced', 'builtin profile network: all egress allowed'),
    };
  if (ref.name === 'none')
    return { egress: DENY_ALL, finding: enforced('Enforced', 'builtin profile none: no egress allowed') };
  return {
    egress: DENY_ALL,
    finding: notEnforced('ProfileUnknown', `unknown builtin profile ${ref.name}; all egress denied`),
  };
}

/**
 * Who may connect to the MCP server: its own proxy pods, on the port the server Services target; for
 * stdio, which has no port (effectiveSpec gives none), nobody.
 */
export function proxyOnlyIngress(server: MCPServer): Ingress {
  const { mcpPort } = effectiveSpec(server);
  if (mcpPort === undefined) return [];
  return [
    {
      from: [{ podSelector: { matchLabels: selectorLabels(server, 'proxy') } }],
      ports: [{ protocol: 'TCP', port: mcpPort }],
    },
  ];
}

/** The NetworkPolicy (always: ingress is always restricted) and what status should say of the profile. */
export function desiredNetworkPolicy(
  server: MCPServer,
  facts: ServerFacts,
): { object: ChildObject; finding: Finding } {
  const ingress = proxyOnlyIngress(server);
  const policy = (policyTypes: string[], rules: Dict): ChildObject => ({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: childMetadata(server, networkPolicyName(server), commonLabels(server)),
    spec: { podSelector: { matchLabels: selectorLabels(server, 'mcp-server') }, policyTypes, ...rules },
  });
  if (!server.spec.permissionProfile) {
    return {
      object: policy(['Ingress', 'Egress'], { ingress, egress: DENY_ALL }),
      finding: enforced('NoProfile', 'no permission profile set, so builtin none: no egress allowed'),
    };
  }
  const { egress, finding } = egressFor(server, facts);
  return { object: policy(['Ingress', 'Egress'], { ingress, egress }), finding };
}
