import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { StdioRpc } from '../../../bench/lib/realnode-echo.ts';
import { rssTable, spread, startTable } from '../../../bench/lib/realnode-report.ts';

const EVERYTHING = fileURLToPath(
  import.meta.resolve('@modelcontextprotocol/server-everything/dist/index.js'),
);

describe('bench/lib/realnode-report', function () {
  it('spread: median of odd and even counts, min and max, NaN left out', function () {
    expect(spread([3, 1, 2])).to.deep.equal({ median: 2, min: 1, max: 3 });
    expect(spread([4, 1, 3, 2, NaN])).to.deep.equal({ median: 2.5, min: 1, max: 4 });
    expect(spread([]).median).to.be.NaN;
  });

  it('startTable: ratio of the medians against the answered floor, met at 1.5x and below', function () {
    const ours = (ms: number) => ({
      name: 'x',
      applyMs: 100,
      clusterIpMs: ms,
      portForwardMs: undefined,
      pods: {},
    });
    const floor = (ms: number) => ({ name: 'f', readyMs: ms - 500, answeredMs: ms });
    const [, , met, missed] = startTable([
      {
        transport: 'stdio',
        ours: [ours(3000), ours(9000), ours(4500)],
        floor: [floor(3000), floor(2000), floor(4000)],
      },
      { transport: 'sse', ours: [ours(4600)], floor: [floor(3000)] },
    ]);
    expect(met).to.include(
      '| stdio | 4.5 (3.0-9.0) | - | 2.5 (1.5-3.5) | 3.0 (2.0-4.0) | 1.50x (met) | - | 1.80x |',
    );
    expect(missed).to.include('1.53x (missed)');
  });

  it('rssTable: one row per process and the node and control plane totals', function () {
    const idle = [
      { what: 'etcd', count: 1, mib: 40 },
      { what: 'kube-apiserver', count: 1, mib: 300 },
      { what: 'kubelet', count: 1, mib: 60 },
      { what: 'containerd-shim-runc-v2 (all)', count: 4, mib: 40 },
    ];
    const loaded = idle.map((r) => ({ ...r, count: r.count * 2, mib: r.mib * 2 }));
    const lines = rssTable(idle, loaded);
    expect(lines).to.include('| containerd-shim-runc-v2 (all) | 4 · 8 | 40.0 | 80.0 |');
    expect(lines.at(-2)).to.match(/\| 100\.0 \| 200\.0 \|$/);
    expect(lines.at(-1)).to.match(/\| 340\.0 \| 680\.0 \|$/);
  });
});

describe('bench/lib/realnode-echo StdioRpc', function () {
  it('initializes, then matches concurrent echo answers to their ids; rejects a call after the exit', async function () {
    const rpc = new StdioRpc(process.execPath, [EVERYTHING, 'stdio']);
    try {
      await rpc.initialize(10_000);
      await Promise.all(Array.from({ length: 8 }, (_, i) => rpc.echo(`m${i}`)));
    } finally {
      await rpc.close();
    }
    let failed = false;
    await rpc.echo('late').catch(() => (failed = true));
    expect(failed).to.equal(true);
  });
});

describe('bench/lib/realnode-calls parseProxyTime', function () {
  it("sums the streamable-HTTP front's POST duration and count, whatever the label order", async function () {
    const { parseProxyTime } = await import('../../../bench/lib/realnode-calls.ts');
    const text = [
      'mcp_proxy_http_request_duration_seconds_bucket{front="streamable-http",method="POST",le="0.005"} 3',
      'mcp_proxy_http_request_duration_seconds_sum{front="streamable-http",method="POST"} 0.25',
      'mcp_proxy_http_request_duration_seconds_count{method="POST",front="streamable-http"} 10',
      'mcp_proxy_http_request_duration_seconds_sum{front="streamable-http",method="GET"} 99',
      'mcp_proxy_http_request_duration_seconds_sum{front="sse",method="POST"} 99',
    ].join('\n');
    expect(parseProxyTime(text)).to.deep.equal({ seconds: 0.25, count: 10 });
  });
});

describe('bench/lib/realnode-cpu parseProcStatBusy', function () {
  it('counts every CPU state but idle and iowait, in seconds', async function () {
    const { parseProcStatBusy } = await import('../../../bench/lib/realnode-cpu.ts');
    const text = 'cpu  100 20 30 5000 40 5 5 0 0 0\ncpu0 50 10 15 2500 20 2 3 0 0 0\n';
    expect(parseProcStatBusy(text)).to.equal(1.6);
  });
});
