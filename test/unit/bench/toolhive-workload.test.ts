// bench/toolhive's pure parts: the bodies both operators get, and how kube-apiserver's counters are read.
import assert from 'node:assert/strict';
import { parseRequestTotals } from '../../../bench/lib/controller-cluster.ts';
import { table } from '../../../bench/toolhive/report.ts';
import { classifyWrites, isReady, yardstickServers } from '../../../bench/toolhive/workload.ts';

const EXAMPLE = `apiVersion: toolhive.stacklok.dev/v1beta1
kind: MCPServer
metadata:
  name: yardstick
  namespace: toolhive-system
spec:
  image: ghcr.io/stackloklabs/yardstick/yardstick-server:1.1.1
  transport: streamable-http
  proxyPort: 8080
`;

const sample = (verb: string, resource: string, value: number, code = '201') =>
  `apiserver_request_total{code="${code}",component="apiserver",group="",resource="${resource}",verb="${verb}",version="v1"} ${value}`;

describe('bench/toolhive workload', () => {
  it('copies the example under generated names in the namespace', () => {
    const servers = yardstickServers(EXAMPLE, 'bench', 3);
    assert.deepEqual(
      servers.map((s) => `${s.metadata.namespace}/${s.metadata.name}`),
      ['bench/yardstick-0000', 'bench/yardstick-0001', 'bench/yardstick-0002'],
    );
    assert.equal(servers[2]!.apiVersion, 'toolhive.stacklok.dev/v1beta1');
    assert.deepEqual(servers[1]!.spec, {
      image: 'ghcr.io/stackloklabs/yardstick/yardstick-server:1.1.1',
      transport: 'streamable-http',
      proxyPort: 8080,
    });
  });

  it('refuses a manifest that is not an MCPServer', () => {
    assert.throws(() => yardstickServers('kind: Deployment\nspec: {}\n', 'bench', 1), /not an MCPServer/);
  });

  it('is Ready only on status.phase Ready', () => {
    assert.equal(isReady({ status: { phase: 'Ready' } }), true);
    assert.equal(isReady({ status: { phase: 'Pending' } }), false);
    assert.equal(isReady({}), false);
  });

  it('counts operator writes apart from the cluster and the bench own creations', () => {
    const delta = parseRequestTotals(
      [
        sample('POST', 'mcpservers', 100),
        sample('PUT', 'mcpservers', 7),
        `apiserver_request_total{code="200",resource="mcpservers",subresource="status",verb="PUT"} 40`,
        `apiserver_request_total{code="409",resource="mcpservers",subresource="status",verb="PUT"} 3`,
        `apiserver_request_total{code="200",resource="deployments",subresource="status",verb="PUT"} 9`,
        sample('POST', 'deployments', 10),
        sample('POST', 'pods', 10),
        sample('POST', 'events', 12),
        sample('GET', 'deployments', 500, '200'),
      ].join('\n'),
    );
    const writes = classifyWrites(delta, 95);
    assert.deepEqual(writes.operator, {
      'POST mcpservers': 5,
      'PUT mcpservers': 7,
      'PUT mcpservers/status': 43,
      'POST deployments': 10,
    });
    assert.equal(writes.events, 12);
    assert.equal(writes.refused, 3);
    assert.equal(writes.all, 100 + 7 + 43 + 9 + 10 + 10 + 12 - 95);
  });

  it('prints one row per operator and size', () => {
    const writes = { operator: { 'POST deployments': 10 }, events: 5, all: 40, refused: 0 };
    const out = table(
      [
        {
          subject: 'ToolHive v0.44.0',
          count: 10,
          createSeconds: 0.1,
          halfReadySeconds: 1,
          readySeconds: 2,
          writes,
          steady: { operator: {}, events: 0, all: 3, refused: 0 },
          steadySeconds: 60,
          rssMiB: { idle: 60, ready: 64, steady: 65 },
          cpuSeconds: { start: 0.1, toReady: 0.5, steady: 0 },
        },
      ],
      '1.00, 0.50, 0.25',
    );
    const row = out.split('\n').find((l) => l.startsWith('ToolHive'))!;
    assert.match(row, /1\.0 · 2\.0 s/);
    assert.match(row, /1\.00 · 0\.50 · 4\.00/);
    assert.match(row, /60 · 64 · 65 MiB/);
    assert.match(out, /load average at the end: 1\.00, 0\.50, 0\.25/);
  });
});
