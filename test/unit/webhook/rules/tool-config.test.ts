// webhook/rules/tool-config.ts (MCPServer spec.tools) and companions/mcptoolconfig.ts (MCPToolConfig),
// as tables with whole expected values; and ToolHive's own example MCPToolConfigs, unchanged.
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { parseAllDocuments } from 'yaml';
import { FieldPath, duplicate, invalid, required, type FieldError } from '../../../../webhook/field.ts';
import { validateMCPToolConfig } from '../../../../webhook/rules/companions/mcptoolconfig.ts';
import {
  SPEC_TOOLS_DEPRECATED,
  SPEC_TOOLS_IGNORED,
  checkToolConfig,
  toolConfigWarnings,
} from '../../../../webhook/rules/tool-config.ts';

const spec = FieldPath.of('spec');
const server = (fields: Record<string, unknown>) => ({
  apiVersion: 'toolhive.stacklok.dev/v1beta1',
  kind: 'MCPServer',
  metadata: { name: 's', namespace: 'team-a' },
  spec: { image: 'example/server:1', ...fields },
});
const toolConfig = (fields: Record<string, unknown>) => ({
  apiVersion: 'toolhive.stacklok.dev/v1beta1',
  kind: 'MCPToolConfig',
  metadata: { name: 'tc', namespace: 'team-a' },
  spec: fields,
});

describe('webhook/rules/tool-config: MCPServer spec.tools', () => {
  const cases: Record<string, { fields: Record<string, unknown>; errors: FieldError[]; warnings: string[] }> =
    {
      'no tools: nothing': { fields: {}, errors: [], warnings: [] },
      'spec.tools alone is deprecated but works': {
        fields: { tools: ['fetch'] },
        errors: [],
        warnings: [SPEC_TOOLS_DEPRECATED],
      },
      'spec.tools beside toolConfigRef is ignored, with a warning': {
        fields: { tools: ['fetch'], toolConfigRef: { name: 'tc' } },
        errors: [],
        warnings: [SPEC_TOOLS_IGNORED],
      },
      'a comma or a newline is refused, a repeated name is a duplicate': {
        fields: { tools: ['a,b', 'c\nd', 'x', 'x'] },
        errors: [
          invalid(
            spec.child('tools').index(0),
            'a,b',
            'a tool name cannot contain commas or control characters',
          ),
          invalid(
            spec.child('tools').index(1),
            'c\nd',
            'a tool name cannot contain commas or control characters',
          ),
          duplicate(spec.child('tools').index(3), 'x'),
        ],
        warnings: [SPEC_TOOLS_DEPRECATED],
      },
      'a name outside MCP tool-name format is a warning only: the server chose it': {
        fields: { tools: ['my tool'] },
        errors: [],
        warnings: [
          SPEC_TOOLS_DEPRECATED,
          'spec.tools[0]: "my tool" is not an MCP tool name (A-Z, a-z, 0-9, _, -, ., at most 128); clients may refuse it',
        ],
      },
    };
  for (const [name, c] of Object.entries(cases))
    it(name, () => {
      expect(checkToolConfig(server(c.fields))).to.deep.equal(c.errors);
      expect(toolConfigWarnings(server(c.fields))).to.deep.equal(c.warnings);
    });
});

