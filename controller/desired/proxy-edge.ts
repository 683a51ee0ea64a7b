// The run config's `edge` section (proxy/edge-config.ts reads it): how the proxy stands behind an
// ingress. From spec.trustProxyHeaders, spec.endpointPrefix, spec.proxyReadTimeout and
// spec.proxyWriteTimeout, ToolHive's fields and meaning; left out when none is set, so a server that
// uses none keeps the run config (and its checksum) it had. Pure.
// A value admission would refuse (a server admitted without the webhook) is left out rather than
// written: the proxy would refuse to start with it, and the defaults serve.
import { endpointPrefixProblem } from '../../lib/endpoint-prefix.ts';
import { parseGoDuration } from '../../lib/go-duration.ts';
import type { MCPServer } from '../../schemas/generated/mcpserver.ts';

export interface RunConfigEdge {
  trustProxyHeaders?: true;
  endpointPrefix?: string;
  /** Go duration, passed on unchanged. */
  readTimeout?: string;
  writeTimeout?: string;
}

const duration = (text: string | undefined): string | undefined => {
  const nanos = text ? parseGoDuration(text) : undefined;
  return nanos !== undefined && nanos > 0 ? text : undefined;
};

export function edgeSection(server: MCPServer): RunConfigEdge | undefined {
  const spec = server.spec;
  const prefix = spec.endpointPrefix;
  const readTimeout = duration(spec.proxyReadTimeout);
  const writeTimeout = duration(spec.proxyWriteTimeout);
  const edge: RunConfigEdge = {
    ...(spec.trustProxyHeaders === true ? { trustProxyHeaders: true as const } : {}),
    ...(prefix && !endpointPrefixProblem(prefix) ? { endpointPrefix: prefix } : {}),
    ...(readTimeout ? { readTimeout } : {}),
    ...(writeTimeout ? { writeTimeout } : {}),
  };
  return Object.keys(edge).length > 0 ? edge : undefined;
}
