// Warnings about authentication and authorization fields that are accepted but deprecated or without
// effect here, so a ToolHive manifest applies unchanged and its author learns what we do differently.
// Each is one line under 120 characters (kubectl prints them as `Warning: ...`).
import { oidcTypeOf } from './auth-references.ts';
import { dict, isDict, specOf, str } from './shape.ts';

export const OIDC_CONFIG_DEPRECATED =
  'spec.oidcConfig is deprecated: move it to an MCPOIDCConfig and name that in spec.oidcConfigRef';
export const noEffect = (field: string, why: string): string => `${field} has no effect: ${why}`;
export const PRIVATE_IP = 'the proxy does not refuse private addresses';

/** jwksAllowPrivateIP / protectedResourceAllowPrivateIP set true under `at` (an inline OIDC config). */
export function privateIpWarnings(inline: unknown, at: string): string[] {
  const config = dict(inline);
  return (['jwksAllowPrivateIP', 'protectedResourceAllowPrivateIP'] as const)
    .filter((field) => config[field] === true)
    .map((field) => noEffect(`${at}.${field}`, PRIVATE_IP));
}

export function authWarnings(server: unknown): string[] {
  const spec = specOf(server);
  const warnings: string[] = [];
  if (isDict(spec.oidcConfig)) {
    const oidc = spec.oidcConfig;
    warnings.push(OIDC_CONFIG_DEPRECATED);
    if (oidcTypeOf(oidc) === 'inline')
      warnings.push(...privateIpWarnings(oidc.inline, 'spec.oidcConfig.inline'));
    if (oidcTypeOf(oidc) === 'configMap' && str(dict(oidc.configMap).key))
      warnings.push(
        noEffect(
          'spec.oidcConfig.configMap.key',
          'the settings are read from the keys issuer, audience, ...',
        ),
      );
  }
  if (str(dict(dict(spec.authzConfig).inline).primaryUpstreamProvider))
    warnings.push(noEffect('spec.authzConfig.inline.primaryUpstreamProvider', 'not used by an MCPServer'));
  return warnings;
}
