// Tool control on the real control plane (the manager in-process, watching this file's namespace):
// - an MCPToolConfig named by spec.toolConfigRef -> the run config's tools section, status.toolConfigHash
//   and ToolConfigValidated True;
// - the MCPToolConfig edited -> the ConfigMap follows and the proxy Deployment does not roll (the pod
//   template's checksum leaves the tools section out; the running proxy re-reads the mounted file);
// - the MCPToolConfig deleted -> ToolConfigValidated False (ToolConfigNotFound), and the run config keeps
//   the section it had (the proxy is held, never opened to every tool); created again -> applied again;
// - the older spec.tools -> toolsFilter;
// - ToolHive's example mcpserver_fetch_tools_filter.yaml (test/fixtures/toolhive-examples, unchanged but
//   for its namespace, which kubectl -n overrides) applied as it is.
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { parseAllDocuments } from 'yaml';
import { loadApiAccess } from '../../lib/kube/access.ts';
import { defaultControllerConfig } from '../../controller/config.ts';
import { Manager } from '../../controller/manager.ts';
import { silentLogger } from '../../lib/log.ts';
import { getServer, installCrd, kubectl } from './controller-fixtures.ts';
import { controlPlane, eventually } from './harness.ts';

const ns = `tools-config-${process.pid}`;
const GROUP = 'toolhive.stacklok.dev';

type Json = Record<string, unknown>;
const apply = (object: Json) => kubectl(['apply', '-f', '-'], JSON.stringify(object));
const getJson = async (args: string[]): Promise<Json> =>
  JSON.parse(await kubectl([...args, '-o', 'json'])) as Json;
const runConfig = async (name: string): Promise<Json> => {
  const cm = await getJson(['-n', ns, 'get', 'configmap', `${name}-runconfig`]);
  return JSON.parse((cm.data as Record<string, string>)['runconfig.json']!) as Json;
};
const deployment = async (name: string) => {
  const d = await getJson(['-n', ns, 'get', 'deployment', name]);
  const meta = d.metadata as { generation: number };
  const template = (d.spec as { template: { metadata: { annotations: Record<string, string> } } }).template;
  return { generation: meta.generation, annotations: template.metadata.annotations };
};
const condition = async (name: string, type: string) =>
  (await getServer(ns, name)).status?.conditions?.find((c) => c.type === type);

const toolConfig = (name: string, spec: Json): Json => ({
  apiVersion: `${GROUP}/v1beta1`,
  kind: 'MCPToolConfig',
  metadata: { name, namespace: ns },
  spec,
});
const server = (name: string, extra: Json): Json => ({
  apiVersion: `${GROUP}/v1beta1`,
  kind: 'MCPServer',
  metadata: { name, namespace: ns },
  spec: { image: 'ghcr.io/example/server:1', transport: 'streamable-http', ...extra },
});
const GITHUB = {
  toolsFilter: ['github_create_pr', 'get_issue'],
  toolsOverride: { create_pull_request: { name: 'github_create_pr', description: 'Create a PR' } },
};

