// Last: the cluster stops, and the host is as it was before the suite started it: no container, shim,
// mount, veth, bridge, nftables table, ipset, changed sysctl, kubepods cgroup or host folder left.
import { expect } from 'chai';
import { cluster } from './harness.ts';
import { before as hostBefore, hostSnapshot } from './host-snapshot.ts';

describe('stopping the real node', function () {
  it('leaves the host exactly as it was before the node started', async function () {
    const running = await hostSnapshot();
    expect(running.links, 'while running, the node has its bridge').to.include('mcpbr0');
    const started = performance.now();
    await cluster().stop();
    const stopMs = Math.round(performance.now() - started);
    const after = await hostSnapshot();
    expect(after).to.deep.equal(hostBefore.snapshot);
    console.log(`      stopped and cleaned in ${stopMs} ms`);
  });
});
