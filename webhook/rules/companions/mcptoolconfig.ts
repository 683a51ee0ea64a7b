// The validating decision for an MCPToolConfig (CREATE and UPDATE): its schema, all errors at once by field path.
import { checkConfigSchema } from '../../schema-validation.ts';
import type { ConfigVerdict } from './verdict.ts';

export function validateMCPToolConfig(object: unknown): ConfigVerdict {
  return { errors: checkConfigSchema('MCPToolConfig', object), warnings: [] };
}
