import { expect } from 'chai';
import { FieldPath, invalid, type FieldError } from '../../../../webhook/field.ts';
import { QUANTITY_FORMAT_MESSAGE } from '../../../../webhook/quantity.ts';
import { checkResources } from '../../../../webhook/rules/resources.ts';
import { mcpServer, withSpec } from '../builders.ts';

describe('checkResources', () => {
  const resources = FieldPath.of('spec').child('resources');
  const withResources = (r: unknown) => withSpec({ resources: r });
  const cases: Record<string, { server: unknown; want: FieldError[] }> = {
    'accepts requests below limits': {
      server: mcpServer(
        's',
        withResources({ limits: { cpu: '100m', memory: '128Mi' }, requests: { cpu: '50m', memory: '64Mi' } }),
      ),
      want: [],
    },
    'accepts equal quantities written differently': {
      server: mcpServer('s', withResources({ limits: { cpu: '0.1' }, requests: { cpu: '100m' } })),
      want: [],
    },
    'rejects a malformed quantity': {
      server: mcpServer('s', withResources({ limits: { cpu: 'lots' } })),
      want: [invalid(resources.child('limits', 'cpu'), 'lots', QUANTITY_FORMAT_MESSAGE)],
    },
    'rejects a negative quantity': {
      server: mcpServer('s', withResources({ requests: { memory: '-1Mi' } })),
      want: [invalid(resources.child('requests', 'memory'), '-1Mi', 'must be greater than or equal to 0')],
    },
    'rejects a request above its limit': {
      server: mcpServer('s', withResources({ limits: { memory: '64Mi' }, requests: { memory: '1Gi' } })),
      want: [
        invalid(
          resources.child('requests', 'memory'),
          '1Gi',
          'must be less than or equal to memory limit of 64Mi',
        ),
      ],
    },
    'accepts no resources': { server: mcpServer('s'), want: [] },
    'ignores a resources value of the wrong type': { server: mcpServer('s', withResources('big')), want: [] },
  };
  for (const [name, c] of Object.entries(cases)) {
    it(name, () => expect(checkResources(c.server)).to.deep.equal(c.want));
  }
});
