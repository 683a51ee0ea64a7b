import { expect } from 'chai';
import { tooComplex } from '../../../../lib/cedar-safe.ts';
import { checkCedarConfig } from '../../../../lib/authz-config.ts';
import {
  argumentContext,
  callerGroups,
  claimAttributes,
  toCedarValue,
} from '../../../../proxy/authz/entities.ts';
import { filterListResult, toolAnnotations } from '../../../../proxy/authz/list-filter.ts';
import { ruleFor } from '../../../../proxy/authz/methods.ts';

describe('proxy/authz pure parts', () => {
  it("maps methods as ToolHive's middleware does", () => {
    expect(ruleFor('tools/call', { name: 'echo', arguments: { a: 1 } })).to.deep.equal({
      kind: 'check',
      action: 'call_tool',
      resourceType: 'Tool',
      id: 'echo',
      args: { a: 1 },
    });
    expect(ruleFor('prompts/get', { name: 'p' })).to.include({ action: 'get_prompt', id: 'p' });
    for (const m of ['resources/read', 'resources/subscribe', 'resources/unsubscribe'])
      expect(ruleFor(m, { uri: 'u://x' })).to.include({
        action: 'read_resource',
        resourceType: 'Resource',
        id: 'u://x',
      });
    expect(ruleFor('tools/list', undefined)).to.deep.equal({ kind: 'filter', list: 'tools' });
    expect(ruleFor('resources/list', {})).to.deep.equal({ kind: 'filter', list: 'resources' });
    for (const m of [
      'initialize',
      'ping',
      'resources/templates/list',
      'completion/complete',
      'logging/setLevel',
    ])
      expect(ruleFor(m, {}).kind, m).to.equal('allow');
    expect(ruleFor('tasks/list', {}).kind).to.equal('deny');
    expect(ruleFor('tools/call', { name: 7 }).kind).to.equal('deny');
    expect(ruleFor('resources/read', {}).kind).to.equal('deny');
  });

  it('turns claims into Cedar values: Long, decimal, sets, records; drops null, deep and reserved keys', () => {
    expect(
      claimAttributes({
        sub: 'a',
        exp: 1700000000,
        ratio: 0.25,
        ok: true,
        none: null,
        groups: ['x', null, 2],
      }),
    ).to.deep.equal({
      claim_sub: 'a',
      claim_exp: 1700000000,
      claim_ratio: { __extn: { fn: 'decimal', arg: '0.25' } },
      claim_ok: true,
      claim_groups: ['x', 2],
    });
    expect(toCedarValue(1.23456)).to.equal(undefined);
    expect(toCedarValue(2 ** 60)).to.equal(undefined);
    expect(toCedarValue({ __entity: { type: 'THVGroup', id: 'admin' } })).to.equal(undefined);
    let deep: unknown = 'x';
    for (let i = 0; i < 12; i++) deep = { a: deep };
    expect(JSON.stringify(toCedarValue(deep))).to.not.contain('"x"');
  });

  it("prefixes arguments arg_, only marking objects and lists present (ToolHive's preprocessArguments)", () => {
    expect(argumentContext({ s: 'a', n: 3, b: false, o: { x: 1 }, l: [1] })).to.deep.equal({
      arg_s: 'a',
      arg_n: 3,
      arg_b: false,
      arg_o_present: true,
      arg_l_present: true,
    });
  });

  it('reads groups from the configured claim (top-level name first, then a dotted path), the defaults, and roles', () => {
    const claims = {
      'https://x.io/groups': ['a'],
      realm_access: { roles: ['r'] },
      groups: ['g'],
      roles: ['role'],
    };
    expect(callerGroups(claims, 'https://x.io/groups', undefined)).to.deep.equal(['a']);
    expect(callerGroups(claims, 'realm_access.roles', 'roles')).to.deep.equal(['r', 'role']);
    expect(callerGroups(claims, 'absent', undefined)).to.deep.equal(['g']);
    expect(callerGroups({ roles: ['only'] }, undefined, undefined)).to.deep.equal(['only']);
    expect(callerGroups({ groups: 'not-a-list' }, undefined, 'groups')).to.deep.equal([]);
  });

  it('filters list items and keeps the cursor and the rest of the result', () => {
    const result = {
      tools: [{ name: 'a' }, { name: 'b' }, { title: 'nameless' }, 'junk'],
      nextCursor: 'c2',
      _meta: { m: 1 },
    };
    const asked: string[] = [];
    const out = filterListResult('tools', result, (type, id) => {
      asked.push(`${type}:${id}`);
      return id === 'b';
    });
    expect(out).to.deep.equal({ tools: [{ name: 'b' }], nextCursor: 'c2', _meta: { m: 1 } });
    expect(asked).to.deep.equal(['Tool:a', 'Tool:b']);
    expect(
      filterListResult('resources', { resources: [{ uri: 'u' }] }, (t) => t === 'Resource'),
    ).to.deep.equal({
      resources: [{ uri: 'u' }],
    });
    expect(filterListResult('prompts', { nothing: 1 }, () => false)).to.deep.equal({ nothing: 1 });
    expect(
      toolAnnotations({ annotations: { readOnlyHint: true, title: 'x', destructiveHint: 'yes' } }),
    ).to.deep.equal({
      readOnlyHint: true,
    });
  });

  it('refuses policy text nested deep enough to overflow the Cedar parser, and Cedar still works afterwards', () => {
    const deep = `permit(principal, action, resource) when { ${'('.repeat(300)}true${')'.repeat(300)} };`;
    const chain = `permit(principal, action, resource) when { ${Array(600).fill('1').join(' + ')} > 0 };`;
    expect(tooComplex(deep)).to.match(/nested deeper/);
    expect(tooComplex(chain)).to.match(/operators/);
    expect(
      tooComplex(
        'permit(principal, action, resource) when { "((((((((((((((((((((((((((((((((((((" == "x" };',
      ),
    ).to.equal(undefined);
    for (const text of [deep, chain]) {
      const problems = checkCedarConfig({ type: 'cedarv1', policies: [text], entitiesJson: '[]' });
      expect(problems).to.have.length(1);
      expect(problems[0]!.message).to.match(/too complex/);
    }
    expect(
      checkCedarConfig({
        type: 'cedarv1',
        policies: ['permit(principal, action, resource);'],
        entitiesJson: '[]',
      }),
    ).to.deep.equal([]);
  });
});
