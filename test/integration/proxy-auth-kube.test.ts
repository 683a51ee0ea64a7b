// The kube-apiserver as the token issuer (MCPOIDCConfig type kubernetesServiceAccount): ServiceAccount
// tokens minted by the real control plane's TokenRequest API, verified by the proxy against the API
// server's own JWKS (/openid/v1/jwks, reached with the cluster CA and a ServiceAccount token of the
// proxy's, as in a pod). The tenant boundary: any pod may ask for a token with any audience, so A's
// proxy must refuse B's tokens even when they carry A's audience.
import * as k8s from '@kubernetes/client-node';
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { RunConfigAuth } from '../../proxy/config.ts';
import type { StartedProxy } from '../../proxy/proxy.ts';
import { EVERYTHING, freePort, nodeCommand } from '../unit/proxy/support/servers.ts';
import { adminKubeConfig, controlPlane } from './harness.ts';
import { INITIALIZE, bearer, connectWithToken, rawPost, startAuthProxy } from './proxy-auth-support.ts';

const ISSUER = 'https://kubernetes.default.svc.cluster.local';
const suffix = randomBytes(3).toString('hex');
const A = `tenant-a-${suffix}`;
const B = `tenant-b-${suffix}`;
const AUDIENCE_A = `mcp-echo.${A}`;
const AUDIENCE_B = `mcp-echo.${B}`;

describe('proxy authentication with the kube-apiserver as issuer', function () {
  this.timeout(120_000);
  let core: k8s.CoreV1Api;
  const proxies: StartedProxy[] = [];
  let auth: RunConfigAuth;
  let proxyUrl: string;

  const token = async (namespace: string, name: string, audiences: string[]) =>
    (
      await core.createNamespacedServiceAccountToken({
        name,
        namespace,
        body: { spec: { audiences, expirationSeconds: 600 } },
      })
    ).status!.token!;

  before(async () => {
    const cp = controlPlane();
    core = adminKubeConfig().makeApiClient(k8s.CoreV1Api);
    for (const ns of [A, B]) {
      await core.createNamespace({ body: { metadata: { name: ns } } });
      await core.createNamespacedServiceAccount({ namespace: ns, body: { metadata: { name: 'client' } } });
    }
    await core.createNamespacedServiceAccount({ namespace: A, body: { metadata: { name: 'mcp-proxy' } } });
    const dir = mkdtempSync(path.join(tmpdir(), 'proxy-auth-kube-'));
    const caFile = path.join(dir, 'ca.crt');
    const tokenFile = path.join(dir, 'token');
    writeFileSync(caFile, cp.adminTls.ca);
    // The proxy's own token, with the API server's default audience: what a pod's projected token is.
    writeFileSync(tokenFile, await token(A, 'mcp-proxy', []));
    const port = await freePort();
    proxyUrl = `http://127.0.0.1:${port}`;
    auth = {
      issuer: ISSUER,
      audiences: [AUDIENCE_A],
      resourceUrl: `${proxyUrl}/mcp`,
      scopesSupported: [],
      requiredScopes: [],
      jwksUrl: `${cp.server}/openid/v1/jwks`,
      caBundleFile: caFile,
      authTokenFile: tokenFile,
      kubernetes: { namespace: A },
    };
    proxies.push(await startAuthProxy(port, auth, { kind: 'command', command: nodeCommand(EVERYTHING) }));
  });

  after(async () => {
    for (const proxy of proxies) await proxy.close();
    for (const ns of [A, B]) await core?.deleteNamespace({ name: ns }).catch(() => undefined);
  });

  it("accepts A's ServiceAccount token for A's audience: the SDK client lists tools", async () => {
    const { client } = await connectWithToken(proxyUrl, await token(A, 'client', [AUDIENCE_A]));
    expect((await client.listTools()).tools.map((t) => t.name)).to.include('echo');
    await client.close();
  });

  it("refuses B's ServiceAccount token even with A's audience (namespace)", async () => {
    const answer = await rawPost(proxyUrl, INITIALIZE, bearer(await token(B, 'client', [AUDIENCE_A])));
    expect(answer.status, answer.body).to.equal(401);
    expect(answer.challenge).to.contain(
      `error_description="only ServiceAccount tokens of namespace ${A} are accepted"`,
    );
  });

  it("refuses A's token for B's audience (audience)", async () => {
    const answer = await rawPost(proxyUrl, INITIALIZE, bearer(await token(A, 'client', [AUDIENCE_B])));
    expect(answer.status, answer.body).to.equal(401);
    expect(answer.challenge).to.contain('error_description="the token is not meant for this resource (aud)"');
  });

  it('refuses another ServiceAccount of A when the config names one (service account)', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const named = {
      ...auth,
      resourceUrl: `${url}/mcp`,
      kubernetes: { namespace: A, serviceAccount: 'mcp-proxy' },
    };
    proxies.push(await startAuthProxy(port, named, { kind: 'command', command: nodeCommand(EVERYTHING) }));
    const refused = await rawPost(url, INITIALIZE, bearer(await token(A, 'client', [AUDIENCE_A])));
    expect(refused.status).to.equal(401);
    expect(refused.challenge).to.contain('error_description="only the ServiceAccount mcp-proxy is accepted"');
    const accepted = await rawPost(url, INITIALIZE, bearer(await token(A, 'mcp-proxy', [AUDIENCE_A])));
    expect(accepted.status).to.equal(200);
  });
});
