// Property-based fuzzing of the Cedar side of authorization (issue 15), in process: generated policy
// texts and entities JSON (cedar-cases.ts) into checkCedarConfig, which must answer a list of problems
// and never throw; every config it accepts must build an authorizer, and that authorizer must decide
// generated hostile inputs (huge names, odd unicode, deep or reserved-key claims, odd arguments) without
// throwing, each decision within DECISION_BUDGET_MS; and Cedar must still work after every case. Bounded: FUZZ_RUNS configs (300 by default), each
// with a few decisions. FUZZ_SEED replays.
import { expect } from 'chai';
import fc from 'fast-check';
import { checkCedarConfig, type CedarAuthzConfig } from '../../lib/authz-config.ts';
import { CedarAuthorizer } from '../../proxy/authz/cedar-authorizer.ts';
import type { Caller } from '../../proxy/caller.ts';
import { decisionInput, entitiesJson, policyText } from './cedar-cases.ts';
import { fuzzRuns, fuzzSeed } from './fuzz-child.ts';

const DEFAULT_SEED = 20_261_205;
const CHECK_BUDGET_MS = 2_000;
const DECISION_BUDGET_MS = 500;
const GOOD: CedarAuthzConfig = {
  type: 'cedarv1',
  policies: ['permit(principal, action == Action::"call_tool", resource == Tool::"echo");'],
  entitiesJson: '[]',
};

describe('Cedar config checks and decisions under generated hostile input', function () {
  this.timeout(300_000);
  const seed = fuzzSeed(DEFAULT_SEED);
  const runs = fuzzRuns(300);
  const tally = {
    configs: 0,
    accepted: 0,
    decisions: 0,
    allowed: 0,
    slowestCheckMs: 0,
    slowestDecisionMs: 0,
  };

  after(() => console.log(`  seed ${seed}: ${JSON.stringify(tally)}`));

  it('never throws, accepts or names problems, and decides accepted configs in bounded time', () => {
    fc.assert(
      fc.property(
        fc.array(policyText, { minLength: 1, maxLength: 3 }),
        entitiesJson,
        fc.option(fc.constantFrom('THVGroup', 'Team', 'A::B', '', '1x', 'if'), { nil: undefined, freq: 3 }),
        fc.array(decisionInput, { minLength: 1, maxLength: 4 }),
        (policies, entities, groupEntityType, inputs) => {
          const config: CedarAuthzConfig = {
            type: 'cedarv1',
            policies,
            entitiesJson: entities,
            groupClaimName: 'realm_access.groups',
            roleClaimName: 'roles',
          };
          if (groupEntityType !== undefined) config.groupEntityType = groupEntityType;
          tally.configs++;
          let t = performance.now();
          const problems = checkCedarConfig(config);
          tally.slowestCheckMs = Math.max(tally.slowestCheckMs, performance.now() - t);
          expect(performance.now() - t).to.be.below(CHECK_BUDGET_MS);
          expect(problems).to.be.an('array');
          for (const p of problems) {
            expect(p.message).to.be.a('string').and.not.equal('');
            expect(p.path).to.be.an('array');
          }
          // Cedar still works after whatever this case did (a stack overflow in the wasm corrupts it).
          expect(checkCedarConfig(GOOD)).to.deep.equal([]);
          if (problems.length) {
            expect(() => new CedarAuthorizer(config, 'fuzz')).to.throw(/^authz: /);
            return;
          }
          tally.accepted++;
          const authorizer = new CedarAuthorizer(config, 'fuzz');
          for (const input of inputs) {
            const caller: Caller = {
              key: `k|${input.subject}`,
              subject: input.subject,
              claims: input.claims,
              scopes: [],
            };
            const action =
              input.resourceType === 'Tool'
                ? 'call_tool'
                : input.resourceType === 'Prompt'
                  ? 'get_prompt'
                  : 'read_resource';
            t = performance.now();
            const decision = authorizer.decide(caller, {
              action,
              resourceType: input.resourceType,
              id: input.id,
              ...(input.args ? { args: input.args } : {}),
            });
            const ms = performance.now() - t;
            tally.slowestDecisionMs = Math.max(tally.slowestDecisionMs, ms);
            expect(ms).to.be.below(DECISION_BUDGET_MS);
            expect(decision.allowed).to.be.a('boolean');
            tally.decisions++;
            if (decision.allowed) tally.allowed++;
          }
        },
      ),
      { seed, numRuns: runs },
    );
    expect(tally.accepted, 'some generated configs should be accepted').to.be.above(0);
  });
});
