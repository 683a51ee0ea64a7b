// A KWOK ClusterExec: `kubectl exec` into a pod of the namespace below runs the exec'd argv as a local
// process on this machine, in the repository root (KWOK pods have no containers). With it, the proxy's
// exec backend is tested end to end through the real API server: client-node's WebSocket, the API
// server's pods/exec, its connection to KWOK's kubelet endpoint, and stdin/stdout both ways.
// Limited to two namespaces because it is arbitrary command execution for whoever may create pods/exec
// there; KWOK listens on loopback only (controlplane/flags.ts).
import { fileURLToPath } from 'node:url';

/** Pods in this namespace run `kubectl exec` commands locally (the proxy's exec test). */
export const LOCAL_EXEC_NAMESPACE = 'mcp-exec-test';
/** And in this one: `make run`'s sample MCPServer, whose proxy reaches a real server this way (cli/local-demo-proxy.ts). */
export const DEMO_NAMESPACE = 'demo';

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

export const LOCAL_EXEC = `apiVersion: kwok.x-k8s.io/v1alpha1
kind: ClusterExec
metadata:
  name: local-exec
spec:
  selector:
    matchNamespaces:
    - ${LOCAL_EXEC_NAMESPACE}
    - ${DEMO_NAMESPACE}
  execs:
  - local:
      workDir: ${JSON.stringify(REPO_ROOT)}
`;
