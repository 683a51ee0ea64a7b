// How many of ToolHive's MCPServer fields a ToolHive user's manifest may not use here. The field list is
// ToolHive v0.44.0's CRD (test/fixtures/toolhive/, read from its module on the Go module proxy), plus the
// older ToolHive fields our schema keeps for manifests written against earlier releases. Each field must
// be declared in our CRD (or the API server would drop it silently), and a refused one must say why.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import fields from '../../fixtures/toolhive/v0.44.0-mcpserver-spec-fields.json' with { type: 'json' };
import { checkUnsupportedFields, UNSUPPORTED_FIELDS } from '../../../webhook/rules/unsupported.ts';

const OLDER_TOOLHIVE_FIELDS = [
  'port',
  'targetPort',
  'oidcConfig',
  'telemetry',
  'tools',
  'proxyReadTimeout',
  'proxyWriteTimeout',
  'ingress',
];
const GENERIC = 'not supported by this operator';

function ourSpecFields(): Set<string> {
  const crd = parse(readFileSync('manifests/crd/toolhive.stacklok.dev_mcpservers.yaml', 'utf8')) as {
    spec: {
      versions: Array<{
        name: string;
        schema: { openAPIV3Schema: { properties: { spec: { properties: object } } } };
      }>;
    };
  };
  const names = crd.spec.versions.map((v) =>
    Object.keys(v.schema.openAPIV3Schema.properties.spec.properties),
  );
  return new Set(names.flat());
}

describe("ToolHive's MCPServer fields", () => {
  const toolhive = [...new Set([...fields.versions.v1alpha1, ...fields.versions.v1beta1])].sort();
  const all = [...new Set([...toolhive, ...OLDER_TOOLHIVE_FIELDS])].sort();
  const refused = all.filter((f) => UNSUPPORTED_FIELDS.includes(f));

  it('declares every one of them in our CRD, in both versions', () => {
    const ours = ourSpecFields();
    expect(all.filter((f) => !ours.has(f))).to.deep.equal([]);
  });

  it('refuses at most 2, each with its reason and the alternative', () => {
    process.stdout.write(
      `      ToolHive v0.44.0 MCPServer fields: ${toolhive.length}, with older ones ${all.length}; refused here: ${refused.length} (${refused.join(', ')})\n`,
    );
    expect(refused.length).to.be.at.most(2);
    for (const field of refused) {
      const [error] = checkUnsupportedFields({ spec: { [field]: { name: 'x' } } });
      expect(error?.field).to.equal(`spec.${field}`);
      expect(error?.detail, `spec.${field}'s refusal`).to.not.equal(GENERIC);
      expect(error?.detail.length, `spec.${field}'s refusal`).to.be.greaterThan(40);
    }
  });
});
