// Churn of MCPServers for the fault tests: a loop that keeps creating, updating and deleting MCPServers in
// one namespace, as users would, and remembers what it meant the final state to be. Each operation is
// idempotent (server-side apply of the whole spec; a delete that finds nothing is done) and is retried
// until the API server accepts it, so an operation the API server was killed in the middle of is simply
// applied again, and the intended state is always known exactly. Deleted names are never used again.
import https from 'node:https';
import type { TlsClient } from '../../controlplane/wait.ts';

export interface ChurnOptions {
  server: string;
  tls: Required<TlsClient>;
  namespace: string;
  /** The MCPServers that exist when the churn starts: name -> image. */
  initial: ReadonlyMap<string, string>;
  /** Pause between two operations. */
  pauseMs: number;
}

export interface ChurnAttempt {
  at: number;
  op: 'apply' | 'delete';
  name: string;
  /** Undefined when the API server accepted it. */
  error?: string;
}

export interface ChurnResult {
  /** Live MCPServers as the churn left them: name -> image. */
  live: Map<string, string>;
  deleted: Set<string>;
  attempts: ChurnAttempt[];
}

export interface Churn {
  /** Finishes the operation under way (retrying it until accepted) and stops. */
  stop(): Promise<ChurnResult>;
}

const REQUEST_TIMEOUT_MS = 5_000;

/** The MCPServer the churn applies: a networked server with a builtin profile, so its children are known. */
export function churnManifest(namespace: string, name: string, image: string): object {
  return {
    apiVersion: 'toolhive.stacklok.dev/v1alpha1',
    kind: 'MCPServer',
    metadata: { name, namespace },
    spec: { image, transport: 'streamable-http', permissionProfile: { type: 'builtin', name: 'network' } },
  };
}

function request(
  o: ChurnOptions,
  method: 'PATCH' | 'DELETE',
  path: string,
  body?: object,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const headers = body ? { 'content-type': 'application/apply-patch+yaml' } : undefined;
    const req = https.request(
      `${o.server}${path}`,
      { method, headers, ...o.tls, timeout: REQUEST_TIMEOUT_MS },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end(body ? JSON.stringify(body) : undefined); // JSON is YAML: an apply patch may be either
  });
}

export function startChurn(o: ChurnOptions): Churn {
  const collection = `/apis/toolhive.stacklok.dev/v1alpha1/namespaces/${o.namespace}/mcpservers`;
  const live = new Map(o.initial);
  const deleted = new Set<string>();
  const attempts: ChurnAttempt[] = [];
  let stopping = false;
  let created = 0;
  let updated = 0;

  /** Tries once; resolves true when the API server accepted it. */
  async function attempt(op: 'apply' | 'delete', name: string, image?: string): Promise<boolean> {
    const at = Date.now();
    try {
      const res =
        op === 'apply'
          ? await request(
              o,
              'PATCH',
              `${collection}/${name}?fieldManager=faults-churn&force=true`,
              churnManifest(o.namespace, name, image!),
            )
          : await request(o, 'DELETE', `${collection}/${name}`);
      const accepted = res.status < 300 || (op === 'delete' && res.status === 404);
      attempts.push({
        at,
        op,
        name,
        ...(accepted ? {} : { error: `${res.status}: ${res.text.slice(0, 200)}` }),
      });
      return accepted;
    } catch (err) {
      attempts.push({ at, op, name, error: (err as Error).message });
      return false;
    }
  }

  async function untilAccepted(op: 'apply' | 'delete', name: string, image?: string): Promise<void> {
    while (!(await attempt(op, name, image))) await new Promise((r) => setTimeout(r, 200));
  }

  /** One step of the cycle create, update, update, delete: the number of live servers stays level. */
  async function step(i: number): Promise<void> {
    const names = [...live.keys()];
    if (i % 4 === 0 || names.length === 0) {
      const name = `churn-${String(created++).padStart(3, '0')}`;
      const image = `ghcr.io/example/${name}:1`;
      await untilAccepted('apply', name, image);
      live.set(name, image);
    } else if (i % 4 === 3) {
      const name = names[0]!; // the oldest
      await untilAccepted('delete', name);
      live.delete(name);
      deleted.add(name);
    } else {
      const name = names[updated++ % names.length]!;
      const [repository, tag] = live.get(name)!.split(':');
      const image = `${repository}:${Number(tag) + 1}`;
      await untilAccepted('apply', name, image);
      live.set(name, image);
    }
  }

  const running = (async () => {
    for (let i = 0; !stopping; i++) {
      await step(i);
      await new Promise((r) => setTimeout(r, o.pauseMs));
    }
  })();

  return {
    async stop() {
      stopping = true;
      await running;
      return { live, deleted, attempts };
    },
  };
}
