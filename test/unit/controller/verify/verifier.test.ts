// The verifier with real handshakes (handshake.ts against a real MCP server over HTTP) and a clock the
// test moves: what status carries before, during and after a check, and when checks are made.
import { expect } from 'chai';
import { silentLogger } from '../../../../lib/log.ts';
import type { MCPServer } from '../../../../schemas/generated/mcpserver.ts';
import { statusFor } from '../../../../controller/status.ts';
import { handshake } from '../../../../controller/verify/handshake.ts';
import { Verifier, type VerificationInput } from '../../../../controller/verify/verifier.ts';
import { config, mcpServer, withSpec } from '../builders.ts';
import { startPagedServer, type PagedServer } from './support/paged-server.ts';

const rolledOut = {
  metadata: { generation: 1 },
  spec: { replicas: 1 },
  status: { observedGeneration: 1, updatedReplicas: 1, replicas: 1, readyReplicas: 1 },
};
const READY: VerificationInput = { ready: true, deployment: rolledOut };

interface Rig {
  verifier: Verifier;
  enqueued: string[];
  checks: () => number;
  clock: { now: number };
  next: () => Promise<string>;
}

function rig(target: () => URL): Rig {
  const enqueued: string[] = [];
  const waiters: Array<(key: string) => void> = [];
  let checks = 0;
  const clock = { now: Date.parse('2026-12-05T10:00:00Z') };
  const verifier = new Verifier({
    check: () => {
      checks++;
      return handshake({ url: target(), timeoutMs: 3000 });
    },
    enqueue: (key) => {
      enqueued.push(key);
      waiters.shift()?.(key);
    },
    log: silentLogger(),
    now: () => new Date(clock.now),
  });
  return {
    verifier,
    enqueued,
    checks: () => checks,
    clock,
    next: () => new Promise((resolve) => waiters.push(resolve)),
  };
}

/** The server as it would be after the controller wrote the status computed with `verifier`. */
function written(server: MCPServer, r: Rig, input = READY): MCPServer {
  const v = r.verifier.verification(server, input);
  const observed = {
    statefulSet: rolledOut,
    deployment: rolledOut,
    pods: [],
    findings: {
      secrets: { status: 'True' as const, reason: 'Resolved', message: '' },
      permissionProfile: { status: 'True' as const, reason: 'x', message: '' },
    },
    applyFailure: undefined,
    verification: v,
  };
  return { ...server, status: statusFor(server, observed, config(), new Date(r.clock.now)) };
}

describe('Verifier', () => {
  let mcp: PagedServer | undefined;
  afterEach(async () => {
    await mcp?.close();
    mcp = undefined;
  });

  it('checks a Ready server once, and status then carries the tools and Verified=True', async () => {
    mcp = await startPagedServer({ tools: ['echo', 'add'], pageSize: 1 });
    const r = rig(() => mcp!.url);
    const server = mcpServer('fetch');
    const answered = r.next();
    const first = written(server, r);
    expect(first.status?.verified).to.equal(undefined);
    expect(first.status?.conditions?.find((c) => c.type === 'Verified')).to.equal(undefined);
    expect(await answered).to.equal('team-a/fetch');
    const second = written(first, r);
    expect(second.status?.verified).to.include({
      toolCount: 2,
      observedGeneration: 1,
      protocolVersion: second.status?.verified?.protocolVersion,
    });
    expect(second.status?.verified?.tools).to.deep.equal(['add', 'echo']);
    expect(second.status?.verified?.serverInfo).to.deep.equal({
      name: 'paged-test-server',
      version: '1.2.3',
    });
    expect(second.status?.conditions?.find((c) => c.type === 'Verified')).to.include({
      status: 'True',
      reason: 'Verified',
    });
    // Resyncs and a restarted verifier (a new leader) leave a verified subject alone.
    written(second, r);
    written(
      second,
      rig(() => mcp!.url),
    );
    expect(r.checks()).to.equal(1);
    expect(mcp.opened).to.equal(1);
    expect(mcp.deleted).to.equal(1);
  });

  it('checks again when the generation moves, and not before the proxy is ready and rolled out', async () => {
    mcp = await startPagedServer({ tools: ['echo'] });
    const r = rig(() => mcp!.url);
    let server = mcpServer('fetch');
    written(server, r, { ready: false, deployment: rolledOut });
    written(server, r, {
      ready: true,
      deployment: { ...rolledOut, status: { ...rolledOut.status, updatedReplicas: 0 } },
    });
    expect(r.checks()).to.equal(0);
    const answered = r.next();
    server = written(server, r);
    await answered;
    server = written(server, r);
    server = { ...server, metadata: { ...server.metadata, generation: 2 } };
    const again = r.next();
    server = written(server, r);
    await again;
    server = written(server, r);
    expect(r.checks()).to.equal(2);
    expect(server.status?.verified?.observedGeneration).to.equal(2);
  });

  it('keeps the last verified tools when a check fails, says False, and retries after the backoff', async () => {
    mcp = await startPagedServer({ tools: ['echo'] });
    const url = mcp.url;
    const r = rig(() => url);
    let server = mcpServer('fetch');
    let answered = r.next();
    server = written(server, r);
    await answered;
    server = written(server, r);
    await mcp.close();
    mcp = undefined;
    server = { ...server, metadata: { ...server.metadata, generation: 2 } };
    answered = r.next();
    server = written(server, r);
    await answered;
    server = written(server, r);
    expect(server.status?.verified?.observedGeneration).to.equal(1);
    expect(server.status?.conditions?.find((c) => c.type === 'Verified')).to.include({
      status: 'False',
      reason: 'HandshakeFailed',
    });
    written(server, r);
    expect(r.checks()).to.equal(2);
    r.clock.now += 16_000;
    answered = r.next();
    written(server, r);
    await answered;
    expect(r.checks()).to.equal(3);
  });

  it('records Unknown AuthenticationRequired for a proxy that wants a token, and does not retry it', async () => {
    mcp = await startPagedServer({ tools: [], status: 401 });
    const r = rig(() => mcp!.url);
    let server = mcpServer('secured');
    const answered = r.next();
    server = written(server, r);
    await answered;
    server = written(server, r);
    expect(server.status?.conditions?.find((c) => c.type === 'Verified')).to.include({
      status: 'Unknown',
      reason: 'AuthenticationRequired',
    });
    r.clock.now += 3_600_000;
    written(server, r);
    expect(r.checks()).to.equal(1);
  });

  it('does not record an answer from a proxy still on its older tool filter', async () => {
    mcp = await startPagedServer({ tools: ['echo', 'add'] });
    const r = rig(() => mcp!.url);
    let server = mcpServer('fetch', withSpec({ toolConfigRef: { name: 'only-echo' } }));
    const companions = new Map([
      ['MCPToolConfig/only-echo', { metadata: { generation: 1 }, spec: { toolsFilter: ['echo'] } }],
    ]);
    const answered = r.next();
    server = written(server, r, { ...READY, companions });
    await answered;
    server = written(server, r, { ...READY, companions });
    expect(server.status?.verified).to.equal(undefined);
    expect(server.status?.conditions?.find((c) => c.type === 'Verified')).to.equal(undefined);
  });
});
