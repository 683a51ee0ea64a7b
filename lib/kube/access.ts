// Where the API server is and how to authenticate to it, for the operator's own HTTP client (client.ts,
// used by the controller and the webhook). Read from a kubeconfig (--kubeconfig, else $KUBECONFIG, else
// ~/.kube/config) or, in a pod, from the ServiceAccount, as client-go and client-node do. The loader is
// our own because loading @kubernetes/client-node costs the process about 80 MiB of resident memory (it
// loads every generated API model even for KubeConfig alone), more than the rest of the operator.
// Credentials it does not know (exec plugins, auth-provider) are handed to client-node's KubeConfig,
// loaded only then, so every kubeconfig client-node accepts still works.
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import type { RequestOptions } from 'node:https';
import { isDict, str, type Dict } from '../dict.ts';

/** The API server's address and what every request to it carries. */
export interface ApiAccess {
  readonly server: URL;
  /** Sets TLS material (ca, cert, key, rejectUnauthorized, servername) and credentials on `options`. */
  applyTo(options: RequestOptions): Promise<void>;
}

export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';
/** client-go re-reads a token file at most this often: bound ServiceAccount tokens rotate hourly. */
const TOKEN_FILE_TTL_MS = 60_000;

interface Tls {
  ca?: string | Buffer;
  cert?: string | Buffer;
  key?: string | Buffer;
  rejectUnauthorized: boolean;
  servername?: string;
}

/** A token read from a file, cached for a minute. */
function tokenFromFile(file: string, now: () => number = Date.now): () => string {
  let cached: { token: string; at: number } | undefined;
  return () => {
    if (!cached || now() - cached.at > TOKEN_FILE_TTL_MS) {
      cached = { token: readFileSync(file, 'utf8').trim(), at: now() };
    }
    return cached.token;
  };
}

function staticAccess(server: string, tls: Tls, authorization: () => string | undefined): ApiAccess {
  return {
    server: new URL(server),
    applyTo(options) {
      Object.assign(options, tls);
      const auth = authorization();
      if (auth) options.headers = { ...options.headers, Authorization: auth };
      return Promise.resolve();
    },
  };
}

/** Bytes from `<field>-data` (base64) or from the file `<field>` (relative to the kubeconfig's folder). */
function material(o: Dict, field: string, dir: string): Buffer | undefined {
  const data = str(o[`${field}-data`]);
  if (data) return Buffer.from(data, 'base64');
  const file = str(o[field]);
  return file ? readFileSync(path.resolve(dir, file)) : undefined;
}

/** Why a user entry needs client-node, or undefined when this loader can use it. */
export function unsupportedUser(user: Dict): string | undefined {
  if (user.exec !== undefined) return 'exec';
  if (user['auth-provider'] !== undefined) return 'auth-provider';
  return undefined;
}

/** The parts of a kubeconfig this loader reads, after merging files (first value wins, as kubectl). */
export interface KubeconfigDoc {
  currentContext: string;
  /** name -> [entry, the folder of the file it came from (for relative paths)] */
  clusters: Map<string, [Dict, string]>;
  users: Map<string, [Dict, string]>;
  contexts: Map<string, Dict>;
}

/** `parse` is the yaml package's, passed in so a pod (in-cluster, no kubeconfig) never loads it (12 MiB). */
export function mergeKubeconfigs(
  files: ReadonlyArray<{ text: string; dir: string }>,
  parse: (text: string) => unknown,
): KubeconfigDoc {
  const doc: KubeconfigDoc = {
    currentContext: '',
    clusters: new Map(),
    users: new Map(),
    contexts: new Map(),
  };
  for (const { text, dir } of files) {
    const parsed: unknown = parse(text);
    const config: Dict = isDict(parsed) ? parsed : {};
    doc.currentContext ||= str(config['current-context']);
    const add = (list: unknown, what: string, into: Map<string, [Dict, string]>) => {
      for (const e of Array.isArray(list) ? list : []) {
        if (isDict(e) && !into.has(str(e.name))) into.set(str(e.name), [isDict(e[what]) ? e[what] : {}, dir]);
      }
    };
    add(config.clusters, 'cluster', doc.clusters);
    add(config.users, 'user', doc.users);
    for (const e of Array.isArray(config.contexts) ? config.contexts : []) {
      if (isDict(e) && !doc.contexts.has(str(e.name)) && isDict(e.context))
        doc.contexts.set(str(e.name), e.context);
    }
  }
  return doc;
}

