// A V8 heap snapshot of another Node process, taken through its inspector (started with
// --inspect=127.0.0.1:0, which prints "Debugger listening on ws://..." on stderr). The snapshot is
// taken after a full garbage collection, so it holds what the process still references, nothing it
// has dropped. Node's own WebSocket client speaks the DevTools protocol; no extra dependency.
// Two things hide text from a plain search of the snapshot, and heapStrings() undoes both:
// - V8 cuts every string to 1,024 characters in a snapshot: the process must run with
//   SNAPSHOT_NODE_FLAGS (--heap-snapshot-string-limit), or a value past that point of a long retained
//   string (a whole API response, say) would go unseen;
// - a string built by `+` is a tree of parts ("concatenated string" nodes): a value split across two
//   parts is in no single string, so each whole tree is joined back into one.
// A sliced string (a substring) is a view of its parent, which is itself in the snapshot, whole.

/** Node flags for the process whose heap is searched (see the header). */
export const SNAPSHOT_NODE_FLAGS = ['--inspect=127.0.0.1:0', '--heap-snapshot-string-limit=1000000000'];

/** The inspector's WebSocket URL in a line of the process's stderr, if the line announces it. */
export function inspectorUrl(line: string): string | undefined {
  return /Debugger listening on (ws:\/\/\S+)/.exec(line)?.[1];
}

interface ProtocolMessage {
  id?: number;
  method?: string;
  params?: { chunk?: string };
  error?: { message: string };
}

/** The whole heap snapshot (JSON text) of the process whose inspector listens at `url`. */
export async function takeHeapSnapshot(url: string, timeoutMs = 60_000): Promise<string> {
  const socket = new WebSocket(url);
  const chunks: string[] = [];
  const pending = new Map<number, { resolve: () => void; reject: (err: Error) => void }>();
  let nextId = 1;
  socket.addEventListener('message', (event: { data: unknown }) => {
    const message = JSON.parse(String(event.data)) as ProtocolMessage;
    if (message.method === 'HeapProfiler.addHeapSnapshotChunk') chunks.push(message.params?.chunk ?? '');
    const waiter = message.id === undefined ? undefined : pending.get(message.id);
    if (!waiter) return;
    pending.delete(message.id!);
    if (message.error) waiter.reject(new Error(message.error.message));
    else waiter.resolve();
  });
  const call = (method: string, params: object = {}): Promise<void> =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      socket.send(JSON.stringify({ id, method, params }));
    });
  const timer = setTimeout(() => socket.close(), timeoutMs);
  try {
    await new Promise<void>((resolve, reject) => {
      socket.addEventListener('open', () => resolve());
      socket.addEventListener('error', () => reject(new Error(`cannot connect to ${url}`)));
    });
    const closed = new Promise<never>((_, reject) =>
      socket.addEventListener('close', () => reject(new Error('inspector connection closed'))),
    );
    closed.catch(() => undefined); // our own close() at the end is not a failure
    await Promise.race([call('HeapProfiler.enable'), closed]);
    // Resolves after the last chunk: the protocol sends every chunk before the call's answer.
    await Promise.race([call('HeapProfiler.takeHeapSnapshot', { reportProgress: false }), closed]);
    return chunks.join('');
  } finally {
    clearTimeout(timer);
    socket.close();
  }
}

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; edge_fields: string[]; node_types: [string[]] } };
  nodes: number[];
  edges: number[];
  strings: string[];
}

/** Every string in a heap snapshot, whole: flat ones as they are, concatenated ones joined. */
export function heapStrings(snapshotText: string): string[] {
  const { snapshot, nodes, edges, strings } = JSON.parse(snapshotText) as Snapshot;
  const nf = snapshot.meta.node_fields.length;
  const ef = snapshot.meta.edge_fields.length;
  const types = snapshot.meta.node_types[0];
  const typeOf = (n: number): string => types[nodes[n]!]!;
  const nameOf = (n: number): string => strings[nodes[n + 1]!]!;
  /** node offset -> the node offsets of its edges named first/second/parent. */
  const parts = new Map<number, { first?: number; second?: number; parent?: number }>();
  const isPart = new Set<number>();
  for (let n = 0, e = 0; n < nodes.length; n += nf) {
    const edgeCount = nodes[n + 4]!;
    const type = typeOf(n);
    if (type === 'concatenated string' || type === 'sliced string') {
      const found: { first?: number; second?: number; parent?: number } = {};
      for (let k = 0; k < edgeCount; k++) {
        const name = strings[edges[e + k * ef + 1]!];
        const to = edges[e + k * ef + 2]!;
        if (name === 'first' || name === 'second' || name === 'parent') found[name] = to;
        if (type === 'concatenated string' && (name === 'first' || name === 'second')) isPart.add(to);
      }
      parts.set(n, found);
    }
    e += edgeCount * ef;
  }
  // A sliced part stands for its whole parent: a superset of its text, so nothing is missed. Iterative:
  // a string grown by `+=` in a loop is a tree thousands of parts deep.
  const textOf = (root: number): string => {
    const pieces: string[] = [];
    const stack = [root];
    while (stack.length) {
      const n = stack.pop()!;
      const p = parts.get(n);
      if (typeOf(n) === 'concatenated string' && p) {
        if (p.second !== undefined) stack.push(p.second);
        if (p.first !== undefined) stack.push(p.first);
      } else if (typeOf(n) === 'sliced string' && p?.parent !== undefined) stack.push(p.parent);
      else pieces.push(nameOf(n));
    }
    return pieces.join('');
  };
  const out: string[] = [];
  for (let n = 0; n < nodes.length; n += nf) {
    const type = typeOf(n);
    if (type === 'string') out.push(nameOf(n));
    else if (type === 'concatenated string' && !isPart.has(n)) out.push(textOf(n));
  }
  return out;
}
