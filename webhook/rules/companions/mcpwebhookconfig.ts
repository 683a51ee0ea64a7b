// The validating decision for an MCPWebhookConfig (CREATE and UPDATE): its schema, all errors at once by field path.
import { checkConfigSchema } from '../../schema-validation.ts';
import type { ConfigVerdict } from './verdict.ts';

export function validateMCPWebhookConfig(object: unknown): ConfigVerdict {
  return { errors: checkConfigSchema('MCPWebhookConfig', object), warnings: [] };
}
