// The chart's one list of namespaces its admission webhooks leave out is also the controller's
// --ignore-namespaces, unless operator.reconcileExcludedNamespaces opts those namespaces back in; and
// the command the chart runs accepts the flag. No cluster: `helm template` by the Go-built helm.
import { expect } from 'chai';
import { parseAllDocuments } from 'yaml';
import { parseControllerOptions } from '../../cli/commands/controller.ts';
import { splitRunArgs } from '../../cli/commands/run.ts';
import { renderChart } from '../../manifests/generate.ts';

interface Rendered {
  kind: string;
  spec?: { template: { spec: { containers: { args: string[] }[] } } };
  webhooks?: { namespaceSelector: { matchExpressions: { operator: string; values: string[] }[] } }[];
}

async function render(values: string[] = [], namespace?: string) {
  const objects = parseAllDocuments(await renderChart(values, { namespace }))
    .map((d) => d.toJS() as Rendered | null)
    .filter((o): o is Rendered => o !== null);
  const args = objects.find((o) => o.kind === 'Deployment')?.spec?.template.spec.containers[0]?.args ?? [];
  const webhooks = objects.flatMap((o) =>
    o.kind.endsWith('WebhookConfiguration') ? (o.webhooks ?? []) : [],
  );
  const excluded = webhooks.map(
    (w) => w.namespaceSelector.matchExpressions.find((e) => e.operator === 'NotIn')?.values,
  );
  return { args, excluded, ignored: args.find((a) => a.startsWith('--ignore-namespaces=')) };
}

describe('chart: namespaces the webhooks leave out', () => {
  it('are the ones the controller ignores, for the release namespace it is installed in', async () => {
    const r = await render([], 'ops');
    // Nine webhooks: MCPServer's validating and mutating, and the validating one of each kind it names
    // (MCPOIDCConfig, MCPAuthzConfig and the five companions).
    expect(r.excluded).to.deep.equal(
      Array.from({ length: 9 }, () => ['kube-system', 'kube-node-lease', 'ops']),
    );
    expect(r.ignored).to.equal('--ignore-namespaces=kube-system,kube-node-lease,ops');
  });

  it('are reconciled with operator.reconcileExcludedNamespaces=true (the webhooks still leave them out)', async () => {
    const r = await render(['operator.reconcileExcludedNamespaces=true'], 'ops');
    expect(r.ignored).to.equal(undefined);
    expect(r.excluded[0]).to.deep.equal(['kube-system', 'kube-node-lease', 'ops']);
  });

  it('reach the controller through `mcp-operator run` as its ignoreNamespaces', async () => {
    const split = splitRunArgs((await render([], 'ops')).args.slice(1));
    if ('problem' in split) throw new Error(split.problem);
    const options = parseControllerOptions(split.controller, {});
    expect(options).to.deep.include({ ignoreNamespaces: ['kube-system', 'kube-node-lease', 'ops'] });
  });
});
