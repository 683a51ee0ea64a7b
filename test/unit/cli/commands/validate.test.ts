import { expect } from 'chai';
import type { ClusterLookup } from '../../../../webhook/facts.ts';
import { runValidate, type ValidateIO } from '../../../../cli/commands/validate.ts';

const GOOD = `apiVersion: toolhive.stacklok.dev/v1alpha1
kind: MCPServer
metadata: {name: good, namespace: ns}
spec: {image: ghcr.io/x/y, transport: stdio, secrets: [{name: tok, key: token}]}
`;
const BAD = `apiVersion: toolhive.stacklok.dev/v1alpha1
kind: MCPServer
metadata: {name: bad}
spec: {image: docker.io/x, transport: websocket, port: 9090}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: other}
`;

/** An IO over in-memory files that records what the command prints. */
function recordingIO(files: Record<string, string>, lookup?: ClusterLookup) {
  const out: string[] = [];
  const err: string[] = [];
  const io: ValidateIO = {
    write: (t) => void out.push(t),
    writeError: (t) => void err.push(t),
    readFile: (p) => {
      const text = files[p];
      if (text === undefined) throw new Error(`ENOENT: ${p}`);
      return text;
    },
    createLookup: () => (lookup ? Promise.resolve(lookup) : Promise.reject(new Error('no kubeconfig'))),
  };
  return { io, out, err };
}

describe('mcp-operator validate', () => {
  it('accepts a valid file offline and says lookups were skipped', async () => {
    const { io, out, err } = recordingIO({ 'good.yaml': GOOD });
    expect(await runValidate(['--offline', '-f', 'good.yaml'], io)).to.equal(0);
    expect(out.join('')).to.equal('good.yaml: MCPServer ns/good: accepted\n');
    expect(err.join('')).to.contain('Offline: Secrets and ConfigMaps were not looked up');
  });
  it('denies with kubectl-style lines, warnings apart, skipping other kinds, exit 1', async () => {
    const { io, out, err } = recordingIO({
      'bad.yaml': BAD,
      'policy.yaml': 'allowedImageRegistries: ["ghcr.io/"]',
    });
    expect(await runValidate(['--offline', '--policy', 'policy.yaml', '-f', 'bad.yaml'], io)).to.equal(1);
    expect(out.join('')).to.equal(
      [
        'bad.yaml: MCPServer default/bad: denied',
        '* spec.transport: Unsupported value: "websocket": supported values: "stdio", "streamable-http", "sse"',
        '* spec.image: Forbidden: registry "docker.io" is not allowed by policy allowedImageRegistries (allowed: "ghcr.io/")',
        'bad.yaml: document 2: skipped (not an MCPServer)',
        '',
      ].join('\n'),
    );
    expect(err).to.include('Warning: spec.port is deprecated: its value was moved to spec.proxyPort\n');
  });
  it('looks Secrets up in the cluster unless offline', async () => {
    const lookup: ClusterLookup = {
      getSecretKeys: () => Promise.resolve(['other']),
      getConfigMapData: () => Promise.resolve(undefined),
    };
    const { io, out } = recordingIO({ 'good.yaml': GOOD }, lookup);
    expect(await runValidate(['-f', 'good.yaml'], io)).to.equal(1);
    expect(out.join('')).to.equal(
      'good.yaml: MCPServer ns/good: denied\n* spec.secrets[0].key: Not found: "token"\n',
    );
  });
  it('exits 2 on usage errors', async () => {
    const { io, err } = recordingIO({ 'p.yaml': 'maxReplicas: x' });
    expect(await runValidate([], io)).to.equal(2);
    expect(await runValidate(['--bogus', '-f', 'x'], io)).to.equal(2);
    expect(await runValidate(['--offline', '--policy', 'p.yaml', '-f', 'x'], io)).to.equal(2);
    expect(err.join('')).to.contain('maxReplicas: must be a non-negative integer');
  });
  it('exits 1 when a file cannot be read or parsed', async () => {
    const { io, out } = recordingIO({ 'broken.yaml': 'a: [' });
    expect(await runValidate(['--offline', '-f', 'missing.yaml', '-f', 'broken.yaml'], io)).to.equal(1);
    expect(out.join('')).to.match(
      /^missing\.yaml: ENOENT: missing\.yaml\nbroken\.yaml: document 1: invalid YAML: /,
    );
  });
});
