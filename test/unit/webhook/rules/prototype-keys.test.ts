// ConfigMap keys named like Object.prototype's members: a profile key `constructor` or `toString` that
// the ConfigMap does not hold is Not found, not "not a permission profile: function Object() ...".
// Found by test/fuzz/admission.fuzz.test.ts.
import { expect } from 'chai';
import { FieldPath, notFound } from '../../../../webhook/field.ts';
import { checkPermissionProfile } from '../../../../webhook/rules/permission-profile.ts';
import { factsWith, mcpServer, withProfile } from '../builders.ts';

describe('checkPermissionProfile with keys named like prototype members', () => {
  const key = FieldPath.of('spec').child('permissionProfile').child('key');
  const facts = factsWith({}, { profiles: { 'p.json': '{}' } });

  for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
    it(`reports key ${name} as Not found`, () => {
      const server = mcpServer('s', withProfile('configmap', 'profiles', name));
      expect(checkPermissionProfile(server, facts)).to.deep.equal([notFound(key, name)]);
    });
  }
});
