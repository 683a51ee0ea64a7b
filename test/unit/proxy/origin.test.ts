import { expect } from 'chai';
import { serviceDnsNames } from '../../../lib/service-names.ts';
import { LOOPBACK_HOSTS, rebindingProblem } from '../../../proxy/origin.ts';

describe('rebindingProblem', () => {
  const allowed = {
    hosts: [...LOOPBACK_HOSTS, ...serviceDnsNames('mcp-fetch-proxy', 'tools')],
    origins: ['https://app.example'],
  };
  const cases: Record<string, { host?: string; origin?: string; want: string | undefined }> = {
    'accepts localhost with a port and no Origin': { host: 'localhost:8080', want: undefined },
    'accepts an IPv6 loopback Host': { host: '[::1]:8080', want: undefined },
    'accepts the Service name in the cluster': {
      host: 'mcp-fetch-proxy.tools.svc.cluster.local:8080',
      want: undefined,
    },
    'accepts an Origin listed whole': { host: '127.0.0.1', origin: 'https://app.example', want: undefined },
    'accepts an Origin whose host is allowed': {
      host: '127.0.0.1',
      origin: 'http://localhost:5173',
      want: undefined,
    },
    'refuses a rebinding Host': {
      host: 'evil.example:8080',
      want: 'Host "evil.example:8080" is not allowed',
    },
    'refuses a missing Host': { want: 'Host "" is not allowed' },
    'refuses a foreign Origin on a good Host': {
      host: 'localhost',
      origin: 'http://evil.example',
      want: 'Origin "http://evil.example" is not allowed',
    },
    'refuses an Origin that is not a URL': {
      host: 'localhost',
      origin: 'null',
      want: 'Origin "null" is not a URL',
    },
  };
  for (const [name, c] of Object.entries(cases)) {
    it(name, () => expect(rebindingProblem(c.host, c.origin, allowed)).to.equal(c.want));
  }
});
