// The validating decision for an MCPExternalAuthConfig (CREATE and UPDATE): its schema, all errors at once by field path.
import { checkConfigSchema } from '../../schema-validation.ts';
import type { ConfigVerdict } from './verdict.ts';

export function validateMCPExternalAuthConfig(object: unknown): ConfigVerdict {
  return { errors: checkConfigSchema('MCPExternalAuthConfig', object), warnings: [] };
}
