import { expect } from 'chai';
import { skippedFacts, type AdmissionFacts } from '../../../../webhook/facts.ts';
import {
  duplicate,
  FieldPath,
  invalid,
  notFound,
  required,
  type FieldError,
} from '../../../../webhook/field.ts';
import { ENV_VAR_NAME_MESSAGE } from '../../../../webhook/rules/env-names.ts';
import { checkSecrets } from '../../../../webhook/rules/secrets.ts';
import { factsMissing, factsWith, mcpServer, withEnv, withSecret, withSpec } from '../builders.ts';

describe('checkSecrets', () => {
  const secrets = FieldPath.of('spec').child('secrets');
  const cases: Record<string, { server: unknown; facts: AdmissionFacts; want: FieldError[] }> = {
    'accepts a secret whose key exists': {
      server: mcpServer('github', withSecret('github-token', 'token', 'GITHUB_TOKEN')),
      facts: factsWith({ 'github-token': ['token'] }),
      want: [],
    },
    'reports a missing Secret at spec.secrets[0].name': {
      server: mcpServer('github', withSecret('github-token', 'token')),
      facts: factsMissing(['github-token']),
      want: [notFound(secrets.index(0).child('name'), 'github-token')],
    },
    'reports a missing key at spec.secrets[0].key': {
      server: mcpServer('github', withSecret('github-token', 'token')),
      facts: factsWith({ 'github-token': ['other'] }),
      want: [notFound(secrets.index(0).child('key'), 'token')],
    },
    'skips existence checks when lookups were skipped': {
      server: mcpServer('github', withSecret('github-token', 'token')),
      facts: skippedFacts(),
      want: [],
    },
    'rejects a targetEnvName that is not an env var name': {
      server: mcpServer('github', withSecret('s', 'token', '1BAD=NAME')),
      facts: skippedFacts(),
      want: [invalid(secrets.index(0).child('targetEnvName'), '1BAD=NAME', ENV_VAR_NAME_MESSAGE)],
    },
    'asks for targetEnvName when the key cannot be an env var name': {
      server: mcpServer('github', withSecret('s', '1token')),
      facts: skippedFacts(),
      want: [
        required(
          secrets.index(0).child('targetEnvName'),
          'the key "1token" is not a valid environment variable name',
        ),
      ],
    },
    'rejects an invalid spec.env name': {
      server: mcpServer('github', withEnv('A B')),
      facts: skippedFacts(),
      want: [invalid(FieldPath.of('spec.env').index(0).child('name'), 'A B', ENV_VAR_NAME_MESSAGE)],
    },
    'reports two env entries with one name': {
      server: mcpServer('github', withEnv('TOKEN'), withEnv('TOKEN')),
      facts: skippedFacts(),
      want: [duplicate(FieldPath.of('spec.env').index(1).child('name'), 'TOKEN')],
    },
    'reports a secret whose env var repeats a spec.env name': {
      server: mcpServer('github', withEnv('TOKEN'), withSecret('s', 'token', 'TOKEN')),
      facts: skippedFacts(),
      want: [duplicate(secrets.index(0).child('targetEnvName'), 'TOKEN')],
    },
    'reports a secret whose key, used as env name, repeats another': {
      server: mcpServer('github', withSecret('a', 'token'), withSecret('b', 'token')),
      facts: skippedFacts(),
      want: [duplicate(secrets.index(1).child('key'), 'token')],
    },
    'ignores entries of the wrong shape (the schema reports them)': {
      server: mcpServer('github', withSpec({ secrets: ['x', 3, null], env: 'nope' })),
      facts: factsWith(),
      want: [],
    },
  };
  for (const [name, c] of Object.entries(cases)) {
    it(name, () => expect(checkSecrets(c.server, c.facts)).to.deep.equal(c.want));
  }
});
