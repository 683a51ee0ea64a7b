// The permission profile, enforced as an egress NetworkPolicy on the MCP server's pods (ToolHive's
// operator accepts a profile and enforces nothing). Ingress is left alone: the proxy must reach the
// server, and replies to allowed connections need no egress rule.
//   builtin none     no egress at all, not even DNS
//   builtin network  all egress
//   configmap        the ports and IP/CIDR hosts it lists; insecure_allow_all allows everything.
// A NetworkPolicy cannot name hosts, so host names are not allowed (fail closed) and are reported in the
// PermissionProfileEnforced condition rather than dropped silently. A profile that cannot be read also
// fails closed: a typo must not open the network.
import { isIP } from 'node:net';
import type { MCPServer } from '../../schemas/generated/mcpserver.ts';
import { parsePermissionProfile, type OutboundPermissions } from '../../schemas/permission-profile.ts';
import { childMetadata, commonLabels, selectorLabels } from './labels.ts';
import { networkPolicyName } from './names.ts';
import type { ChildObject, Dict, Finding, ServerFacts } from './types.ts';

type Egress = Dict[];

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

/** The NetworkPolicy (none when no profile is set: nothing was asked) and what status should say. */
export function desiredNetworkPolicy(
  server: MCPServer,
  facts: ServerFacts,
): { object: ChildObject | undefined; finding: Finding } {
  if (!server.spec.permissionProfile) {
    return {
      object: undefined,
      finding: enforced('NoProfile', 'no permission profile set; egress unrestricted'),
    };
  }
  const { egress, finding } = egressFor(server, facts);
  const object: ChildObject = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: childMetadata(server, networkPolicyName(server), commonLabels(server)),
    spec: {
      podSelector: { matchLabels: selectorLabels(server, 'mcp-server') },
      policyTypes: ['Egress'],
      egress,
    },
  };
  return { object, finding };
}
