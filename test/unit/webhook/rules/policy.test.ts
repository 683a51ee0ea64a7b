import { expect } from 'chai';
import { FieldPath, forbidden, type FieldError } from '../../../../webhook/field.ts';
import type { AdmissionPolicy } from '../../../../webhook/policy.ts';
import { checkPolicy, imageRegistry } from '../../../../webhook/rules/policy.ts';
import { mcpServer, withNamespace, withPodSpec, withProfile, withSpec } from '../builders.ts';

describe('checkPolicy', () => {
  const spec = FieldPath.of('spec');
  const all: AdmissionPolicy = { servedNamespaces: 'all' };
  const profiles: AdmissionPolicy = {
    ...all,
    allowedPermissionProfiles: [
      { profile: 'none', namespaces: ['*'] },
      { profile: 'network', namespaces: ['prod-*', 'team-a'] },
    ],
  };
  const cases: Record<string, { server: unknown; policy: AdmissionPolicy; want: FieldError[] }> = {
    'allows everything under the default policy': {
      server: mcpServer('s', withSpec({ image: 'docker.io/x', replicas: 9 })),
      policy: all,
      want: [],
    },
    'allows an image under an allowed prefix': {
      server: mcpServer('s'),
      policy: { ...all, allowedImageRegistries: ['ghcr.io/'] },
      want: [],
    },
    'denies an image from another registry, naming the policy entry': {
      server: mcpServer('s', withSpec({ image: 'docker.io/mcp/filesystem' })),
      policy: { ...all, allowedImageRegistries: ['ghcr.io/'] },
      want: [
        forbidden(
          spec.child('image'),
          'registry "docker.io" is not allowed by policy allowedImageRegistries (allowed: "ghcr.io/")',
        ),
      ],
    },
    'matches an image without registry against docker.io/': {
      server: mcpServer('s', withSpec({ image: 'mcp/fetch' })),
      policy: { ...all, allowedImageRegistries: ['docker.io/mcp/'] },
      want: [],
    },
    'allows network in a namespace matching a pattern': {
      server: mcpServer('s', withNamespace('prod-eu'), withProfile('builtin', 'network')),
      policy: profiles,
      want: [],
    },
    'denies network elsewhere, listing what is allowed there': {
      server: mcpServer('s', withNamespace('dev'), withProfile('builtin', 'network')),
      policy: profiles,
      want: [
        forbidden(
          spec.child('permissionProfile'),
          'permission profile "network" is not allowed in namespace "dev" by policy allowedPermissionProfiles (allowed here: "none")',
        ),
      ],
    },
    'treats a ConfigMap profile as "configmap"': {
      server: mcpServer('s', withProfile('configmap', 'p', 'k')),
      policy: profiles,
      want: [
        forbidden(
          spec.child('permissionProfile'),
          'permission profile "configmap" is not allowed in namespace "team-a" by policy allowedPermissionProfiles (allowed here: "none", "network")',
        ),
      ],
    },
    'denies backendReplicas above maxReplicas too': {
      server: mcpServer('s', withSpec({ replicas: 2, backendReplicas: 5 })),
      policy: { ...all, maxReplicas: 3 },
      want: [forbidden(spec.child('backendReplicas'), '5 replicas exceed policy maxReplicas (3)')],
    },
    'denies replicas above maxReplicas': {
      server: mcpServer('s', withSpec({ replicas: 4 })),
      policy: { ...all, maxReplicas: 3 },
      want: [forbidden(spec.child('replicas'), '4 replicas exceed policy maxReplicas (3)')],
    },
    'denies proxy and mcp container resources above maxResources': {
      server: mcpServer(
        's',
        withSpec({ resources: { limits: { cpu: '3' } } }),
        withPodSpec({ containers: [{ name: 'mcp', resources: { requests: { memory: '2Gi' } } }] }),
      ),
      policy: { ...all, maxResources: { cpu: '2', memory: '1Gi' } },
      want: [
        forbidden(spec.child('resources', 'limits', 'cpu'), '3 exceeds policy maxResources.cpu (2)'),
        forbidden(
          spec
            .child('podTemplateSpec', 'spec', 'containers')
            .index(0)
            .child('resources', 'requests')
            .key('memory'),
          '2Gi exceeds policy maxResources.memory (1Gi)',
        ),
      ],
    },
  };
  for (const [name, c] of Object.entries(cases)) {
    it(name, () => expect(checkPolicy(c.server, c.policy)).to.deep.equal(c.want));
  }
  it('finds the registry of an image as container runtimes do', () => {
    expect(
      ['ghcr.io/a/b', 'mcp/fetch', 'fetch', 'localhost/x', 'reg:5000/x'].map(imageRegistry),
    ).to.deep.equal(['ghcr.io', 'docker.io', 'docker.io', 'localhost', 'reg:5000']);
  });
});
