// proxy/tools/plan.ts and config-check.ts: the pure decisions, as tables.
import { expect } from 'chai';
import { toolsProblem } from '../../../../proxy/tools/config-check.ts';
import {
  callVerdict,
  compileToolPlan,
  rewriteToolList,
  type CallVerdict,
  type RunConfigTools,
} from '../../../../proxy/tools/plan.ts';

const tool = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  inputSchema: { type: 'object' },
  ...extra,
});

describe('proxy/tools/plan', () => {
  const calls: Record<string, { section: RunConfigTools; name: string; want: CallVerdict }> = {
    'no section passes everything': { section: {}, name: 'x', want: { kind: 'pass' } },
    'an empty filter passes everything': { section: { toolsFilter: [] }, name: 'x', want: { kind: 'pass' } },
    'a listed name passes': { section: { toolsFilter: ['x'] }, name: 'x', want: { kind: 'pass' } },
    'an unlisted name is refused': { section: { toolsFilter: ['x'] }, name: 'y', want: { kind: 'refuse' } },
    'a new name goes to the server name': {
      section: { toolsOverride: { a: { name: 'b' } } },
      name: 'b',
      want: { kind: 'rename', serverName: 'a' },
    },
    'the old name of a renamed tool is refused': {
      section: { toolsOverride: { a: { name: 'b' } } },
      name: 'a',
      want: { kind: 'refuse' },
    },
    'a description-only override keeps the name callable': {
      section: { toolsOverride: { a: { description: 'd' } } },
      name: 'a',
      want: { kind: 'pass' },
    },
    'a swap calls each by the other name': {
      section: { toolsOverride: { a: { name: 'b' }, b: { name: 'a' } } },
      name: 'a',
      want: { kind: 'rename', serverName: 'b' },
    },
    'the filter names the new name: a new name not listed is refused': {
      section: { toolsFilter: ['a'], toolsOverride: { a: { name: 'b' } } },
      name: 'b',
      want: { kind: 'refuse' },
    },
  };
  for (const [name, c] of Object.entries(calls))
    it(`tools/call: ${name}`, () =>
      expect(callVerdict(compileToolPlan(c.section), c.name)).to.deep.equal(c.want));

  it('tools/list: renames, re-describes, merges annotations, filters by the new name, keeps the cursor and _meta', () => {
    const plan = compileToolPlan({
      toolsFilter: ['r', 'keep'],
      toolsOverride: {
        read: { name: 'r', description: 'R', annotations: { readOnlyHint: false } },
        gone: { name: 'g' },
      },
    });
    const result = {
      tools: [
        tool('read', { description: 'read', annotations: { readOnlyHint: true, title: 'T' } }),
        tool('keep'),
        tool('gone'),
        tool('other'),
        { description: 'no name' },
      ],
      nextCursor: 'c2',
      _meta: { m: 1 },
    };
    expect(rewriteToolList(plan, result)).to.deep.equal({
      tools: [
        tool('r', { description: 'R', annotations: { readOnlyHint: false, title: 'T' } }),
        tool('keep'),
      ],
      nextCursor: 'c2',
      _meta: { m: 1 },
    });
  });

  it('tools/list: a page left empty stays a page with its cursor', () => {
    const plan = compileToolPlan({ toolsFilter: ['z'] });
    expect(rewriteToolList(plan, { tools: [tool('a')], nextCursor: '2' })).to.deep.equal({
      tools: [],
      nextCursor: '2',
    });
  });

  it("tools/list: a server tool named like another tool's new name is hidden", () => {
    const plan = compileToolPlan({ toolsOverride: { a: { name: 'b' } } });
    expect(rewriteToolList(plan, { tools: [tool('a'), tool('b')] })).to.deep.equal({ tools: [tool('b')] });
  });

  it('tools/list: without a section the result is returned as it is', () => {
    const result = { tools: [tool('a')] };
    expect(rewriteToolList(compileToolPlan(undefined), result)).to.equal(result);
  });
});

describe('proxy/tools/config-check', () => {
  const cases: Record<string, { value: unknown; want: string | undefined }> = {
    'an empty section is fine': { value: {}, want: undefined },
    'a full section is fine': {
      value: {
        toolsFilter: ['a'],
        toolsOverride: {
          a: { name: 'b', description: 'd', annotations: { title: 't', readOnlyHint: true } },
        },
      },
      want: undefined,
    },
    'not an object': { value: [], want: 'tools must be an object {toolsFilter?, toolsOverride?}' },
    'a filter that is not a list': {
      value: { toolsFilter: 'a' },
      want: 'tools.toolsFilter must be a list of tool names',
    },
    'an empty filter entry': {
      value: { toolsFilter: ['a', ''] },
      want: 'tools.toolsFilter[1] must be a non-empty string',
    },
    'an override name that is not a string': {
      value: { toolsOverride: { a: { name: 3 } } },
      want: 'tools.toolsOverride["a"].name must be a string',
    },
    'a hint that is not a boolean': {
      value: { toolsOverride: { a: { annotations: { readOnlyHint: 'yes' } } } },
      want: 'tools.toolsOverride["a"].annotations.readOnlyHint must be true or false',
    },
  };
  for (const [name, c] of Object.entries(cases))
    it(name, () => expect(toolsProblem(c.value)).to.equal(c.want));
});
