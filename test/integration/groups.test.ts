// MCPGroup on the real control plane: the controller (in process) keeps each group's status listing
// the MCPServers whose spec.groupRef names it, and a group deleted under a server leaves the server and
// its workload alone; the webhook (in process, behind the production
// configurations) denies a server naming a missing group by field path; the CRD refuses ToolHive's old
// string form of groupRef. Then ToolHive v0.44.0's example files that define MCPGroups, applied
// unchanged (the documents of kinds this operator serves), and each group's status checked.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { parseAllDocuments } from 'yaml';
import { loadApiAccess } from '../../lib/kube/access.ts';
import { defaultControllerConfig } from '../../controller/config.ts';
import { Manager } from '../../controller/manager.ts';
import { repoRoot } from '../../controlplane/versions.ts';
import { silentLogger } from '../../lib/log.ts';
import { controlPlane, eventually, installCrd } from './harness.ts';
import { type LocalWebhook, startLocalWebhook } from './local-webhook.ts';

const NS = 'groups-test';
const EXAMPLES = path.join(repoRoot, 'test/fixtures/toolhive-examples/v0.44.0');
// The kinds of ToolHive's examples this operator serves, plus the core kinds they create alongside.
const SERVED = new Set([
  'MCPServer',
  'MCPGroup',
  'MCPOIDCConfig',
  'MCPAuthzConfig',
  'MCPToolConfig',
  'MCPTelemetryConfig',
  'MCPExternalAuthConfig',
  'MCPWebhookConfig',
  'Secret',
  'Namespace',
]);

const kubectl = (args: string[], stdin?: string) => controlPlane().kubectl(args, stdin);

interface GroupStatus {
  phase?: string;
  servers?: string[];
  serverCount?: number;
  conditions?: { type: string; status: string }[];
}

async function groupStatus(namespace: string, name: string): Promise<GroupStatus> {
  const r = await kubectl(['get', 'mcpgroup', name, '-n', namespace, '-o', 'json']);
  if (r.code !== 0) throw new Error(r.stderr);
  return (JSON.parse(r.stdout) as { status?: GroupStatus }).status ?? {};
}

/** Waits until the group's status lists exactly `servers`. */
const groupLists = (namespace: string, name: string, servers: string[]) =>
  eventually(`MCPGroup ${namespace}/${name} to list ${servers.join(', ') || 'no server'}`, async () => {
    const status = await groupStatus(namespace, name);
    const same = JSON.stringify(status.servers ?? []) === JSON.stringify(servers);
    return same && status.serverCount === servers.length ? status : undefined;
  });

const server = (name: string, groupRef: unknown) =>
  JSON.stringify({
    apiVersion: 'toolhive.stacklok.dev/v1beta1',
    kind: 'MCPServer',
    metadata: { name, namespace: NS },
    spec: { image: 'ghcr.io/example/server:1', transport: 'streamable-http', mcpPort: 8080, groupRef },
  });

interface ExampleDoc {
  kind: string;
  namespace: string;
  name: string;
  groupRef?: string;
  /** spec.secrets of an MCPServer: the Secrets and keys it reads. */
  secrets: { name: string; key: string }[];
  text: string;
}

/** The served documents of every example file that defines an MCPGroup, each with its own text. */
function groupExamples(): Map<string, ExampleDoc[]> {
  const files = new Map<string, ExampleDoc[]>();
  for (const dir of readdirSync(EXAMPLES, { withFileTypes: true }).filter((d) => d.isDirectory())) {
    for (const file of readdirSync(path.join(EXAMPLES, dir.name)).filter((f) => f.endsWith('.yaml'))) {
      const text = readFileSync(path.join(EXAMPLES, dir.name, file), 'utf8');
      const docs = parseAllDocuments(text).map((doc) => {
        const object = (doc.toJS() ?? {}) as {
          kind?: string;
          metadata?: { name?: string; namespace?: string };
          spec?: { groupRef?: { name?: string }; secrets?: { name: string; key: string }[] };
        };
        const [start, , end] = doc.range;
        return {
          kind: object.kind ?? '',
          namespace: object.metadata?.namespace ?? 'default',
          name: object.metadata?.name ?? '',
          groupRef: object.spec?.groupRef?.name,
          secrets: object.kind === 'MCPServer' ? (object.spec?.secrets ?? []) : [],
          text: text.slice(start, end),
        };
      });
      if (docs.some((d) => d.kind === 'MCPGroup'))
        files.set(
          `${dir.name}/${file}`,
          docs.filter((d) => SERVED.has(d.kind)),
        );
    }
  }
  return files;
}

