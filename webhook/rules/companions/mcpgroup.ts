// The validating decision for an MCPGroup (CREATE and UPDATE): its schema, all errors at once by field path.
import { checkConfigSchema } from '../../schema-validation.ts';
import type { ConfigVerdict } from './verdict.ts';

export function validateMCPGroup(object: unknown): ConfigVerdict {
  return { errors: checkConfigSchema('MCPGroup', object), warnings: [] };
}
