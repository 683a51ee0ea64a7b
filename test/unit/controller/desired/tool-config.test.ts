// controller/desired/tool-config.ts and where its section lands: the run config's `tools`, never the
// proxy's pod-template checksum; a missing MCPToolConfig holds the proxy and sets ToolConfigValidated.
import { expect } from 'chai';
import { desiredChildren } from '../../../../controller/desired/children.ts';
import { RUNCONFIG_CHECKSUM_ANNOTATION, RUNCONFIG_KEY } from '../../../../controller/desired/configmap.ts';
import {
  TOOL_CONFIG_CONDITION,
  toolConfigHash,
  toolConfigPlan,
  type ToolConfigPlan,
} from '../../../../controller/desired/tool-config.ts';
import type { ChildObject, Dict } from '../../../../controller/desired/types.ts';
import { statusFor } from '../../../../controller/status.ts';
import type { MCPServer } from '../../../../schemas/generated/mcpserver.ts';
import { config, facts, mcpServer, withSpec, type Modifier } from '../builders.ts';

const toolConfig = (name: string, spec: Dict): Dict => ({
  apiVersion: 'toolhive.stacklok.dev/v1beta1',
  kind: 'MCPToolConfig',
  metadata: { name, namespace: 'team-a', generation: 1 },
  spec,
});
const withCompanions = (...configs: Dict[]) => ({
  ...facts(),
  companions: new Map(configs.map((c) => [`MCPToolConfig/${(c.metadata as Dict).name as string}`, c])),
});
const missing = () => ({ ...facts(), companions: new Map([['MCPToolConfig/gone', undefined]]) });
const withTools = (tools: string[]): Modifier => withSpec({ tools });
const withRef = (name: string): Modifier => withSpec({ toolConfigRef: { name } });

const GITHUB = {
  toolsFilter: ['github_create_pr', 'get_issue'],
  toolsOverride: {
    create_pull_request: {
      name: 'github_create_pr',
      description: 'Create a PR',
      annotations: { readOnlyHint: false },
    },
    get_issue: { description: 'Read an issue' },
  },
};

describe('controller/desired/tool-config: toolConfigPlan', () => {
  const cases: Record<string, { server: MCPServer; facts: ReturnType<typeof facts>; want: ToolConfigPlan }> =
    {
      'nothing asked: no section, no condition': {
        server: mcpServer('s'),
        facts: facts(),
        want: { hold: false },
      },
      'the older spec.tools is the filter': {
        server: mcpServer('s', withTools(['fetch', 'read'])),
        facts: facts(),
        want: { section: { toolsFilter: ['fetch', 'read'] }, hold: false },
      },
      'a referenced MCPToolConfig is the section, with its hash and ToolConfigValid': {
        server: mcpServer('s', withRef('github')),
        facts: withCompanions(toolConfig('github', GITHUB)),
        want: {
          section: GITHUB,
          finding: {
            status: 'True',
            reason: 'ToolConfigValid',
            message: 'MCPToolConfig github applied: 2 tools listed, 2 overridden',
          },
          hash: toolConfigHash(GITHUB),
          hold: false,
        },
      },
      'toolConfigRef takes precedence over spec.tools, as in ToolHive, and the message says so': {
        server: mcpServer('s', withRef('github'), withTools(['other'])),
        facts: withCompanions(toolConfig('github', { toolsFilter: ['a'] })),
        want: {
          section: { toolsFilter: ['a'] },
          finding: {
            status: 'True',
            reason: 'ToolConfigValid',
            message: 'MCPToolConfig github applied: 1 tools listed; spec.tools is ignored',
          },
          hash: toolConfigHash({ toolsFilter: ['a'] }),
          hold: false,
        },
      },
      'an empty MCPToolConfig is no section': {
        server: mcpServer('s', withRef('empty')),
        facts: withCompanions(toolConfig('empty', {})),
        want: {
          finding: {
            status: 'True',
            reason: 'ToolConfigValid',
            message: 'MCPToolConfig empty applied: every tool as the server has it',
          },
          hash: toolConfigHash({}),
          hold: false,
        },
      },
      'a missing MCPToolConfig holds the proxy and says ToolConfigNotFound': {
        server: mcpServer('s', withRef('gone')),
        facts: missing(),
        want: {
          finding: {
            status: 'False',
            reason: 'ToolConfigNotFound',
            message:
              'MCPToolConfig gone not found in namespace team-a; the proxy keeps the tool configuration it had',
          },
          hold: true,
        },
      },
    };
  for (const [name, c] of Object.entries(cases))
    it(name, () => expect(toolConfigPlan(c.server, c.facts)).to.deep.equal(c.want));

  it('keeps only the fields the proxy reads, typed', () => {
    const plan = toolConfigPlan(
      mcpServer('s', withRef('x')),
      withCompanions(
        toolConfig('x', {
          toolsFilter: ['a', 'a', ''],
          toolsOverride: { a: { name: '', description: '', annotations: { title: 'T', extra: 1 } }, b: {} },
          unknown: true,
        }),
      ),
    );
    expect(plan.section).to.deep.equal({
      toolsFilter: ['a'],
      toolsOverride: { a: { annotations: { title: 'T' } } },
    });
  });

  it('the hash does not depend on key order', () => {
    expect(toolConfigHash({ a: 1, b: { c: 2, d: 3 } })).to.equal(toolConfigHash({ b: { d: 3, c: 2 }, a: 1 }));
    expect(toolConfigHash({ toolsFilter: ['a'] })).to.not.equal(toolConfigHash({ toolsFilter: ['b'] }));
  });
});

