import { expect } from 'chai';
import {
  authzConfigFromInline,
  authzConfigFromSpec,
  checkCedarConfig,
  parseAuthzConfigFile,
  positionOfByte,
  type CedarAuthzConfig,
} from '../../../lib/authz-config.ts';

const config = (
  policies: string[],
  entitiesJson = '[]',
  extra: Partial<CedarAuthzConfig> = {},
): CedarAuthzConfig => ({
  type: 'cedarv1',
  policies,
  entitiesJson,
  ...extra,
});

describe('lib/authz-config', () => {
  describe('checkCedarConfig', () => {
    it('accepts ToolHive-style policies naming the three actions, groups and claims', () => {
      const problems = checkCedarConfig(
        config([
          'permit(principal, action == Action::"call_tool", resource == Tool::"weather");',
          'permit(principal in THVGroup::"eng", action in [Action::"get_prompt", Action::"read_resource"], resource);',
          'forbid(principal, action == Action::"call_tool", resource) when { resource.destructiveHint == true };',
          'permit(principal, action, resource) when { principal.claim_roles.contains("admin") };',
          'permit(principal, action == Action::"call_tool", resource in MCP::"fetch") when { context.arg_url like "https://*" };',
        ]),
      );
      expect(problems).to.deep.equal([]);
    });

    it('gives a syntax error the line and column within the entry, counting characters not bytes', () => {
      const text = 'permit(principal,\n  action, resource)\n  when { "ééé" == @ };';
      const [problem, ...rest] = checkCedarConfig(config(['permit(principal, action, resource);', text]));
      expect(rest).to.deep.equal([]);
      expect(problem!.path).to.deep.equal(['policies', 1]);
      expect(problem!.message).to.match(/unexpected token `@`/);
      expect({ line: problem!.line, column: problem!.column }).to.deep.equal({ line: 3, column: 19 });
    });

    it('refuses an action the proxy never asks about, pointing at it (a forbid typo would silently permit)', () => {
      const text = 'forbid(principal,\n  action == Action::"call_tol", resource);';
      const problems = checkCedarConfig(config(['permit(principal, action, resource);', text]));
      expect(problems).to.have.length(1);
      expect(problems[0]).to.include({ line: 2, column: 13 });
      expect(problems[0]!.path).to.deep.equal(['policies', 1]);
      expect(problems[0]!.message).to.contain('Action::"call_tol"').and.contain('call_tool');
    });

    it("refuses ToolHive's never-asked list actions and actions compared in conditions", () => {
      const problems = checkCedarConfig(
        config([
          'permit(principal, action == Action::"list_tools", resource);',
          'permit(principal, action, resource) when { action == Action::"delete" };',
        ]),
      );
      expect(problems.map((p) => p.path[1])).to.deep.equal([0, 1]);
      expect(problems[0]!.message).to.contain('list_tools');
      expect(problems[1]!.message).to.contain('"delete"');
    });

    it('refuses principal and resource types outside the model, and an action with the wrong resource type', () => {
      const problems = checkCedarConfig(
        config([
          'permit(principal == User::"alice", action, resource);',
          'permit(principal in Team::"eng", action, resource);',
          'permit(principal, action, resource == Server::"x");',
          'permit(principal, action == Action::"get_prompt", resource is Tool);',
          'permit(principal, action, resource) when { resource in Folder::"f" };',
        ]),
      );
      expect(problems.map((p) => p.path[1])).to.deep.equal([0, 1, 2, 3, 4]);
      expect(problems[0]!.message).to.contain('Client::');
      expect(problems[1]!.message).to.contain('Team');
      expect(problems[3]!.message).to.contain('never go with a Tool');
      expect(problems[4]!.message).to.contain('Folder');
    });

    it('accepts types the entities JSON defines, and a custom group entity type', () => {
      const entities = JSON.stringify([
        { uid: { type: 'Team', id: 'eng' } },
        {
          uid: { __entity: { type: 'Tool', id: 'weather' } },
          attrs: { owner: 'alice' },
          parents: [{ type: 'Folder', id: 'f' }],
        },
      ]);
      const ok = checkCedarConfig(
        config(
          [
            'permit(principal in Team::"eng", action, resource);',
            'permit(principal in Group::"eng", action, resource in Folder::"f");',
          ],
          entities,
          { groupEntityType: 'Group' },
        ),
      );
      expect(ok).to.deep.equal([]);
      const stale = checkCedarConfig(
        config(['permit(principal in THVGroup::"eng", action, resource);'], '[]', {
          groupEntityType: 'Group',
        }),
      );
      expect(stale).to.have.length(1);
      expect(stale[0]!.message).to.contain('Group::"<group>"');
    });

    it('reports entities JSON problems: not JSON, not a list, string uids, bad values', () => {
      const at = (json: string): string[] =>
        checkCedarConfig(config(['permit(principal, action, resource);'], json)).map(
          (p) => `${p.path.join('.')}: ${p.message}`,
        );
      expect(at('{')[0]).to.match(/^entitiesJson: not JSON/);
      expect(at('{}')[0]).to.equal('entitiesJson: must be a JSON array of entities');
      expect(at('[{"uid":"Tool::weather"}]')[0]).to.match(/^entitiesJson: entity 0: uid must be/);
      expect(at('[{"uid":{"type":"Tool","id":"a"},"parents":["x"]}]')[0]).to.match(
        /entity 0: a parent must be/,
      );
      expect(
        at('[{"uid":{"type":"Tool","id":"a"},"attrs":{"x":{"__extn":{"fn":"nope","arg":"1"}}}}]'),
      ).to.have.length(1);
      expect(at('')).to.deep.equal([]);
    });

    it('refuses empty lists, empty entries, several policies in one entry, templates and a bad group type', () => {
      const problems = checkCedarConfig(
        config(
          [
            '  ',
            'permit(principal, action, resource); forbid(principal, action, resource);',
            'permit(principal == ?principal, action, resource);',
          ],
          '[]',
          { groupEntityType: 'Platform::Group' },
        ),
      );
      expect(problems.map((p) => p.path.join('.'))).to.deep.equal([
        'groupEntityType',
        'policies.0',
        'policies.1',
        'policies.2',
      ]);
      expect(problems[2]!.message).to.contain('2 policies');
      expect(problems[3]!.message).to.contain('template');
      expect(checkCedarConfig(config([]))).to.deep.equal([
        { path: ['policies'], message: 'at least one Cedar policy is required' },
      ]);
    });

    it('converts byte offsets to 1-based lines and columns', () => {
      expect(positionOfByte('ab\ncd', 4)).to.deep.equal({ line: 2, column: 2 });
      expect(positionOfByte('é\né', Buffer.byteLength('é\n'))).to.deep.equal({ line: 2, column: 1 });
      expect(positionOfByte('x', 0)).to.deep.equal({ line: 1, column: 1 });
    });
  });

  describe('the three spellings', () => {
    const policy = 'permit(principal, action == Action::"call_tool", resource == Tool::"weather");';
    const expected: CedarAuthzConfig = {
      type: 'cedarv1',
      policies: [policy],
      entitiesJson: '[]',
      groupClaimName: 'https://example.com/groups',
      roleClaimName: 'roles',
      groupEntityType: 'Team',
    };
    const snake = {
      policies: [policy],
      entities_json: '[]',
      group_claim_name: 'https://example.com/groups',
      role_claim_name: 'roles',
      group_entity_type: 'Team',
    };

    it("reads ToolHive's file as JSON and as YAML", () => {
      expect(
        parseAuthzConfigFile(JSON.stringify({ version: '1.0', type: 'cedarv1', cedar: snake })),
      ).to.deep.equal({
        config: expected,
      });
      const yaml = [
        'version: "1.0"',
        'type: cedarv1',
        'cedar:',
        '  policies:',
        `    - '${policy}'`,
        '  entities_json: "[]"',
        '  group_claim_name: https://example.com/groups',
        '  role_claim_name: roles',
        '  group_entity_type: Team',
      ].join('\n');
      expect(parseAuthzConfigFile(yaml)).to.deep.equal({ config: expected });
    });

    it('names what is wrong in a file', () => {
      expect(parseAuthzConfigFile('{ not: [json')).to.have.property('problems').with.length(1);
      expect(parseAuthzConfigFile('type: httpv1\n')).to.deep.equal({
        problems: [{ path: ['type'], message: 'type "httpv1" is not supported (only cedarv1)' }],
      });
      expect(
        parseAuthzConfigFile('type: cedarv1\ncedar:\n  policies: []\n  entities_json: 3\n'),
      ).to.deep.equal({
        problems: [
          { path: ['cedar', 'policies'], message: 'must be a non-empty list of Cedar policies' },
          { path: ['cedar', 'entities_json'], message: 'must be a string' },
        ],
      });
    });

    it('reads an MCPAuthzConfig spec, defaulting entities to []', () => {
      expect(authzConfigFromSpec({ type: 'cedarv1', config: snake })).to.deep.equal({ config: expected });
      expect(authzConfigFromSpec({ type: 'cedarv1', config: { policies: [policy] } })).to.deep.equal({
        config: { type: 'cedarv1', policies: [policy], entitiesJson: '[]' },
      });
      expect(authzConfigFromSpec({ type: 'opa', config: snake })).to.have.property('problems');
      expect(authzConfigFromSpec({ type: 'cedarv1' })).to.deep.equal({
        problems: [{ path: ['config'], message: 'must be a map with policies and entities_json' }],
      });
    });

    it("reads MCPServer's inline authzConfig with the parent's claim settings, naming camelCase paths", () => {
      expect(
        authzConfigFromInline({
          type: 'inline',
          inline: { policies: [policy], entitiesJson: '[]' },
          groupClaimName: 'https://example.com/groups',
          roleClaimName: 'roles',
          groupEntityType: 'Team',
        }),
      ).to.deep.equal({ config: expected });
      expect(
        authzConfigFromInline({ inline: { policies: [policy], entitiesJson: 5 }, roleClaimName: 1 }),
      ).to.deep.equal({
        problems: [
          { path: ['inline', 'entitiesJson'], message: 'must be a string' },
          { path: ['roleClaimName'], message: 'must be a string' },
        ],
      });
      expect(authzConfigFromInline({ type: 'configMap' })).to.have.property('problems');
    });
  });
});
