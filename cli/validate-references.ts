// `mcp-operator validate` over several documents at once: the companions among them (MCPToolConfig,
// MCPTelemetryConfig, MCPGroup, MCPExternalAuthConfig, MCPWebhookConfig) answer the references of the
// MCPServers among them, as they will once applied together. A reference is looked for in the files
// first, then in the cluster; offline, in the files only, so a manifest set checked in CI must carry
// the companions its servers name. Either way a companion found nowhere is the webhook's own
// `spec.<field>.name: Not found` (webhook/rules/companion-references.ts). Pure.
import {
  COMPANION_KINDS,
  companionKey,
  companionRefs,
  type CompanionKind,
} from '../schemas/companion-refs.ts';
import type { AdmissionFacts } from '../webhook/facts.ts';
import type { FieldError } from '../webhook/field.ts';
import { checkCompanionReferences } from '../webhook/rules/companion-references.ts';
import { dict, str, type Dict } from '../webhook/rules/shape.ts';

/** Companions found in the files, by `<namespace>/<Kind>/<name>`, each as its spec. */
export type FileCompanions = ReadonlyMap<string, Dict>;

const KINDS: ReadonlySet<string> = new Set(COMPANION_KINDS);

export const isCompanion = (object: unknown): boolean => KINDS.has(str(dict(object).kind) ?? '');

export const namespaceOf = (object: unknown): string =>
  str(dict(dict(object).metadata).namespace) || 'default';

const fileKey = (namespace: string, kind: CompanionKind, name: string): string =>
  `${namespace}/${companionKey(kind, name)}`;

export function collectCompanions(objects: readonly unknown[]): FileCompanions {
  const found = new Map<string, Dict>();
  for (const object of objects.filter(isCompanion)) {
    const name = str(dict(dict(object).metadata).name);
    if (!name) continue;
    found.set(
      fileKey(namespaceOf(object), dict(object).kind as CompanionKind, name),
      dict(dict(object).spec),
    );
  }
  return found;
}

/**
 * The facts for one MCPServer with the files' companions in them: a companion in the files is the one
 * that counts (it is what gets applied), else the cluster's answer (undefined: none; offline: not asked).
 */
export function withFileCompanions(
  server: unknown,
  namespace: string,
  facts: AdmissionFacts,
  files: FileCompanions,
): AdmissionFacts {
  const refs = companionRefs(server);
  if (refs.length === 0) return facts;
  const companions = new Map<string, Dict | undefined>();
  for (const { kind, name } of refs) {
    const key = companionKey(kind, name);
    const inFiles = files.get(fileKey(namespace, kind, name));
    // Offline nothing was asked, so the files are all there is; online a lookup that could not ask
    // (no getAuthConfig) leaves the reference unjudged, as the webhook would.
    if (inFiles || facts.lookupsSkipped || facts.companions?.has(key))
      companions.set(key, inFiles ?? facts.companions?.get(key));
  }
  return { ...facts, companions };
}

/**
 * Offline, validateMCPServer skips every existence check (facts.lookupsSkipped); the companions'
 * references are still checked here, against the files alone.
 */
export function offlineReferenceErrors(server: unknown, facts: AdmissionFacts): FieldError[] {
  if (!facts.lookupsSkipped) return [];
  return checkCompanionReferences(server, { ...facts, lookupsSkipped: false });
}
