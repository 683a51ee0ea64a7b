import { expect } from 'chai';
import { desiredStatefulSet } from '../../../../controller/desired/statefulset.ts';
import { SECRETS_CHECKSUM_ANNOTATION } from '../../../../controller/desired/secrets-hash.ts';
import type { Dict } from '../../../../controller/desired/types.ts';
import { facts, mcpServer, withSpec } from '../builders.ts';

type Pod = { metadata: { annotations?: Dict; labels: Dict }; spec: Dict & { containers: Dict[] } };
const podOf = (sts: Dict): Pod => (sts.spec as { template: Pod }).template;

describe('desiredStatefulSet', () => {
  it('keeps what the user set in the security context and fills the rest with restricted defaults', () => {
    const server = mcpServer(
      'a',
      withSpec({
        podTemplateSpec: {
          spec: {
            securityContext: { runAsUser: 1000 },
            containers: [{ name: 'mcp', securityContext: { readOnlyRootFilesystem: false } }],
          },
        },
      }),
    );
    const pod = podOf(desiredStatefulSet(server, facts()));
    expect(pod.spec.securityContext).to.deep.equal({
      runAsUser: 1000,
      runAsNonRoot: true,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(pod.spec.containers[0]!.securityContext).to.deep.equal({
      readOnlyRootFilesystem: false,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      runAsNonRoot: true,
    });
  });

  it('merges the spec into the user container mcp and keeps sidecars after it', () => {
    const server = mcpServer(
      'a',
      withSpec({
        transport: 'sse',
        mcpPort: 9000,
        args: ['--x'],
        env: [{ name: 'A', value: '1' }],
        volumes: [{ name: 'data', hostPath: '/srv', mountPath: '/data', readOnly: true }],
        podTemplateSpec: {
          spec: {
            containers: [
              { name: 'sidecar', image: 's:1' },
              {
                name: 'mcp',
                env: [
                  { name: 'A', value: 'old' },
                  { name: 'B', value: '2' },
                ],
                resources: { limits: { cpu: '1' } },
              },
            ],
          },
        },
      }),
    );
    const pod = podOf(desiredStatefulSet(server, facts()));
    const [mcp, sidecar] = pod.spec.containers;
    expect({ ...mcp, securityContext: undefined }).to.deep.equal({
      name: 'mcp',
      image: 'ghcr.io/example/server:1.0',
      args: ['--x'],
      env: [
        { name: 'MCP_TRANSPORT', value: 'sse' },
        { name: 'MCP_PORT', value: '9000' },
        { name: 'FASTMCP_PORT', value: '9000' },
        { name: 'MCP_HOST', value: '' },
        { name: 'B', value: '2' },
        { name: 'A', value: '1' },
      ],
      resources: { limits: { cpu: '1' } },
      volumeMounts: [{ name: 'data', mountPath: '/data', readOnly: true }],
      ports: [{ name: 'http', containerPort: 9000, protocol: 'TCP' }],
      securityContext: undefined,
    });
    expect(sidecar!.name).to.equal('sidecar');
    expect(pod.spec.volumes).to.deep.equal([{ name: 'data', hostPath: { path: '/srv' } }]);
  });

  it('opens stdin and exposes no port for stdio', () => {
    const mcp = podOf(desiredStatefulSet(mcpServer('a'), facts())).spec.containers[0]!;
    expect([mcp.stdin, mcp.ports]).to.deep.equal([true, undefined]);
  });

  it('tells a stdio server its transport as ToolHive does, and no port', () => {
    const mcp = podOf(desiredStatefulSet(mcpServer('a'), facts())).spec.containers[0]!;
    expect(mcp.env).to.deep.equal([{ name: 'MCP_TRANSPORT', value: 'stdio' }]);
  });

  it('tells a streamable-http server its transport, port and host as ToolHive does', () => {
    const server = mcpServer('a', withSpec({ transport: 'streamable-http', targetPort: 3000 }));
    const mcp = podOf(desiredStatefulSet(server, facts())).spec.containers[0]!;
    expect(mcp.env).to.deep.equal([
      { name: 'MCP_TRANSPORT', value: 'streamable-http' },
      { name: 'MCP_PORT', value: '3000' },
      { name: 'FASTMCP_PORT', value: '3000' },
      { name: 'MCP_HOST', value: '' },
    ]);
  });

  it('keeps the value of a transport variable the user set, in spec.env or in the pod template', () => {
    const server = mcpServer(
      'a',
      withSpec({
        transport: 'streamable-http',
        env: [{ name: 'MCP_PORT', value: '7000' }],
        podTemplateSpec: {
          spec: {
            containers: [
              {
                name: 'mcp',
                env: [
                  { name: 'MCP_HOST', value: '0.0.0.0' },
                  { name: 'MCP_PORT', value: '6000' },
                ],
              },
            ],
          },
        },
      }),
    );
    const mcp = podOf(desiredStatefulSet(server, facts())).spec.containers[0]!;
    expect(mcp.env).to.deep.equal([
      { name: 'MCP_TRANSPORT', value: 'streamable-http' },
      { name: 'FASTMCP_PORT', value: '8080' },
      { name: 'MCP_HOST', value: '0.0.0.0' },
      { name: 'MCP_PORT', value: '7000' },
    ]);
  });

  it('changes the secrets checksum when a referenced key rotates, and not for an unrelated key', () => {
    const server = mcpServer('a', withSpec({ secrets: [{ name: 's', key: 'token' }] }));
    const sum = (data: Record<string, string>) =>
      podOf(desiredStatefulSet(server, facts({ s: data }))).metadata.annotations?.[
        SECRETS_CHECKSUM_ANNOTATION
      ];
    expect(sum({ token: 'b25l' })).to.not.equal(sum({ token: 'dHdv' }));
    expect(sum({ token: 'b25l' })).to.equal(sum({ token: 'b25l', other: 'eA==' }));
  });

  it('puts no checksum on a server without secrets', () => {
    expect(podOf(desiredStatefulSet(mcpServer('a'), facts())).metadata.annotations).to.equal(undefined);
  });

  it('uses the given ServiceAccount and scales to zero at replicas 0', () => {
    const sts = desiredStatefulSet(
      mcpServer('a', withSpec({ serviceAccount: 'mine', replicas: 0 })),
      facts(),
    );
    expect([(sts.spec as Dict).replicas, podOf(sts).spec.serviceAccountName]).to.deep.equal([0, 'mine']);
  });
});
