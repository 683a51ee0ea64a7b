import { expect } from 'chai';
import { defaultPolicy } from '../../../webhook/policy.ts';
import { PORT_MOVED, RESOURCES_PROXY_ONLY } from '../../../webhook/rules/warnings.ts';
import { factsWith } from './builders.ts';
import { admit, seedExamples } from './corpus.ts';

// The user guide's manifests (copied from ../shared/seed-examples) must be accepted as written, given
// what their comments say exists: the github-token Secret with key token.
describe('seed examples', () => {
  const facts = factsWith({ 'github-token': ['token'] });
  const want: Record<string, { migrationWarnings: string[]; warnings: string[] }> = {
    'mcpserver-custom-pod.yaml': { migrationWarnings: [PORT_MOVED], warnings: [] },
    'mcpserver-osv.yaml': { migrationWarnings: [PORT_MOVED], warnings: [RESOURCES_PROXY_ONLY] },
    'mcpserver-with-secrets.yaml': { migrationWarnings: [PORT_MOVED], warnings: [] },
    'mcpserver-with-volume.yaml': { migrationWarnings: [PORT_MOVED], warnings: [] },
  };
  const seeds = seedExamples();
  it('has all four seeds', () => expect(seeds.map((s) => s.name)).to.deep.equal(Object.keys(want)));
  for (const seed of seeds) {
    it(`accepts ${seed.name}`, () => {
      expect(admit(seed.object, facts, defaultPolicy())).to.deep.equal({ errors: [], ...want[seed.name] });
    });
  }
});
