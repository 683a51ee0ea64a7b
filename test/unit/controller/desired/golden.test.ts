// The desired state of every seed example, rendered to YAML and compared with test/golden/controller/.
// Regenerate with UPDATE_GOLDEN=1 and review the diff: it is exactly what the cluster would receive.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { parse, stringify } from 'yaml';
import { desiredChildren } from '../../../../controller/desired/children.ts';
import type { MCPServer } from '../../../../schemas/generated/mcpserver.ts';
import { config, facts } from '../builders.ts';

const SEEDS = 'test/fixtures/seed-examples';
const GOLDEN = 'test/golden/controller';
const API_SERVER = {
  serviceIPs: ['10.96.0.1'],
  servicePorts: [443],
  endpointIPs: ['192.168.49.2'],
  endpointPorts: [6443],
};

describe('desired state of the seed examples (golden files)', () => {
  const seeds = readdirSync(SEEDS).filter((f) => f.endsWith('.yaml'));
  it('covers all four seeds', () => expect(seeds).to.have.length(4));
  for (const seed of seeds) {
    it(`renders ${seed} as ${GOLDEN}/${seed}`, () => {
      const server = parse(readFileSync(join(SEEDS, seed), 'utf8')) as MCPServer;
      server.metadata = { ...server.metadata, uid: `uid-${server.metadata?.name}`, generation: 1 };
      // What the seed's comment says exists: the github-token Secret with key token; and an API server
      // as kubeadm's defaults place it (the `kubernetes` Service and one endpoint).
      const known = facts({ 'github-token': { token: 'dG9rZW4=' } });
      const desired = desiredChildren(server, { ...known, apiServer: API_SERVER }, config());
      const text = stringify(
        { findings: desired.findings, objects: desired.objects },
        { aliasDuplicateObjects: false },
      );
      const file = join(GOLDEN, seed);
      if (process.env.UPDATE_GOLDEN) writeFileSync(file, text);
      expect(text).to.equal(readFileSync(file, 'utf8'));
    });
  }
});
