// spec.webhookConfigRef at MCPServer admission. That the MCPWebhookConfig exists is the generic
// reference rule's (companion-references.ts); its own shape is checked when it is applied
// (companions/mcpwebhookconfig.ts). Here: every Secret key it names (hmacSecretRef, tlsConfig's CA,
// client certificate and key) must exist in the server's namespace, or the proxy pod would wait on a
// missing env source or volume with nothing said on the MCPServer. Reported at
// spec.webhookConfigRef.name, naming the field of the MCPWebhookConfig. Pure: facts.ts reads the Secrets.
import type { AdmissionFacts } from '../facts.ts';
import { FieldPath, formatFieldError, invalid, notFound, type FieldError } from '../field.ts';
import { companionKey } from './companion-references.ts';
import { dict, dictsOf, isDict, metadataOf, specOf, str, type Dict } from './shape.ts';

const SPEC = FieldPath.of('spec');

interface SecretUse {
  path: FieldPath;
  name: string;
  key: string;
}

/** Every Secret reference of an MCPWebhookConfig, with its path in the config. */
function secretRefs(config: Dict): SecretUse[] {
  const spec = dict(config.spec);
  const uses: SecretUse[] = [];
  for (const type of ['validating', 'mutating'] as const)
    for (const [webhook, i] of dictsOf(spec[type])) {
      const at = FieldPath.of('spec').child(type).index(i);
      const tls = dict(webhook.tlsConfig);
      const refs: [FieldPath, unknown][] = [
        [at.child('hmacSecretRef'), webhook.hmacSecretRef],
        [at.child('tlsConfig', 'caSecretRef'), tls.caSecretRef],
        [at.child('tlsConfig', 'clientCertSecretRef'), tls.clientCertSecretRef],
        [at.child('tlsConfig', 'clientKeySecretRef'), tls.clientKeySecretRef],
      ];
      for (const [path, ref] of refs) {
        const name = str(dict(ref).name);
        if (name) uses.push({ path, name, key: str(dict(ref).key) ?? '' });
      }
    }
  return uses;
}

function namedConfig(
  server: unknown,
  companions: AdmissionFacts['companions'],
): { name: string; config: Dict } | undefined {
  const name = str(dict(specOf(server).webhookConfigRef).name);
  const config = name ? companions?.get(companionKey('MCPWebhookConfig', name)) : undefined;
  return name && isDict(config) ? { name, config } : undefined;
}

/** The Secrets the named MCPWebhookConfig references (facts.ts reads them in its second round). */
export function webhookConfigSecrets(server: unknown, companions: AdmissionFacts['companions']): string[] {
  const named = namedConfig(server, companions);
  return named ? [...new Set(secretRefs(named.config).map((r) => r.name))] : [];
}

export function checkWebhookConfig(server: unknown, facts: AdmissionFacts): FieldError[] {
  const named = namedConfig(server, facts.companions);
  if (!named || facts.lookupsSkipped) return [];
  const namespace = str(metadataOf(server).namespace) ?? '';
  const found = secretRefs(named.config).flatMap(({ path, name, key }) => {
    if (!facts.secretKeys.has(name)) return [];
    const keys = facts.secretKeys.get(name);
    if (keys === undefined)
      return [notFound(path.child('name'), name, `no Secret of that name in namespace ${namespace}`)];
    return keys.includes(key) ? [] : [notFound(path.child('key'), key, `Secret ${name} has no such key`)];
  });
  const namePath = SPEC.child('webhookConfigRef', 'name');
  return found.map((e) =>
    invalid(namePath, named.name, `MCPWebhookConfig ${named.name}: ${formatFieldError(e)}`),
  );
}
