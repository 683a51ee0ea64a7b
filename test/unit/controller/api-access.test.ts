// The controller's own kubeconfig loader: the same server, TLS material and credentials client-node
// would use, for the kubeconfigs it handles, and "not mine" (undefined) for the ones it hands over.
import { expect } from 'chai';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { RequestOptions } from 'node:https';
import { parse } from 'yaml';
import {
  accessFromKubeconfig,
  inClusterAccess,
  kubeconfigFiles,
  mergeKubeconfigs,
} from '../../../lib/kube/access.ts';

const b64 = (s: string) => Buffer.from(s).toString('base64');
/** TLS material as text (the loader gives Buffers). */
const text = (v: unknown): string => (Buffer.isBuffer(v) ? v.toString('utf8') : `not a Buffer: ${typeof v}`);

function kubeconfig(user: Record<string, unknown>, cluster: Record<string, unknown> = {}): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    'current-context': 'ctx',
    contexts: [{ name: 'ctx', context: { cluster: 'c', user: 'u' } }],
    clusters: [{ name: 'c', cluster: { server: 'https://127.0.0.1:6443', ...cluster } }],
    users: [{ name: 'u', user }],
  });
}

async function applied(text: string, dir = '/nowhere'): Promise<RequestOptions> {
  const access = accessFromKubeconfig(mergeKubeconfigs([{ text, dir }], parse));
  if (!access) throw new Error('expected the loader to handle this kubeconfig');
  const options: RequestOptions = { headers: {} };
  await access.applyTo(options);
  return options;
}

describe('accessFromKubeconfig', () => {
  it('uses inline CA, client certificate and key', async () => {
    const o = await applied(
      kubeconfig(
        { 'client-certificate-data': b64('CERT'), 'client-key-data': b64('KEY') },
        { 'certificate-authority-data': b64('CA') },
      ),
    );
    expect([text(o.ca), text(o.cert), text(o.key), o.rejectUnauthorized]).to.deep.equal([
      'CA',
      'CERT',
      'KEY',
      true,
    ]);
  });

  it('reads certificate files relative to the kubeconfig’s folder', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'kc-'));
    writeFileSync(path.join(dir, 'ca.crt'), 'CA-FILE');
    writeFileSync(path.join(dir, 'admin.crt'), 'CERT-FILE');
    writeFileSync(path.join(dir, 'admin.key'), 'KEY-FILE');
    const o = await applied(
      kubeconfig(
        { 'client-certificate': 'admin.crt', 'client-key': path.join(dir, 'admin.key') },
        { 'certificate-authority': 'ca.crt' },
      ),
      dir,
    );
    expect([text(o.ca), text(o.cert), text(o.key)]).to.deep.equal(['CA-FILE', 'CERT-FILE', 'KEY-FILE']);
  });

  it('sends a bearer token, a token file’s token, or basic credentials', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'kc-'));
    writeFileSync(path.join(dir, 'token'), 'from-file\n');
    const auth = async (user: Record<string, unknown>) =>
      ((await applied(kubeconfig(user), dir)).headers as Record<string, string>).Authorization;
    expect(await auth({ token: 'abc' })).to.equal('Bearer abc');
    expect(await auth({ tokenFile: 'token' })).to.equal('Bearer from-file');
    expect(await auth({ username: 'u', password: 'p' })).to.equal(`Basic ${b64('u:p')}`);
    expect(await auth({})).to.equal(undefined);
  });

  it('honours insecure-skip-tls-verify and tls-server-name', async () => {
    const o = await applied(kubeconfig({}, { 'insecure-skip-tls-verify': true, 'tls-server-name': 'api' }));
    expect([o.rejectUnauthorized, o.servername]).to.deep.equal([false, 'api']);
  });

  it('hands exec and auth-provider users over (undefined), so client-node handles them', () => {
    for (const user of [{ exec: { command: 'aws' } }, { 'auth-provider': { name: 'oidc' } }]) {
      expect(accessFromKubeconfig(mergeKubeconfigs([{ text: kubeconfig(user), dir: '/' }], parse))).to.equal(
        undefined,
      );
    }
  });

  it('merges files as kubectl does: the first current-context and the first entry of a name win', () => {
    const second = JSON.stringify({
      'current-context': 'other',
      contexts: [{ name: 'other', context: { cluster: 'c2', user: 'u' } }],
      clusters: [
        { name: 'c', cluster: { server: 'https://ignored:1' } },
        { name: 'c2', cluster: { server: 'https://second:2' } },
      ],
    });
    const doc = mergeKubeconfigs(
      [
        { text: kubeconfig({ token: 't' }), dir: '/a' },
        { text: second, dir: '/b' },
      ],
      parse,
    );
    expect(doc.currentContext).to.equal('ctx');
    expect(accessFromKubeconfig(doc)?.server.href).to.equal('https://127.0.0.1:6443/');
    expect(doc.clusters.get('c2')?.[1]).to.equal('/b');
  });

  it('names a missing context or server', () => {
    const noContext = kubeconfig({}).replace('"current-context":"ctx"', '"current-context":"nope"');
    expect(() => accessFromKubeconfig(mergeKubeconfigs([{ text: noContext, dir: '/' }], parse))).to.throw(
      'no context "nope"',
    );
    const noServer = kubeconfig({}).replace('"server":"https://127.0.0.1:6443"', '"x":1');
    expect(() => accessFromKubeconfig(mergeKubeconfigs([{ text: noServer, dir: '/' }], parse))).to.throw(
      'has no server',
    );
  });
});

describe('kubeconfigFiles', () => {
  it('prefers --kubeconfig, then every file of $KUBECONFIG, then ~/.kube/config, else none (in-cluster)', () => {
    const home = mkdtempSync(path.join(tmpdir(), 'home-'));
    expect(kubeconfigFiles('/x', { KUBECONFIG: '/y' })).to.deep.equal(['/x']);
    expect(kubeconfigFiles(undefined, { KUBECONFIG: `/y${path.delimiter}/z`, HOME: home })).to.deep.equal([
      '/y',
      '/z',
    ]);
    expect(kubeconfigFiles(undefined, { HOME: home })).to.deep.equal([]);
    const config = path.join(home, '.kube', 'config');
    mkdirSync(path.dirname(config));
    writeFileSync(config, kubeconfig({}));
    expect(kubeconfigFiles(undefined, { HOME: home })).to.deep.equal([config]);
  });
});

describe('inClusterAccess', () => {
  it('uses the ServiceAccount’s CA and token and the service environment', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sa-'));
    writeFileSync(path.join(dir, 'ca.crt'), 'SA-CA');
    writeFileSync(path.join(dir, 'token'), 'sa-token');
    const access = inClusterAccess(
      { KUBERNETES_SERVICE_HOST: 'fd00::1', KUBERNETES_SERVICE_PORT: '443' },
      dir,
    );
    const options: RequestOptions = {};
    await access.applyTo(options);
    expect([
      access.server.href,
      String(options.ca),
      (options.headers as Record<string, string>).Authorization,
    ]).to.deep.equal(['https://[fd00::1]/', 'SA-CA', 'Bearer sa-token']);
  });
});
