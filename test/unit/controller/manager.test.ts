import { expect } from 'chai';
import { keysFor } from '../../../controller/manager.ts';
import { mcpServer, withSpec } from './builders.ts';

describe('keysFor', () => {
  const servers = [
    mcpServer('a', withSpec({ secrets: [{ name: 'token', key: 'k' }] })),
    mcpServer('b', withSpec({ permissionProfile: { type: 'configmap', name: 'profiles', key: 'p' } })),
  ];
  const meta = (name: string, labels: Record<string, string> = {}) => ({
    metadata: { name, namespace: 'team-a', labels },
  });
  const cases: Record<
    string,
    { kind: Parameters<typeof keysFor>[0]; object: Record<string, unknown>; want: string[] }
  > = {
    'maps an MCPServer to itself': { kind: 'MCPServer', object: meta('a'), want: ['team-a/a'] },
    'maps a child to its server by the instance label': {
      kind: 'Pod',
      object: meta('a-0', {
        'app.kubernetes.io/instance': 'a',
        'app.kubernetes.io/managed-by': 'mcp-operator',
      }),
      want: ['team-a/a'],
    },
    'ignores the instance label of objects someone else manages': {
      kind: 'ConfigMap',
      object: meta('x', { 'app.kubernetes.io/instance': 'a' }),
      want: [],
    },
    'maps a Secret to the servers that reference it': {
      kind: 'Secret',
      object: meta('token'),
      want: ['team-a/a'],
    },
    'maps a profile ConfigMap to the servers that use it': {
      kind: 'ConfigMap',
      object: meta('profiles'),
      want: ['team-a/b'],
    },
    'ignores a Secret of the same name in another namespace': {
      kind: 'Secret',
      object: { metadata: { name: 'token', namespace: 'other' } },
      want: [],
    },
  };
  for (const [name, c] of Object.entries(cases))
    it(name, () => expect(keysFor(c.kind, c.object, servers)).to.deep.equal(c.want));
});
