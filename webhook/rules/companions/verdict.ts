// What a companion kind's validator returns: every error by field path, and warnings for kubectl.
import type { FieldError } from '../../field.ts';

export interface ConfigVerdict {
  errors: FieldError[];
  warnings: string[];
}
