// The admission policy's `proxyClientNamespaces`: the namespaces whose pods may connect to a proxy.
// Shared by the webhook (which validates the key when the policy is loaded) and the controller (which
// writes it into every proxy's ingress NetworkPolicy, controller/desired/proxy-networkpolicy.ts). Pure.
// Meaning:
//   absent or null  anyone may connect to a proxy's port (as before the key existed);
//   a list          pods of the MCPServer's own namespace and of the listed namespaces only; `[]` means
//                   the MCPServer's own namespace only.
// Names, not patterns: a NetworkPolicy selects namespaces by the label kubernetes.io/metadata.name,
// which matches whole names only, so a pattern here could not be enforced as written.
import { parse } from 'yaml';

export const PROXY_CLIENT_NAMESPACES_KEY = 'proxyClientNamespaces';

/** The policy ConfigMap's key holding the policy document (webhook/policy.ts POLICY_KEY). */
const POLICY_TEXT_KEY = 'policy.yaml';

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export type ProxyClients = { namespaces: string[] | undefined } | { problem: string };

/** The key's value checked: a list of namespace names (deduplicated, in order), or undefined when unset. */
export function parseProxyClientNamespaces(value: unknown): ProxyClients {
  if (value === undefined || value === null) return { namespaces: undefined };
  if (!Array.isArray(value))
    return { problem: `${PROXY_CLIENT_NAMESPACES_KEY} must be a list of namespace names` };
  const bad = value.filter((n) => typeof n !== 'string' || n.length > 63 || !DNS1123_LABEL.test(n));
  if (bad.length)
    return {
      problem: `${PROXY_CLIENT_NAMESPACES_KEY}: ${bad.map((n) => JSON.stringify(n)).join(', ')} not a namespace name (DNS-1123 label)`,
    };
  return { namespaces: [...new Set(value as string[])] };
}

/** The key read out of the policy document's YAML text. */
export function proxyClientsFromPolicyText(text: string): ProxyClients {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    return { problem: `the policy is not valid YAML: ${(err as Error).message.split('\n')[0]}` };
  }
  if (doc === null || doc === undefined) return { namespaces: undefined };
  if (typeof doc !== 'object' || Array.isArray(doc)) return { problem: 'the policy must be a YAML map' };
  return parseProxyClientNamespaces((doc as Record<string, unknown>)[PROXY_CLIENT_NAMESPACES_KEY]);
}

/** The key read out of the policy ConfigMap's data (key policy.yaml); a ConfigMap without it sets nothing. */
export function proxyClientsFromPolicyData(data: Record<string, string> | undefined): ProxyClients {
  const text = data?.[POLICY_TEXT_KEY];
  return text === undefined ? { namespaces: undefined } : proxyClientsFromPolicyText(text);
}
