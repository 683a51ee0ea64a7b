// The authenticated path of bench/proxy.ts: our stdio proxy with authentication (JWT, RS256, checked
// against a JWKS), Cedar authorization (one policy permitting the echo tool) and audit (one JSON line per
// request on the proxy's stdout, which the bench discards as a pod's log driver would read it) all on.
// The issuer is a loopback HTTP server serving the JWKS of a key made here, and each session presents a
// token of its own subject: a benchmark needs a token, not a proof of the identity provider, which the
// tests give (test/integration/proxy-auth*.test.ts, with a real OpenID provider and the kube-apiserver).
import { createServer, type Server } from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { oursStdioFromConfig, type BenchPath } from './mcp-paths.ts';

const AUDIENCE = 'bench-proxy';
const KID = 'bench-1';
const POLICY = 'permit(principal, action == Action::"call_tool", resource == Tool::"echo");';

interface Issuer {
  url: string;
  token(subject: string): Promise<string>;
  close(): Promise<void>;
}

async function startIssuer(): Promise<Issuer> {
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const jwks = JSON.stringify({
    keys: [{ ...(await exportJWK(publicKey)), kid: KID, alg: 'RS256', use: 'sig' }],
  });
  const server: Server = createServer((req, res) => {
    if (req.url === '/jwks') res.writeHead(200, { 'content-type': 'application/json' }).end(jwks);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const sign = (key: CryptoKey, subject: string) =>
    new SignJWT({ scope: 'mcp' })
      .setProtectedHeader({ alg: 'RS256', kid: KID })
      .setIssuer(url)
      .setAudience(AUDIENCE)
      .setSubject(subject)
      .setIssuedAt()
      .setExpirationTime('2h')
      .sign(key);
  return {
    url,
    token: (subject) => sign(privateKey, subject),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Starts the issuer and the proxy; stop() ends both. Tokens are made up front (connect is synchronous to them). */
export async function oursStdioAuthenticated(
  name: string,
  sessions: number,
  nodeFlags: string[] = [],
): Promise<BenchPath> {
  const issuer = await startIssuer();
  const tokens = await Promise.all(Array.from({ length: sessions }, (_, i) => issuer.token(`user-${i}`)));
  let next = 0;
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-auth-'));
  const path_ = await oursStdioFromConfig(
    name,
    (target, port) => {
      const file = path.join(dir, 'runconfig.json');
      const config = {
        version: 1,
        server: { name: 'bench', namespace: 'bench' },
        transport: 'stdio',
        proxyPort: port,
        target,
        auth: {
          issuer: issuer.url,
          audiences: [AUDIENCE],
          resourceUrl: `http://127.0.0.1:${port}/mcp`,
          scopesSupported: ['mcp'],
          requiredScopes: [],
          jwksUrl: `${issuer.url}/jwks`,
          insecureAllowHTTP: true,
        },
        authz: { type: 'cedarv1', policies: [POLICY], entitiesJson: '[]' },
        audit: { enabled: true },
      };
      writeFileSync(file, JSON.stringify(config));
      return file;
    },
    () => ({ authorization: `Bearer ${tokens[next++ % tokens.length]}` }),
    nodeFlags,
  );
  return {
    ...path_,
    stop: async () => {
      await path_.stop();
      await issuer.close();
    },
  };
}
