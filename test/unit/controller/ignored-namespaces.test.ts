// --ignore-namespaces: parsed into the controller's options and config, and the filter the manager
// applies before queueing an MCPServer.
import { expect } from 'chai';
import { parseControllerOptions } from '../../../cli/commands/controller.ts';
import { splitRunArgs } from '../../../cli/commands/run.ts';
import { defaultControllerConfig, isIgnoredNamespace } from '../../../controller/config.ts';

describe('--ignore-namespaces', () => {
  it('ignores no namespace by default', () => {
    expect(defaultControllerConfig().ignoreNamespaces).to.deep.equal([]);
    expect(parseControllerOptions([], {})).to.deep.include({ ignoreNamespaces: [] });
  });

  it('reads a comma-separated list, blanks dropped', () => {
    expect(
      parseControllerOptions(['--ignore-namespaces', 'kube-system, kube-node-lease,,ops'], {}),
    ).to.deep.include({
      ignoreNamespaces: ['kube-system', 'kube-node-lease', 'ops'],
    });
  });

  it('is a controller flag of `mcp-operator run`', () => {
    expect(splitRunArgs(['--namespace=ops', '--ignore-namespaces=kube-system,ops'])).to.deep.equal({
      webhook: ['--namespace=ops'],
      controller: ['--ignore-namespaces=kube-system,ops'],
    });
  });

  it('matches namespaces by their whole name only', () => {
    const cfg = { ...defaultControllerConfig(), ignoreNamespaces: ['kube-system', 'ops'] };
    expect(
      ['kube-system', 'ops', 'kube-system-2', 'op', 'team-a'].map((n) => isIgnoredNamespace(cfg, n)),
    ).to.deep.equal([true, true, false, false, false]);
  });
});
