// The validating decision for an MCPTelemetryConfig (CREATE and UPDATE): its schema, all errors at once by field path.
import { checkConfigSchema } from '../../schema-validation.ts';
import type { ConfigVerdict } from './verdict.ts';

export function validateMCPTelemetryConfig(object: unknown): ConfigVerdict {
  return { errors: checkConfigSchema('MCPTelemetryConfig', object), warnings: [] };
}
