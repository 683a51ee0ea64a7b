// The fetch a controller outside the cluster hands the SDK client: the operator's credentials go on
// every request, and SSE answers stream through it.
import { expect } from 'chai';
import type { RequestOptions } from 'node:https';
import type { ApiAccess } from '../../../../lib/kube/access.ts';
import { apiServerFetch } from '../../../../controller/verify/api-server-fetch.ts';
import { handshake } from '../../../../controller/verify/handshake.ts';
import { startPagedServer, type PagedServer } from './support/paged-server.ts';

const access = (server: URL): ApiAccess => ({
  server,
  applyTo: (options: RequestOptions) => {
    options.headers = { ...options.headers, Authorization: 'Bearer operator-token' };
    return Promise.resolve();
  },
});

describe('apiServerFetch', () => {
  let mcp: PagedServer | undefined;
  afterEach(async () => {
    await mcp?.close();
    mcp = undefined;
  });

  for (const sse of [false, true]) {
    it(`carries the operator's credentials on every request of a handshake (${sse ? 'SSE' : 'JSON'} answers)`, async () => {
      const seen: Array<string | undefined> = [];
      mcp = await startPagedServer({
        tools: ['a', 'b', 'c'],
        pageSize: 2,
        sse,
        onAuthorization: (v) => seen.push(v),
      });
      const outcome = await handshake({
        url: mcp.url,
        timeoutMs: 5000,
        fetch: apiServerFetch(access(mcp.url)),
      });
      expect(outcome.kind === 'verified' && outcome.tools).to.deep.equal(['a', 'b', 'c']);
      expect(mcp.deleted).to.equal(1);
      expect(seen.length).to.be.greaterThan(3);
      expect(new Set(seen)).to.deep.equal(new Set(['Bearer operator-token']));
    });
  }
});