describe('the controller with MCPToolConfig and spec.tools', function () {
  this.timeout(120_000);
  let manager: Manager;

  before(async () => {
    await installCrd();
    await kubectl(['create', 'namespace', ns]);
    await apply(toolConfig('github', GITHUB));
    manager = new Manager({
      access: await loadApiAccess(controlPlane().kubeconfig),
      config: { ...defaultControllerConfig(), proxyImage: 'example.invalid/mcp-operator:test' },
      log: silentLogger(),
      namespaces: [ns],
      workers: 2,
    });
    await manager.start();
    await apply(server('gh', { toolConfigRef: { name: 'github' } }));
    await eventually("gh's proxy Deployment", async () =>
      (await controlPlane().kubectl(['-n', ns, 'get', 'deployment', 'gh'])).code === 0 ? true : undefined,
    );
  });

  after(async () => {
    await manager?.stop();
    await controlPlane().kubectl(['delete', 'namespace', ns, '--wait=false']);
  });

  it('writes the MCPToolConfig into the run config, with status.toolConfigHash and ToolConfigValidated True', async () => {
    expect((await runConfig('gh')).tools).to.deep.equal(GITHUB);
    const valid = await eventually('ToolConfigValidated True', async () => {
      const c = await condition('gh', 'ToolConfigValidated');
      return c?.status === 'True' ? c : undefined;
    });
    expect(valid.reason).to.equal('ToolConfigValid');
    expect((await getServer(ns, 'gh')).status?.toolConfigHash).to.match(/^[0-9a-f]{16}$/);
  });

  it('follows an edited MCPToolConfig in the ConfigMap without rolling the proxy Deployment', async () => {
    const before = await deployment('gh');
    const hash = (await getServer(ns, 'gh')).status?.toolConfigHash;
    await apply(toolConfig('github', { toolsFilter: ['get_issue'] }));
    await eventually('the run config to follow', async () =>
      JSON.stringify((await runConfig('gh')).tools) === JSON.stringify({ toolsFilter: ['get_issue'] })
        ? true
        : undefined,
    );
    await eventually('status.toolConfigHash to follow', async () =>
      (await getServer(ns, 'gh')).status?.toolConfigHash !== hash ? true : undefined,
    );
    const after = await deployment('gh');
    expect(after.generation, 'no new Deployment generation: no rollout').to.equal(before.generation);
    expect(after.annotations).to.deep.equal(before.annotations);
  });

  it('a deleted MCPToolConfig sets ToolConfigValidated False and the run config keeps its tools; created again, it applies', async () => {
    await kubectl(['-n', ns, 'delete', 'mcptoolconfig', 'github']);
    const missing = await eventually('ToolConfigValidated False', async () => {
      const c = await condition('gh', 'ToolConfigValidated');
      return c?.status === 'False' ? c : undefined;
    });
    expect(missing.reason).to.equal('ToolConfigNotFound');
    expect((await runConfig('gh')).tools, 'held: the proxy keeps its filter').to.deep.equal({
      toolsFilter: ['get_issue'],
    });
    await apply(toolConfig('github', { toolsFilter: ['fetch'] }));
    await eventually('applied again', async () =>
      (await condition('gh', 'ToolConfigValidated'))?.status === 'True' &&
      JSON.stringify((await runConfig('gh')).tools) === JSON.stringify({ toolsFilter: ['fetch'] })
        ? true
        : undefined,
    );
  });

  it('the older spec.tools becomes toolsFilter', async () => {
    await apply(server('inline', { tools: ['fetch', 'read'] }));
    const tools = await eventually("inline's run config", async () => {
      const found = await controlPlane().kubectl(['-n', ns, 'get', 'configmap', 'inline-runconfig']);
      return found.code === 0 ? (await runConfig('inline')).tools : undefined;
    });
    expect(tools).to.deep.equal({ toolsFilter: ['fetch', 'read'] });
  });

  it("ToolHive's mcpserver_fetch_tools_filter.yaml applies as it is and its filter reaches the run config", async () => {
    const file = new URL(
      '../fixtures/toolhive-examples/v0.44.0/mcp-servers/mcpserver_fetch_tools_filter.yaml',
      import.meta.url,
    );
    for (const doc of parseAllDocuments(readFileSync(file, 'utf8'))) {
      const object = doc.toJS() as Json;
      (object.metadata as Json).namespace = ns;
      await apply(object);
    }
    const tools = await eventually("fetch's run config", async () => {
      const found = await controlPlane().kubectl(['-n', ns, 'get', 'configmap', 'fetch-runconfig']);
      return found.code === 0 ? (await runConfig('fetch')).tools : undefined;
    });
    expect(tools).to.deep.equal({ toolsFilter: ['fetch'] });
  });
});