describe('MCPGroup on a real API server', function () {
  this.timeout(180_000);
  const examples = groupExamples();
  const exampleNamespaces = [
    ...new Set([...examples.values()].flat().map((d) => (d.kind === 'Namespace' ? d.name : d.namespace))),
  ];
  let webhook: LocalWebhook;
  let manager: Manager;

  before(async () => {
    await installCrd();
    for (const ns of [NS, ...exampleNamespaces]) {
      if (ns !== 'default') await kubectl(['create', 'namespace', ns]);
    }
    webhook = await startLocalWebhook('groups');
    manager = new Manager({
      access: await loadApiAccess(controlPlane().kubeconfig),
      config: { ...defaultControllerConfig(), proxyImage: 'example.invalid/mcp-operator:test' },
      log: silentLogger(),
      namespaces: [NS, ...exampleNamespaces],
      workers: 2,
    });
    await manager.start();
  });
  after(async () => {
    await manager?.stop();
    await webhook?.remove();
    await kubectl(['delete', 'namespace', NS, '--wait=false']);
  });

  it('lists the servers naming a group (2), then one fewer when one is deleted', async () => {
    const group = JSON.stringify({
      apiVersion: 'toolhive.stacklok.dev/v1beta1',
      kind: 'MCPGroup',
      metadata: { name: 'team', namespace: NS },
      spec: { description: 'the team’s servers' },
    });
    for (const manifest of [group, server('alpha', { name: 'team' }), server('beta', { name: 'team' })]) {
      const r = await kubectl(['apply', '-f', '-'], manifest);
      expect(r.code, r.stderr).to.equal(0);
    }
    const status = await groupLists(NS, 'team', ['alpha', 'beta']);
    expect(status.phase).to.equal('Ready');
    expect(status.conditions?.find((c) => c.type === 'MCPServersChecked')?.status).to.equal('True');
    const table = await kubectl(['get', 'mcpgroup', 'team', '-n', NS, '--no-headers']);
    expect(table.stdout.trim().split(/\s+/).slice(0, 3)).to.deep.equal(['team', '2', 'Ready']);

    expect((await kubectl(['delete', 'mcpserver', 'beta', '-n', NS])).code).to.equal(0);
    await groupLists(NS, 'team', ['alpha']);
  });

  it('leaves a server and its children as they are when its group is deleted, denies a spec change while it is missing; the group made again lists it', async () => {
    const group = JSON.stringify({
      apiVersion: 'toolhive.stacklok.dev/v1beta1',
      kind: 'MCPGroup',
      metadata: { name: 'crew', namespace: NS },
      spec: {},
    });
    for (const manifest of [group, server('gamma', { name: 'crew' })])
      expect((await kubectl(['apply', '-f', '-'], manifest)).code).to.equal(0);
    await groupLists(NS, 'crew', ['gamma']);
    const workload = async () => {
      const r = await kubectl([
        'get',
        'statefulset',
        'gamma',
        '-n',
        NS,
        '-o',
        'jsonpath={.metadata.uid}/{.metadata.generation}',
      ]);
      return r.code === 0 && r.stdout.includes('/') ? r.stdout : undefined;
    };
    const before = await eventually('the StatefulSet of gamma', workload);
    expect((await kubectl(['delete', 'mcpgroup', 'crew', '-n', NS])).code).to.equal(0);
    await new Promise((resolve) => setTimeout(resolve, 3000)); // the controller's reaction, if any
    expect((await kubectl(['get', 'mcpserver', 'gamma', '-n', NS])).code, 'the server stays').to.equal(0);
    expect(await workload(), 'the same StatefulSet, spec unchanged').to.equal(before);
    const changed = server('gamma', { name: 'crew' }).replace('server:1', 'server:2');
    const refused = await kubectl(['apply', '-f', '-'], changed);
    expect([refused.code === 0, refused.stderr], 'a spec change while the group is missing').to.satisfy(
      ([ok, stderr]: [boolean, string]) => !ok && stderr.includes('spec.groupRef.name'),
    );
    expect((await kubectl(['apply', '-f', '-'], group)).code).to.equal(0);
    await groupLists(NS, 'crew', ['gamma']);
  });

  it('denies a server naming a group that does not exist, at spec.groupRef.name', async () => {
    const r = await kubectl(['apply', '-f', '-'], server('lost', { name: 'no-such-group' }));
    expect(r.code).not.to.equal(0);
    expect(r.stderr).to.include('spec.groupRef.name: Not found: "no-such-group"');
  });

  it("refuses ToolHive's old string form of groupRef (before v0.20.0), naming the field", async () => {
    const r = await kubectl(['apply', '-f', '-'], server('old-form', 'team'));
    expect(r.code).not.to.equal(0);
    expect(r.stderr).to.match(
      /spec\.groupRef: Invalid value: "string": spec\.groupRef in body must be of type object/,
    );
  });

  it("applies ToolHive v0.44.0's example files with MCPGroups unchanged; each group lists its servers", async () => {
    expect(examples.size).to.be.at.least(10);
    // The Secrets the servers read that no example defines (the examples ask the reader to create
    // them): admission checks that they exist, so they are made here, with a placeholder value.
    const all = [...examples.values()].flat();
    const defined = new Set(all.filter((d) => d.kind === 'Secret').map((d) => `${d.namespace}/${d.name}`));
    const needed = new Map<string, Set<string>>();
    for (const doc of all)
      for (const { name, key } of doc.secrets)
        if (!defined.has(`${doc.namespace}/${name}`))
          needed.set(
            `${doc.namespace}/${name}`,
            (needed.get(`${doc.namespace}/${name}`) ?? new Set()).add(key),
          );
    for (const [ref, keys] of needed) {
      const [namespace, name] = ref.split('/') as [string, string];
      const literals = [...keys].map((k) => `--from-literal=${k}=placeholder`);
      const r = await kubectl(['create', 'secret', 'generic', name, '-n', namespace, ...literals]);
      expect(r.code, r.stderr).to.equal(0);
    }
    const servers = new Map<string, ExampleDoc>();
    for (const [file, docs] of examples) {
      // Namespaces and groups first, as kubectl apply -f of the whole file would not order them.
      const ordered = [
        ...docs.filter((d) => d.kind === 'Namespace'),
        ...docs.filter((d) => d.kind !== 'Namespace' && d.kind !== 'MCPServer'),
        ...docs.filter((d) => d.kind === 'MCPServer'),
      ];
      for (const doc of ordered) {
        const r = await kubectl(['apply', '-f', '-'], doc.text);
        expect(r.code, `${file}, ${doc.kind} ${doc.name}: ${r.stderr}`).to.equal(0);
        // Files reuse server names (fetch, ...): the last file applied says which group one is in.
        if (doc.kind === 'MCPServer') servers.set(`${doc.namespace}/${doc.name}`, doc);
      }
    }
    // Every file applied: a group lists every server that names it, whichever file defined it.
    for (const group of all.filter((d) => d.kind === 'MCPGroup')) {
      const members = [...servers.values()]
        .filter((d) => d.namespace === group.namespace && d.groupRef === group.name)
        .map((d) => d.name);
      await groupLists(group.namespace, group.name, members.sort());
    }
  });
});
