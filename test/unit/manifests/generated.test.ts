import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { parseAllDocuments } from 'yaml';
import { generatedWebhookManifests } from '../../../manifests/generate.ts';

describe('generated webhook manifests', () => {
  for (const [file, content] of Object.entries(generatedWebhookManifests())) {
    const name = path.basename(file);
    it(`${name} is up to date (if not: run \`make manifests\`)`, () => {
      expect(readFileSync(file, 'utf8') === content, `${name} is stale: run \`make manifests\` and commit it`)
        .to.be.true;
    });
  }

  const kinds = (file: string) =>
    parseAllDocuments(generatedWebhookManifests()[file]!).map((d) => (d.toJS() as { kind: string }).kind);
  const files = Object.keys(generatedWebhookManifests());

  it('carries only the webhook configurations in self-managed mode', () => {
    expect(kinds(files.find((f) => f.endsWith('self-managed.yaml'))!)).to.deep.equal([
      'ValidatingWebhookConfiguration',
      'MutatingWebhookConfiguration',
    ]);
  });

  it('adds the issuers and certificates, and asks cainjector for the caBundle, in cert-manager mode', () => {
    const file = files.find((f) => f.endsWith('cert-manager.yaml'))!;
    expect(kinds(file)).to.deep.equal([
      'Issuer',
      'Certificate',
      'Issuer',
      'Certificate',
      'ValidatingWebhookConfiguration',
      'MutatingWebhookConfiguration',
    ]);
    const docs = parseAllDocuments(generatedWebhookManifests()[file]!).map(
      (d) => d.toJS() as { kind: string; metadata: { annotations?: Record<string, string> } },
    );
    for (const d of docs.filter((x) => x.kind.endsWith('WebhookConfiguration'))) {
      expect(d.metadata.annotations).to.deep.equal({
        'cert-manager.io/inject-ca-from': 'mcp-operator-system/mcp-operator-webhook-serving',
      });
    }
  });
});