describe('webhook/rules/companions/mcptoolconfig', () => {
  const overrides = spec.child('toolsOverride');
  const cases: Record<
    string,
    { fields: Record<string, unknown>; errors: FieldError[]; warnings?: string[] }
  > = {
    'an empty spec is every tool': { fields: {}, errors: [] },
    'a filter and renames': {
      fields: {
        toolsFilter: ['gh_pr', 'get_issue'],
        toolsOverride: { create_pr: { name: 'gh_pr' }, get_issue: { description: 'd' } },
      },
      errors: [],
    },
    'an annotations-only override is an override': {
      fields: { toolsOverride: { a: { annotations: { readOnlyHint: false } } } },
      errors: [],
    },
    'an empty override is refused': {
      fields: { toolsOverride: { a: {}, b: { name: '', description: '', annotations: {} } } },
      errors: [
        required(overrides.key('a'), 'an override sets a name, a description or annotations'),
        required(overrides.key('b'), 'an override sets a name, a description or annotations'),
      ],
    },
    'a new name outside MCP tool-name format is refused': {
      fields: { toolsOverride: { a: { name: 'new name' } } },
      errors: [
        invalid(
          overrides.key('a').child('name'),
          'new name',
          'a new tool name must be 1 to 128 of A-Z, a-z, 0-9, "_", "-", "." (MCP tool names, SEP-986)',
        ),
      ],
    },
    'two tools renamed to one name: a duplicate': {
      fields: { toolsOverride: { a: { name: 'x' }, b: { name: 'x' } } },
      errors: [duplicate(overrides.key('b').child('name'), 'x')],
    },
    'a new name taking the name of a tool that keeps its own is refused': {
      fields: { toolsOverride: { a: { name: 'b' }, b: { description: 'stays b' } } },
      errors: [
        invalid(overrides.key('a').child('name'), 'b', 'tool "b" keeps that name: two tools cannot share it'),
      ],
    },
    'a swap is fine: each name is taken once': {
      fields: { toolsOverride: { a: { name: 'b' }, b: { name: 'a' } } },
      errors: [],
    },
    'names no tool can hold are refused in the filter and the keys': {
      fields: { toolsFilter: ['a,b'], toolsOverride: { 'c\td': { description: 'x' } } },
      errors: [
        invalid(
          spec.child('toolsFilter').index(0),
          'a,b',
          'a tool name cannot contain commas or control characters',
        ),
        invalid(overrides.key('c\td'), 'c\td', 'a tool name cannot contain commas or control characters'),
      ],
    },
    'the filter naming a tool by its old name is a warning': {
      fields: { toolsFilter: ['create_pr'], toolsOverride: { create_pr: { name: 'gh_pr' } } },
      errors: [],
      warnings: [
        'spec.toolsFilter[0]: "create_pr" is renamed to "gh_pr"; the filter names tools as clients see them, so this entry matches nothing, and "gh_pr" is hidden',
      ],
    },
  };
  for (const [name, c] of Object.entries(cases))
    it(name, () => {
      const verdict = validateMCPToolConfig(toolConfig(c.fields));
      expect(verdict.errors).to.deep.equal(c.errors);
      expect(verdict.warnings).to.deep.equal(c.warnings ?? []);
    });

  describe("ToolHive's example MCPToolConfigs (test/fixtures/toolhive-examples, unchanged)", () => {
    const dir = new URL('../../../fixtures/toolhive-examples/v0.44.0/', import.meta.url);
    const docs = (file: string) =>
      parseAllDocuments(readFileSync(new URL(file, dir), 'utf8'))
        .map((d) => d.toJS() as Record<string, unknown>)
        .filter((d) => d.kind === 'MCPToolConfig');

    it('toolconfig_basic.yaml and mcpserver_fetch_tools_filter.yaml are admitted without a word', () => {
      for (const doc of [
        ...docs('tool-configs/toolconfig_basic.yaml'),
        ...docs('mcp-servers/mcpserver_fetch_tools_filter.yaml'),
      ])
        expect(validateMCPToolConfig(doc)).to.deep.equal({ errors: [], warnings: [] });
    });

    it('toolconfig_with_overrides.yaml is admitted, with a warning for each filter entry naming a renamed tool by its old name', () => {
      const [doc] = docs('tool-configs/toolconfig_with_overrides.yaml');
      const verdict = validateMCPToolConfig(doc);
      expect(verdict.errors).to.deep.equal([]);
      expect(verdict.warnings).to.have.length(7);
      expect(verdict.warnings[0]).to.equal(
        'spec.toolsFilter[0]: "create_pull_request" is renamed to "github_create_pr"; the filter names tools as clients see them, so this entry matches nothing, and "github_create_pr" is hidden',
      );
    });
  });
});
