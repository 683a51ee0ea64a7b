// Reading health from observed workloads and pods, pure. Failure reasons come from container statuses:
// a waiting reason in FAILURE_REASONS means the container will not start without a change from someone
// (a new image, a fixed Secret, a fixed command). ToolHive counts ImagePullBackOff and ErrImagePull as
// Pending because the kubelet retries; we call them Failed, with the reason, because a typo in an image
// name is the most common way to get them, and the phase returns to Ready by itself once a pull works.
import { isDict, str, type Dict } from './desired/types.ts';

export const FAILURE_REASONS: readonly string[] = [
  'CrashLoopBackOff',
  'ImagePullBackOff',
  'ErrImagePull',
  'CreateContainerConfigError',
  'CreateContainerError',
  'InvalidImageName',
  'RunContainerError',
];

const dict = (v: unknown): Dict => (isDict(v) ? v : {});
const list = (v: unknown): Dict[] => (Array.isArray(v) ? v.filter(isDict) : []);

const isTerminating = (pod: Dict): boolean => dict(pod.metadata).deletionTimestamp !== undefined;

/** The first failure reason of a pod, or undefined when nothing is wrong that needs a change. */
export function podFailureReason(pod: Dict): string | undefined {
  if (isTerminating(pod)) return undefined;
  const status = dict(pod.status);
  if (status.phase === 'Failed') return typeof status.reason === 'string' ? status.reason : 'PodFailed';
  const containers = [...list(status.initContainerStatuses), ...list(status.containerStatuses)];
  for (const container of containers) {
    const reason = dict(dict(container.state).waiting).reason;
    if (typeof reason === 'string' && FAILURE_REASONS.includes(reason)) return reason;
  }
  return undefined;
}

/** The first failure among pods, with the pod's name for the message. */
export function firstFailure(pods: readonly Dict[]): { reason: string; pod: string } | undefined {
  for (const pod of pods) {
    const reason = podFailureReason(pod);
    if (reason) return { reason, pod: str(dict(pod.metadata).name) };
  }
  return undefined;
}

export interface WorkloadHealth {
  exists: boolean;
  desiredReplicas: number;
  readyReplicas: number;
}

/** For a StatefulSet or Deployment; spec.replicas unset means the API default, 1. */
export function workloadHealth(workload: Dict | undefined): WorkloadHealth {
  if (!workload) return { exists: false, desiredReplicas: 0, readyReplicas: 0 };
  const replicas = dict(workload.spec).replicas;
  const ready = dict(workload.status).readyReplicas;
  return {
    exists: true,
    desiredReplicas: typeof replicas === 'number' ? replicas : 1,
    readyReplicas: typeof ready === 'number' ? ready : 0,
  };
}
