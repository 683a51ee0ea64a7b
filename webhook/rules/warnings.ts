// Things worth telling the user that are not errors. Each is one line under 120 characters, returned apart
// from denials (kubectl prints them as `Warning: ...`).
import { mcpContainer } from './pod-template.ts';
import { dict, isDict, specOf } from './shape.ts';

export const PORT_DEPRECATED = 'spec.port is deprecated: use spec.proxyPort';
export const TARGET_PORT_DEPRECATED = 'spec.targetPort is deprecated: use spec.mcpPort';
export const PORT_MOVED = 'spec.port is deprecated: its value was moved to spec.proxyPort';
export const TARGET_PORT_MOVED = 'spec.targetPort is deprecated: its value was moved to spec.mcpPort';
export const RESOURCES_PROXY_ONLY =
  'spec.resources applies to the proxy only; the "mcp" container in spec.podTemplateSpec sets no resources';
export const proxyModeIgnored = (transport: string): string =>
  `spec.proxyMode applies to transport "stdio" only and is ignored for "${transport}"`;

const hasResources = (value: unknown): boolean => isDict(value) && Object.keys(value).length > 0;

export function warningsFor(server: unknown): string[] {
  const spec = specOf(server);
  const warnings: string[] = [];
  if (spec.port !== undefined) warnings.push(PORT_DEPRECATED);
  if (spec.targetPort !== undefined) warnings.push(TARGET_PORT_DEPRECATED);
  if (hasResources(spec.resources) && !hasResources(dict(mcpContainer(server)?.[0]).resources)) {
    warnings.push(RESOURCES_PROXY_ONLY);
  }
  const transport = spec.transport;
  if (spec.proxyMode !== undefined && typeof transport === 'string' && transport !== 'stdio') {
    warnings.push(proxyModeIgnored(transport));
  }
  return warnings;
}
