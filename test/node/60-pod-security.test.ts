// PodSecurity `restricted` on the namespace: the pods the operator creates are admitted and run (and
// a privileged pod is refused there, so the label is really enforced).
import { expect } from 'chai';
import { stringify } from 'yaml';
import { IMAGES } from '../../realnode/node-images.ts';
import { cluster, kubectl, waitReady } from './harness.ts';

const NS = 'restricted-tenant';

const server = (name: string, transport: string) =>
  stringify({
    apiVersion: 'toolhive.stacklok.dev/v1alpha1',
    kind: 'MCPServer',
    metadata: { name, namespace: NS },
    spec: {
      image: IMAGES.everything,
      transport,
      port: 8080,
      permissionProfile: { type: 'builtin', name: 'none' },
    },
  });

describe('PodSecurity restricted on a real node', function () {
  before(async function () {
    await kubectl(['create', 'namespace', NS]);
    await kubectl(['label', 'namespace', NS, 'pod-security.kubernetes.io/enforce=restricted']);
  });

  it('stdio and streamable-http servers in a restricted namespace are admitted and reach Ready', async function () {
    await kubectl(['apply', '-f', '-'], server('strict-stdio', 'stdio'));
    await kubectl(['apply', '-f', '-'], server('strict-http', 'streamable-http'));
    await Promise.all([waitReady(NS, 'strict-stdio'), waitReady(NS, 'strict-http')]);
    const pods = await kubectl(['-n', NS, 'get', 'pods']);
    expect(pods.match(/Running/g)?.length).to.equal(4); // two servers, two proxies
  });

  it('a privileged pod is refused in that namespace', async function () {
    const r = await cluster().kubectl(
      ['apply', '-f', '-'],
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'privileged', namespace: NS },
        spec: { containers: [{ name: 'c', image: IMAGES.operator, securityContext: { privileged: true } }] },
      }),
    );
    expect(r.code).to.not.equal(0);
    expect(r.stderr).to.include('violates PodSecurity "restricted:latest"');
  });
});
