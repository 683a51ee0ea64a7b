// KWOK's configuration and its fake node (pure). The kwok binary carries no stages; build-binaries.sh
// extracts kwokctl's defaults (node-initialize, node heartbeat with lease, pod ready/complete/delete).
import { LOCAL_EXEC } from './kwok-exec.ts';
import { TEST_STAGES } from './kwok-test-stages.ts';

export function kwokConfig(stagesYaml: string): string {
  return [stagesYaml.trimEnd(), ...TEST_STAGES, LOCAL_EXEC].join('\n---\n');
}

export function fakeNode(name: string): object {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      annotations: { 'kwok.x-k8s.io/node': 'fake', 'node.alpha.kubernetes.io/ttl': '0' },
      labels: {
        'kubernetes.io/hostname': name,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        'node-role.kubernetes.io/agent': '',
        type: 'kwok',
      },
    },
    // No taint: in a cluster made only of fake nodes, every pod is meant to land on one.
    spec: {},
    status: {
      allocatable: { cpu: '32', memory: '256Gi', pods: '110' },
      capacity: { cpu: '32', memory: '256Gi', pods: '110' },
    },
  };
}