describe('controller/desired/tool-config: where the section lands', () => {
  const byKind = (objects: ChildObject[], kind: string) => objects.find((o) => o.kind === kind)!;
  const runConfigOf = (objects: ChildObject[]) =>
    JSON.parse((byKind(objects, 'ConfigMap').data as Record<string, string>)[RUNCONFIG_KEY]!) as Dict;
  const checksumOf = (objects: ChildObject[]) =>
    (byKind(objects, 'Deployment').spec as { template: { metadata: { annotations: Dict } } }).template
      .metadata.annotations[RUNCONFIG_CHECKSUM_ANNOTATION];

  it('the run config carries the MCPToolConfig; a changed one changes the ConfigMap, not the pod template checksum', () => {
    const server = mcpServer('s', withRef('github'));
    const before = desiredChildren(server, withCompanions(toolConfig('github', GITHUB)), config());
    const after = desiredChildren(
      server,
      withCompanions(toolConfig('github', { toolsFilter: ['x'] })),
      config(),
    );
    const none = desiredChildren(mcpServer('s'), facts(), config());
    expect(runConfigOf(before.objects).tools).to.deep.equal(GITHUB);
    expect(runConfigOf(after.objects).tools).to.deep.equal({ toolsFilter: ['x'] });
    expect(runConfigOf(none.objects)).to.not.have.property('tools');
    expect(checksumOf(before.objects)).to.be.a('string');
    expect(checksumOf(after.objects)).to.equal(checksumOf(before.objects));
    expect(checksumOf(none.objects)).to.equal(checksumOf(before.objects));
    expect(before.held).to.deep.equal([]);
  });

  it('spec.tools lands as toolsFilter', () => {
    const state = desiredChildren(mcpServer('s', withTools(['fetch'])), facts(), config());
    expect(runConfigOf(state.objects).tools).to.deep.equal({ toolsFilter: ['fetch'] });
  });

  it('a missing MCPToolConfig holds the run config and the proxy, and status says ToolConfigValidated False', () => {
    const server = mcpServer('s', withRef('gone'));
    const state = desiredChildren(server, missing(), config());
    expect(state.held.map((o) => o.kind).sort()).to.deep.equal(['ConfigMap', 'Deployment']);
    const status = statusFor(
      server,
      {
        statefulSet: undefined,
        deployment: undefined,
        pods: [],
        findings: state.findings,
        applyFailure: undefined,
      },
      config(),
      new Date(0),
    );
    const condition = status.conditions!.find((c) => c.type === TOOL_CONFIG_CONDITION)!;
    expect(condition).to.include({ status: 'False', reason: 'ToolConfigNotFound' });
    expect(status).to.not.have.property('toolConfigHash');
  });

  it('an applied MCPToolConfig sets status.toolConfigHash and ToolConfigValidated True', () => {
    const server = mcpServer('s', withRef('github'));
    const state = desiredChildren(server, withCompanions(toolConfig('github', GITHUB)), config());
    const status = statusFor(
      server,
      {
        statefulSet: undefined,
        deployment: undefined,
        pods: [],
        findings: state.findings,
        applyFailure: undefined,
      },
      config(),
      new Date(0),
    );
    expect(status.toolConfigHash).to.equal(toolConfigHash(GITHUB));
    expect(status.conditions!.find((c) => c.type === TOOL_CONFIG_CONDITION)).to.include({
      status: 'True',
      reason: 'ToolConfigValid',
    });
  });
});
