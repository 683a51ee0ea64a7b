// Loads the manifest fixtures shared by the corpus tests (and, later, the integration tests).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { defaultMCPServer } from '../../../webhook/defaults.ts';
import type { AdmissionFacts } from '../../../webhook/facts.ts';
import type { AdmissionPolicy } from '../../../webhook/policy.ts';
import { validateMCPServer, type Verdict } from '../../../webhook/validate.ts';

export const FIXTURES = join(import.meta.dirname, '../../fixtures');

export interface BadManifest {
  name: string;
  object: unknown;
  expectedFields: string[];
  rejectedBy: 'webhook' | 'crd';
}

export function badManifests(): BadManifest[] {
  const dir = join(FIXTURES, 'bad-manifests');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((file) => {
      const text = readFileSync(join(dir, file), 'utf8');
      const expectedFields = [...text.matchAll(/^# expect: (.+)$/gm)].map((m) => m[1]!.trim());
      const rejectedBy = /^# rejected-by: crd$/m.test(text) ? 'crd' : 'webhook';
      return {
        name: file.replace(/\.yaml$/, ''),
        object: parse(text) as unknown,
        expectedFields,
        rejectedBy,
      };
    });
}

export function seedExamples(): Array<{ name: string; object: unknown }> {
  const dir = join(FIXTURES, 'seed-examples');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((file) => ({ name: file, object: parse(readFileSync(join(dir, file), 'utf8')) as unknown }));
}

/** What admission does to a manifest: the mutating webhook's defaults, then validation of the result. */
export function admit(
  object: unknown,
  facts: AdmissionFacts,
  policy: AdmissionPolicy,
): Verdict & { migrationWarnings: string[] } {
  const { object: defaulted, warnings } = defaultMCPServer(object, policy);
  return { ...validateMCPServer(defaulted, facts, policy), migrationWarnings: warnings };
}
