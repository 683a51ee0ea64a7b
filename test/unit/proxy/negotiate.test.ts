import { expect } from 'chai';
import { LATEST_PROTOCOL_VERSION, SUPPORTED_PROTOCOL_VERSIONS } from '@modelcontextprotocol/sdk/types.js';
import {
  PROXY_PROTOCOL_VERSION,
  SESSION_PROTOCOL_VERSIONS,
  negotiateVersion,
} from '../../../proxy/negotiate.ts';

describe('protocol revisions', () => {
  it("are the SDK's, copied to keep zod out of the proxy's memory", () => {
    expect(PROXY_PROTOCOL_VERSION).to.equal(LATEST_PROTOCOL_VERSION);
    expect(SESSION_PROTOCOL_VERSIONS).to.deep.equal(SUPPORTED_PROTOCOL_VERSIONS);
  });
});

describe('negotiateVersion', () => {
  const cases: Record<string, { requested: unknown; server: string; want: string }> = {
    'gives the client its revision when the server speaks it': {
      requested: '2025-06-18',
      server: '2025-11-25',
      want: '2025-06-18',
    },
    'gives the server revision when the client asks for a newer one': {
      requested: '2025-11-25',
      server: '2025-06-18',
      want: '2025-06-18',
    },
    'gives the server revision for an unknown one': {
      requested: '2030-01-01',
      server: '2025-11-25',
      want: '2025-11-25',
    },
    'gives the server revision when the client names none': {
      requested: undefined,
      server: '2025-11-25',
      want: '2025-11-25',
    },
  };
  for (const [name, c] of Object.entries(cases)) {
    it(name, () => expect(negotiateVersion(c.requested, c.server)).to.equal(c.want));
  }
});
