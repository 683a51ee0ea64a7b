import { expect } from 'chai';
import { skippedFacts, type AdmissionFacts } from '../../../../webhook/facts.ts';
import {
  FieldPath,
  invalid,
  notFound,
  notSupported,
  required,
  type FieldError,
} from '../../../../webhook/field.ts';
import { checkPermissionProfile } from '../../../../webhook/rules/permission-profile.ts';
import { factsMissing, factsWith, mcpServer, withProfile } from '../builders.ts';

const GOOD_PROFILE =
  '{"network":{"outbound":{"insecure_allow_all":false,"allow_host":["a.b"],"allow_port":[443]}},"read":[],"write":[]}';

describe('checkPermissionProfile', () => {
  const profile = FieldPath.of('spec').child('permissionProfile');
  const cases: Record<string, { server: unknown; facts: AdmissionFacts; want: FieldError[] }> = {
    'accepts builtin none': {
      server: mcpServer('s', withProfile('builtin', 'none')),
      facts: skippedFacts(),
      want: [],
    },
    'accepts builtin network': {
      server: mcpServer('s', withProfile('builtin', 'network')),
      facts: skippedFacts(),
      want: [],
    },
    'accepts no profile at all': { server: mcpServer('s'), facts: skippedFacts(), want: [] },
    'rejects an unknown builtin name': {
      server: mcpServer('s', withProfile('builtin', 'stdio')),
      facts: skippedFacts(),
      want: [notSupported(profile.child('name'), 'stdio', ['none', 'network'])],
    },
    'accepts a ConfigMap profile that parses': {
      server: mcpServer('s', withProfile('configmap', 'profiles', 'p.json')),
      facts: factsWith({}, { profiles: { 'p.json': GOOD_PROFILE } }),
      want: [],
    },
    'requires a key for a ConfigMap profile': {
      server: mcpServer('s', withProfile('configmap', 'profiles')),
      facts: skippedFacts(),
      want: [required(profile.child('key'), 'the ConfigMap key holding the profile JSON')],
    },
    'reports a missing ConfigMap': {
      server: mcpServer('s', withProfile('configmap', 'profiles', 'p.json')),
      facts: factsMissing([], ['profiles']),
      want: [notFound(profile.child('name'), 'profiles')],
    },
    'reports a missing key in the ConfigMap': {
      server: mcpServer('s', withProfile('configmap', 'profiles', 'p.json')),
      facts: factsWith({}, { profiles: { 'other.json': GOOD_PROFILE } }),
      want: [notFound(profile.child('key'), 'p.json')],
    },
    'reports a profile that does not parse': {
      server: mcpServer('s', withProfile('configmap', 'profiles', 'p.json')),
      facts: factsWith({}, { profiles: { 'p.json': '{"read": "/etc"}' } }),
      want: [
        invalid(
          profile.child('key'),
          'p.json',
          'ConfigMap "profiles" key "p.json" is not a permission profile: read must be a list of paths',
        ),
      ],
    },
    'does not quote the ConfigMap content it could not parse': {
      server: mcpServer('s', withProfile('configmap', 'profiles', 'p.json')),
      facts: factsWith({}, { profiles: { 'p.json': 'password=hunter2-sentinel' } }),
      want: [
        invalid(
          profile.child('key'),
          'p.json',
          'ConfigMap "profiles" key "p.json" is not a permission profile: invalid JSON',
        ),
      ],
    },
    'skips the ConfigMap checks offline': {
      server: mcpServer('s', withProfile('configmap', 'profiles', 'p.json')),
      facts: skippedFacts(),
      want: [],
    },
  };
  for (const [name, c] of Object.entries(cases)) {
    it(name, () => expect(checkPermissionProfile(c.server, c.facts)).to.deep.equal(c.want));
  }
});
