import { expect } from 'chai';
import { FieldPath, invalid, type FieldError } from '../../../../webhook/field.ts';
import { checkProxyEdge, TIMEOUT_FORMAT } from '../../../../webhook/rules/proxy-edge.ts';
import { mcpServer, withSpec } from '../builders.ts';

const spec = FieldPath.of('spec');

describe('checkProxyEdge', () => {
  const cases: Record<string, { fields: Record<string, unknown>; want: FieldError[] }> = {
    'accepts a prefix and durations': {
      fields: {
        trustProxyHeaders: true,
        endpointPrefix: '/team-a/',
        proxyReadTimeout: '1m30s',
        proxyWriteTimeout: '5m',
      },
      want: [],
    },
    "accepts Go's zero values (the defaults)": {
      fields: { endpointPrefix: '', proxyReadTimeout: '0', proxyWriteTimeout: '0s' },
      want: [],
    },
    'a relative prefix': {
      fields: { endpointPrefix: 'team-a' },
      want: [invalid(spec.child('endpointPrefix'), 'team-a', "must be a path starting with '/'")],
    },
    'a prefix with a parent segment, escaped': {
      fields: { endpointPrefix: '/team-a/%2E%2e/admin' },
      want: [
        invalid(
          spec.child('endpointPrefix'),
          '/team-a/%2E%2e/admin',
          "must not contain '.' or '..' segments",
        ),
      ],
    },
    'every bad field at once: negative, unitless, unknown unit': {
      fields: { endpointPrefix: '/a/..', proxyReadTimeout: '-5s', proxyWriteTimeout: '30' },
      want: [
        invalid(spec.child('endpointPrefix'), '/a/..', "must not contain '.' or '..' segments"),
        invalid(spec.child('proxyReadTimeout'), '-5s', TIMEOUT_FORMAT),
        invalid(spec.child('proxyWriteTimeout'), '30', TIMEOUT_FORMAT),
      ],
    },
  };
  for (const [name, c] of Object.entries(cases)) {
    it(name, () => expect(checkProxyEdge(mcpServer('fetch', withSpec(c.fields)))).to.deep.equal(c.want));
  }
});
