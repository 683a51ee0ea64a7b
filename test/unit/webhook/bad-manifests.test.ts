import { expect } from 'chai';
import { checkSchema } from '../../../webhook/schema-validation.ts';
import { defaultPolicy } from '../../../webhook/policy.ts';
import { factsWith } from './builders.ts';
import { admit, badManifests } from './corpus.ts';

// The cluster the integration test prepares in namespace admission-test (see the corpus README).
const clusterFacts = factsWith(
  { 'present-secret': ['token'] },
  {
    'profile-ok': { 'profile.json': '{"network":{"outbound":{"insecure_allow_all":true}}}' },
    'profile-bad': { 'profile.json': '{not json' },
  },
  { secrets: ['absent-secret'], configMaps: ['absent-profile'] },
);

describe('bad manifest corpus', () => {
  const cases = badManifests();
  it('has at least 30 cases', () => expect(cases.length).to.be.at.least(30));
  for (const c of cases) {
    it(`${c.name}: denied at ${c.expectedFields.join(', ')} (${c.rejectedBy})`, () => {
      const { errors } = admit(c.object, clusterFacts, defaultPolicy());
      expect(errors.map((e) => e.field)).to.deep.equal(c.expectedFields);
      // A webhook case must pass the CRD's schema, or the API server would reject it before the webhook.
      const schemaFields = checkSchema(c.object).map((e) => e.field);
      expect(schemaFields).to.deep.equal(c.rejectedBy === 'crd' ? c.expectedFields : []);
    });
  }
});
