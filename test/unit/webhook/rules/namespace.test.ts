import { expect } from 'chai';
import { FieldPath, forbidden, type FieldError } from '../../../../webhook/field.ts';
import type { AdmissionPolicy } from '../../../../webhook/policy.ts';
import { checkNamespace } from '../../../../webhook/rules/namespace.ts';
import { mcpServer, withNamespace } from '../builders.ts';

describe('checkNamespace', () => {
  const namespace = FieldPath.of('metadata').child('namespace');
  const cases: Record<string, { server: unknown; policy: AdmissionPolicy; want: FieldError[] }> = {
    'accepts any namespace in cluster mode': {
      server: mcpServer('s'),
      policy: { servedNamespaces: 'all' },
      want: [],
    },
    'accepts a served namespace': {
      server: mcpServer('s', withNamespace('team-b')),
      policy: { servedNamespaces: ['team-a', 'team-b'] },
      want: [],
    },
    'denies another namespace, naming the served ones': {
      server: mcpServer('s', withNamespace('prod')),
      policy: { servedNamespaces: ['team-a', 'team-b'] },
      want: [
        forbidden(namespace, 'namespace "prod" is not served by this operator (served: "team-a", "team-b")'),
      ],
    },
    'denies everything when no namespace is served': {
      server: mcpServer('s'),
      policy: { servedNamespaces: [] },
      want: [forbidden(namespace, 'namespace "team-a" is not served by this operator (served: none)')],
    },
  };
  for (const [name, c] of Object.entries(cases)) {
    it(name, () => expect(checkNamespace(c.server, c.policy)).to.deep.equal(c.want));
  }
});
