// `mcp-operator validate` with several documents: an MCPServer's companions among the files answer its
// references, offline too; a companion in neither the files nor the cluster is the webhook's Not found.
import { expect } from 'chai';
import { runValidate, type ValidateIO } from '../../../cli/commands/validate.ts';
import type { ClusterLookup } from '../../../webhook/facts.ts';

const SERVER = `apiVersion: toolhive.stacklok.dev/v1alpha1
kind: MCPServer
metadata: {name: fetch, namespace: tools}
spec: {image: ghcr.io/x/fetch, transport: stdio, toolConfigRef: {name: only-fetch}}
`;
const TOOL_CONFIG = `apiVersion: toolhive.stacklok.dev/v1beta1
kind: MCPToolConfig
metadata: {name: only-fetch, namespace: tools}
spec: {toolsFilter: [fetch]}
`;
const VERIFIED = `${SERVER}status:
  verified: {tools: [fetch], toolCount: 1, lastVerifiedTime: "2026-12-05T10:00:00Z", observedGeneration: 1}
`;

function recordingIO(files: Record<string, string>, lookup?: ClusterLookup) {
  const out: string[] = [];
  const err: string[] = [];
  const io: ValidateIO = {
    write: (t) => void out.push(t),
    writeError: (t) => void err.push(t),
    readFile: (p) => files[p] ?? '',
    createLookup: () => (lookup ? Promise.resolve(lookup) : Promise.reject(new Error('no kubeconfig'))),
  };
  return { io, out: () => out.join(''), err: () => err.join('') };
}

/** A cluster with no Secrets, ConfigMaps or companions but those given (kind/name -> spec). */
function clusterWith(
  companions: Record<string, Record<string, unknown>> = {},
): ClusterLookup & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    getSecretKeys: () => Promise.resolve(undefined),
    getConfigMapData: () => Promise.resolve(undefined),
    getAuthConfig: (kind, namespace, name) => {
      asked.push(`${namespace}/${kind}/${name}`);
      return Promise.resolve(companions[`${kind}/${name}`]);
    },
  };
}

const NOT_FOUND = '* spec.toolConfigRef.name: Not found: "only-fetch"';
const lineAbout = (text: string, what: string) => text.split('\n').filter((l) => l.includes(what));

describe('mcp-operator validate: references between documents', () => {
  it('offline, finds the MCPToolConfig in another file and judges it too', async () => {
    const { io, out } = recordingIO({ 'server.yaml': SERVER, 'tools.yaml': TOOL_CONFIG });
    await runValidate(['--offline', '-f', 'server.yaml', '-f', 'tools.yaml'], io);
    expect(lineAbout(out(), 'toolConfigRef.name')).to.deep.equal([]);
    expect(out()).to.contain('tools.yaml: MCPToolConfig tools/only-fetch: accepted\n');
  });

  it('offline, a companion not among the files is Not found', async () => {
    const { io, out } = recordingIO({ 'server.yaml': SERVER });
    expect(await runValidate(['--offline', '-f', 'server.yaml'], io)).to.equal(1);
    expect(lineAbout(out(), 'toolConfigRef.name')).to.have.length(1);
    expect(lineAbout(out(), 'toolConfigRef.name')[0]).to.match(
      /^\* spec\.toolConfigRef\.name: Not found: "only-fetch"/,
    );
  });

  it('offline, a companion of another namespace does not count', async () => {
    const other = TOOL_CONFIG.replace('namespace: tools', 'namespace: elsewhere');
    const { io, out } = recordingIO({ 'all.yaml': `${SERVER}---\n${other}` });
    await runValidate(['--offline', '-f', 'all.yaml'], io);
    expect(lineAbout(out(), NOT_FOUND)).to.have.length(1);
  });

  it('against a cluster, the files answer first, and the cluster answers what they lack', async () => {
    const inFiles = clusterWith();
    const first = recordingIO({ 'all.yaml': `${TOOL_CONFIG}---\n${SERVER}` }, inFiles);
    await runValidate(['-f', 'all.yaml'], first.io);
    expect(lineAbout(first.out(), 'toolConfigRef.name')).to.deep.equal([]);

    const inCluster = clusterWith({ 'MCPToolConfig/only-fetch': { toolsFilter: ['fetch'] } });
    const second = recordingIO({ 'server.yaml': SERVER }, inCluster);
    await runValidate(['-f', 'server.yaml'], second.io);
    expect(lineAbout(second.out(), 'toolConfigRef.name')).to.deep.equal([]);
    expect(inCluster.asked).to.deep.equal(['tools/MCPToolConfig/only-fetch']);
  });

  it('against a cluster, a companion in neither is Not found, as the webhook says', async () => {
    const { io, out } = recordingIO({ 'server.yaml': SERVER }, clusterWith());
    expect(await runValidate(['-f', 'server.yaml'], io)).to.equal(1);
    expect(lineAbout(out(), NOT_FOUND)).to.have.length(1);
  });

  it('warns when the files filter a tool the exported status did not list', async () => {
    const filter = TOOL_CONFIG.replace('[fetch]', '[fetch, fecth]');
    const { io, err } = recordingIO({ 'all.yaml': `${VERIFIED}---\n${filter}` });
    await runValidate(['--offline', '-f', 'all.yaml'], io);
    expect(lineAbout(err(), '"fecth"')).to.have.length(1);
  });
});
