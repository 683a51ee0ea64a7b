// The companion kinds an MCPServer names by reference, and which spec field names which: shared by
// admission (webhook/rules/companion-references.ts) and the controller (informers.ts, companion-facts.ts).
export const COMPANION_KINDS = [
  'MCPToolConfig',
  'MCPTelemetryConfig',
  'MCPGroup',
  'MCPExternalAuthConfig',
  'MCPWebhookConfig',
] as const;

export type CompanionKind = (typeof COMPANION_KINDS)[number];

/** spec field -> the kind it names. */
export const COMPANION_REFS: ReadonlyArray<readonly [field: string, kind: CompanionKind]> = [
  ['toolConfigRef', 'MCPToolConfig'],
  ['telemetryConfigRef', 'MCPTelemetryConfig'],
  ['groupRef', 'MCPGroup'],
  ['externalAuthConfigRef', 'MCPExternalAuthConfig'],
  ['webhookConfigRef', 'MCPWebhookConfig'],
];

/** The key of a named companion in the facts maps: `<Kind>/<name>`. */
export const companionKey = (kind: CompanionKind, name: string): string => `${kind}/${name}`;

export interface CompanionRef {
  field: string;
  kind: CompanionKind;
  name: string;
}

const dictOf = (v: unknown): Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};

/** The companions a server names, in COMPANION_REFS order. */
export function companionRefs(server: unknown): CompanionRef[] {
  const spec = dictOf(dictOf(server).spec);
  const out: CompanionRef[] = [];
  for (const [field, kind] of COMPANION_REFS) {
    const name = dictOf(spec[field]).name;
    if (typeof name === 'string' && name) out.push({ field, kind, name });
  }
  return out;
}
