// KWOK stages that let tests make a pod fail the way a kubelet reports it, chosen per pod by an
// annotation (set through an MCPServer's spec.podTemplateSpec.metadata). Pods without the annotation
// never match, so these stages change nothing for anyone else.
//
// The crash stage runs after KWOK's pod-ready stage, as in a real crash loop: the container starts,
// the pod is briefly Ready, then the container exits and the kubelet reports it waiting in
// CrashLoopBackOff with a restart count, and the pod NotReady. Its selector requires Ready=True, and
// its result sets Ready=False, so it fires once per pod and pod-ready (Pending pods only) never undoes it.

export const KWOK_FAIL_ANNOTATION = 'test.mcp-operator/kwok-fail';

export const CRASH_LOOP_STAGE = `apiVersion: kwok.x-k8s.io/v1alpha1
kind: Stage
metadata:
  name: test-pod-crash-loop
spec:
  resourceRef:
    apiGroup: v1
    kind: Pod
  selector:
    matchExpressions:
    - key: '.metadata.deletionTimestamp'
      operator: 'DoesNotExist'
    - key: '.metadata.annotations["${KWOK_FAIL_ANNOTATION}"]'
      operator: 'In'
      values:
      - 'CrashLoopBackOff'
    - key: '.status.phase'
      operator: 'In'
      values:
      - 'Running'
    - key: '.status.conditions.[] | select( .type == "Ready" ) | .status'
      operator: 'In'
      values:
      - 'True'
  next:
    statusTemplate: |
      {{ $now := Now }}
      conditions:
      - lastTransitionTime: {{ $now | Quote }}
        status: "True"
        type: Initialized
      - lastTransitionTime: {{ $now | Quote }}
        status: "False"
        type: Ready
        reason: ContainersNotReady
      - lastTransitionTime: {{ $now | Quote }}
        status: "False"
        type: ContainersReady
        reason: ContainersNotReady
      containerStatuses:
      {{ range .spec.containers }}
      - image: {{ .image | Quote }}
        name: {{ .name | Quote }}
        ready: false
        started: false
        restartCount: 3
        lastState:
          terminated:
            exitCode: 1
            reason: Error
            startedAt: {{ $now | Quote }}
            finishedAt: {{ $now | Quote }}
        state:
          waiting:
            reason: CrashLoopBackOff
            message: back-off 40s restarting failed container={{ .name }}
      {{ end }}
      phase: Running
`;

/** Every test stage, as YAML documents to append to KWOK's configuration. */
export const TEST_STAGES: readonly string[] = [CRASH_LOOP_STAGE];
