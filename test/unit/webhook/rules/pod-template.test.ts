import { expect } from 'chai';
import {
  duplicate,
  FieldPath,
  invalid,
  notFound,
  required,
  typeInvalid,
  type FieldError,
} from '../../../../webhook/field.ts';
import { QUANTITY_FORMAT_MESSAGE } from '../../../../webhook/quantity.ts';
import { checkPodTemplate } from '../../../../webhook/rules/pod-template.ts';
import { mcpServer, withPodSpec, withSpec } from '../builders.ts';

describe('checkPodTemplate', () => {
  const pod = FieldPath.of('spec').child('podTemplateSpec', 'spec');
  const containers = pod.child('containers');
  const cases: Record<string, { server: unknown; want: FieldError[] }> = {
    'accepts no template': { server: mcpServer('s'), want: [] },
    'accepts a template with only volumes': {
      server: mcpServer('s', withPodSpec({ volumes: [{ name: 'v' }] })),
      want: [],
    },
    'accepts an mcp container mounting a declared volume': {
      server: mcpServer(
        's',
        withPodSpec({
          volumes: [{ name: 'data' }],
          containers: [{ name: 'mcp', volumeMounts: [{ name: 'data', mountPath: '/d' }] }],
        }),
      ),
      want: [],
    },
    'rejects a spec that is not an object': {
      server: mcpServer('s', withSpec({ podTemplateSpec: { spec: 'x' } })),
      want: [invalid(pod, 'x', 'must be a PodSpec object')],
    },
    'rejects containers that are not a list': {
      server: mcpServer('s', withPodSpec({ containers: { name: 'mcp' } })),
      want: [typeInvalid(containers, { name: 'mcp' }, 'must be of type array')],
    },
    'rejects a container that is not an object': {
      server: mcpServer('s', withPodSpec({ containers: [{ name: 'mcp' }, 'sidecar'] })),
      want: [typeInvalid(containers.index(1), 'sidecar', 'must be of type object')],
    },
    'rejects a container without a name': {
      server: mcpServer('s', withPodSpec({ containers: [{ name: 'mcp' }, { image: 'x' }] })),
      want: [required(containers.index(1).child('name'))],
    },
    'requires an mcp container when containers are given': {
      server: mcpServer('s', withPodSpec({ containers: [{ name: 'main' }] })),
      want: [required(containers, 'a container named "mcp" is required: it is where the MCP server runs')],
    },
    'reports duplicate container names, across init containers too': {
      server: mcpServer(
        's',
        withPodSpec({ containers: [{ name: 'mcp' }, { name: 'side' }], initContainers: [{ name: 'side' }] }),
      ),
      want: [duplicate(pod.child('initContainers').index(0).child('name'), 'side')],
    },
    'reports a mount of an undeclared volume': {
      server: mcpServer(
        's',
        withPodSpec({ containers: [{ name: 'mcp', volumeMounts: [{ name: 'data', mountPath: '/d' }] }] }),
      ),
      want: [notFound(containers.index(0).child('volumeMounts').index(0).child('name'), 'data')],
    },
    'reports bad quantities and requests above limits with map-key paths': {
      server: mcpServer(
        's',
        withPodSpec({
          containers: [
            { name: 'mcp', resources: { limits: { cpu: '1', memory: 'x' }, requests: { cpu: '2' } } },
          ],
        }),
      ),
      want: [
        invalid(containers.index(0).child('resources', 'limits').key('memory'), 'x', QUANTITY_FORMAT_MESSAGE),
        invalid(
          containers.index(0).child('resources', 'requests').key('cpu'),
          '2',
          'must be less than or equal to cpu limit of 1',
        ),
      ],
    },
  };
  for (const [name, c] of Object.entries(cases)) {
    it(name, () => expect(checkPodTemplate(c.server)).to.deep.equal(c.want));
  }
});
