// KWOK's configuration and its fake node (pure). The kwok binary carries no stages; build-binaries.sh
// extracts kwokctl's defaults (node-initialize, node heartbeat with lease, pod ready/complete/delete).
import path from 'node:path';
import { LOCAL_EXEC } from './kwok-exec.ts';
import { TEST_STAGES } from './kwok-test-stages.ts';

/**
 * Pods in this namespace (the operator's, in the Helm e2e test) have container logs: KWOK serves
 * `kubectl logs` for them from standInLogFile, where a process standing in for the pod writes.
 */
export const STAND_IN_LOGS_NAMESPACE = 'mcp-operator-system';

export function standInLogFile(stateDir: string): string {
  return path.join(stateDir, 'logs', `${STAND_IN_LOGS_NAMESPACE}.log`);
}

function standInLogs(stateDir: string): string {
  return `apiVersion: kwok.x-k8s.io/v1alpha1
kind: ClusterLogs
metadata:
  name: stand-in-logs
spec:
  selector:
    matchNamespaces:
    - ${STAND_IN_LOGS_NAMESPACE}
  logs:
  - logsFile: ${JSON.stringify(standInLogFile(stateDir))}
    follow: true
`;
}

export function kwokConfig(stagesYaml: string, stateDir: string): string {
  return [stagesYaml.trimEnd(), ...TEST_STAGES, LOCAL_EXEC, standInLogs(stateDir)].join('\n---\n');
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
