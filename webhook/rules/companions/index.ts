// The companion kinds an MCPServer names by reference, each with its validator. The config review
// (config-review.ts) and the webhook configuration (configuration.ts, the chart) take the list from here.
import { validateMCPExternalAuthConfig } from './mcpexternalauthconfig.ts';
import { validateMCPGroup } from './mcpgroup.ts';
import { validateMCPTelemetryConfig } from './mcptelemetryconfig.ts';
import { validateMCPToolConfig } from './mcptoolconfig.ts';
import { validateMCPWebhookConfig } from './mcpwebhookconfig.ts';
import type { CompanionKind } from '../../config-kinds.ts';
import type { ConfigVerdict } from './verdict.ts';

export type { ConfigVerdict } from './verdict.ts';
export { COMPANION_KINDS, type CompanionKind } from '../../config-kinds.ts';

export const COMPANION_VALIDATORS = {
  MCPToolConfig: validateMCPToolConfig,
  MCPTelemetryConfig: validateMCPTelemetryConfig,
  MCPGroup: validateMCPGroup,
  MCPExternalAuthConfig: validateMCPExternalAuthConfig,
  MCPWebhookConfig: validateMCPWebhookConfig,
} satisfies Record<CompanionKind, (object: unknown) => ConfigVerdict>;
