// The proxy's HTTP requests to the token issuer: OpenID/RFC 8414 discovery, the JWKS, RFC 7662
// introspection. node:http(s), not fetch (see node-http.ts: fetch would load undici into the proxy).
// Decisions:
// - TLS trusts the system's roots plus caBundleFile (read once at start: a bad file fails the start).
// - authTokenFile is read again for every request: projected ServiceAccount tokens rotate on disk.
// - http:// only with insecureAllowHTTP (checked at start, config-check.ts; again here).
// - Redirects are not followed, answers are capped at 1 MiB and 5 s: an issuer cannot make the proxy
//   wander or buffer without bound.
import { readFile } from 'node:fs/promises';
import { accessSync, constants, readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import type { Agent as HttpsAgent } from 'node:https';
import type { Agent as HttpAgent, IncomingMessage } from 'node:http';
import { http, https } from '../node-http.ts';

const MAX_ANSWER_BYTES = 1024 * 1024;
const TIMEOUT_MS = 5000;

export interface IssuerHttpOptions {
  caBundleFile?: string;
  authTokenFile?: string;
  insecureAllowHTTP?: boolean;
}

export interface IssuerAnswer {
  status: number;
  json: unknown;
}

export interface IssuerHttp {
  get(url: string): Promise<IssuerAnswer>;
  /** POSTs a form; headers add to (and may replace) the default ones, e.g. Authorization: Basic. */
  postForm(
    url: string,
    form: Record<string, string>,
    headers?: Record<string, string>,
  ): Promise<IssuerAnswer>;
  close(): void;
}

export function createIssuerHttp(options: IssuerHttpOptions): IssuerHttp {
  // Unreadable files fail the start; the token file is read again at each request (it rotates).
  if (options.authTokenFile) accessSync(options.authTokenFile, constants.R_OK);
  const ca = options.caBundleFile
    ? [...rootCertificates, readFileSync(options.caBundleFile, 'utf8')]
    : undefined;
  const agents: { http: HttpAgent; https: HttpsAgent } = {
    http: new http.Agent({ keepAlive: true }),
    https: new https.Agent({ keepAlive: true, ...(ca ? { ca } : {}) }),
  };
  const bearer = async (): Promise<Record<string, string>> => {
    if (!options.authTokenFile) return {};
    const token = (await readFile(options.authTokenFile, 'utf8')).trim();
    return token ? { authorization: `Bearer ${token}` } : {};
  };
  const send = async (
    method: 'GET' | 'POST',
    target: string,
    body: string | undefined,
    extra: Record<string, string>,
  ): Promise<IssuerAnswer> => {
    const url = new URL(target);
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && options.insecureAllowHTTP))
      throw new Error(`${url.origin} is not https (insecureAllowHTTP is off)`);
    // application/jwk-set+json: the kube-apiserver answers its JWKS as that and 406 to application/json alone.
    const accept = 'application/json, application/jwk-set+json';
    const headers: Record<string, string> = { accept, ...(await bearer()), ...extra };
    if (body !== undefined) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      headers['content-length'] = String(Buffer.byteLength(body));
    }
    const secure = url.protocol === 'https:';
    const agent = secure ? agents.https : agents.http;
    const res = await new Promise<IncomingMessage>((resolve, reject) => {
      const req = (secure ? https : http).request(url, { method, headers, agent }, resolve);
      req.setTimeout(TIMEOUT_MS, () =>
        req.destroy(new Error(`no answer from ${url.origin} within ${TIMEOUT_MS} ms`)),
      );
      req.on('error', reject);
      req.end(body);
    });
    return { status: res.statusCode ?? 0, json: await readJson(res, url) };
  };
  return {
    get: (url) => send('GET', url, undefined, {}),
    postForm: (url, form, headers = {}) => send('POST', url, new URLSearchParams(form).toString(), headers),
    close() {
      agents.http.destroy();
      agents.https.destroy();
    },
  };
}

function readJson(res: IncomingMessage, url: URL): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    res.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > MAX_ANSWER_BYTES) {
        res.destroy();
        reject(new Error(`${url.origin}${url.pathname} answered more than ${MAX_ANSWER_BYTES} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    res.on('error', reject);
    res.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      try {
        resolve(text === '' ? undefined : JSON.parse(text));
      } catch {
        resolve(undefined);
      }
    });
  });
}