/** Access from a merged kubeconfig's current context; undefined when its user needs client-node. */
export function accessFromKubeconfig(doc: KubeconfigDoc): ApiAccess | undefined {
  const context = doc.contexts.get(doc.currentContext);
  if (!context) throw new Error(`the kubeconfig has no context "${doc.currentContext}"`);
  const [cluster, clusterDir] = doc.clusters.get(str(context.cluster)) ?? [{}, ''];
  const [user, userDir] = doc.users.get(str(context.user)) ?? [{}, ''];
  if (!str(cluster.server))
    throw new Error(`the kubeconfig's cluster "${str(context.cluster)}" has no server`);
  if (unsupportedUser(user)) return undefined;
  const tls: Tls = {
    ca: material(cluster, 'certificate-authority', clusterDir),
    cert: material(user, 'client-certificate', userDir),
    key: material(user, 'client-key', userDir),
    rejectUnauthorized: cluster['insecure-skip-tls-verify'] !== true,
    servername: str(cluster['tls-server-name']) || undefined,
  };
  const tokenFile = str(user.tokenFile);
  const token = str(user.token);
  const basic = str(user.username)
    ? `Basic ${Buffer.from(`${str(user.username)}:${str(user.password)}`).toString('base64')}`
    : undefined;
  const readToken = tokenFile ? tokenFromFile(path.resolve(userDir, tokenFile)) : undefined;
  const authorization = (): string | undefined =>
    token ? `Bearer ${token}` : readToken ? `Bearer ${readToken()}` : basic;
  return staticAccess(str(cluster.server), tls, authorization);
}

/** In a pod: the API server from the environment, the ServiceAccount's CA and (rotating) token. */
export function inClusterAccess(env: NodeJS.ProcessEnv, dir = SERVICE_ACCOUNT_DIR): ApiAccess {
  const host = env.KUBERNETES_SERVICE_HOST ?? '';
  const port = env.KUBERNETES_SERVICE_PORT ?? '443';
  const readToken = tokenFromFile(path.join(dir, 'token'));
  return staticAccess(
    `https://${host.includes(':') ? `[${host}]` : host}:${port}`,
    { ca: readFileSync(path.join(dir, 'ca.crt')), rejectUnauthorized: true },
    () => `Bearer ${readToken()}`,
  );
}

/** The kubeconfig files to read, in client-node's order of precedence; [] means in-cluster. */
export function kubeconfigFiles(explicit: string | undefined, env: NodeJS.ProcessEnv): string[] {
  if (explicit) return [explicit];
  const fromEnv = (env.KUBECONFIG ?? '').split(path.delimiter).filter(Boolean);
  if (fromEnv.length) return fromEnv;
  const home = path.join(env.HOME ?? homedir(), '.kube', 'config');
  return existsSync(home) ? [home] : [];
}

/** client-node's KubeConfig, for credentials this loader does not handle; loaded only when needed. */
async function clientNodeAccess(files: string[]): Promise<ApiAccess> {
  const { KubeConfig } = await import('@kubernetes/client-node');
  const kc = new KubeConfig();
  kc.loadFromFile(files[0]!);
  for (const file of files.slice(1)) {
    const more = new KubeConfig();
    more.loadFromFile(file);
    kc.mergeConfig(more, true);
  }
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('the kubeconfig has no current cluster');
  return { server: new URL(cluster.server), applyTo: (options) => kc.applyToHTTPSOptions(options) };
}

/** Access as --kubeconfig, $KUBECONFIG, ~/.kube/config or the pod's ServiceAccount give it. */
export async function loadApiAccess(
  explicit: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ApiAccess> {
  const files = kubeconfigFiles(explicit, env);
  if (!files.length) {
    if (!env.KUBERNETES_SERVICE_HOST) throw new Error('no kubeconfig found and not running in a pod');
    return inClusterAccess(env);
  }
  const { parse } = await import('yaml');
  const doc = mergeKubeconfigs(
    files.map((f) => ({ text: readFileSync(f, 'utf8'), dir: path.dirname(path.resolve(f)) })),
    (text) => parse(text) as unknown,
  );
  return accessFromKubeconfig(doc) ?? clientNodeAccess(files);
}
