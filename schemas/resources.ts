// The API resources this operator defines, one JSON Schema each (schemas/<kind>.schema.json, the only
// source) and what their CRDs add around it: names, printer columns and versions. Decisions:
// - Every kind is served as v1alpha1 and v1beta1 with one schema, so no conversion webhook is needed.
//   The storage version is v1alpha1 for all of them, as the MCPServer CRD has always been: objects
//   written by a ToolHive install (v1beta1 or v1alpha1) read back either way, since the schemas agree.
// - MCPOIDCConfig and MCPAuthzConfig were born in ToolHive's v1beta1 era: their v1alpha1 is deprecated
//   with ToolHive's own warning; MCPServer's is not (existing manifests say v1alpha1).
// Pure data; crd.ts renders, generate.ts writes.
export interface PrinterColumn {
  name: string;
  type: string;
  jsonPath: string;
}

export interface ApiResource {
  kind: string;
  plural: string;
  singular: string;
  shortNames: string[];
  /** The schema's file name under schemas/. */
  schemaFile: string;
  /** The generated TypeScript file's name under schemas/generated/. */
  typesFile: string;
  printerColumns: PrinterColumn[];
  /** Set: v1alpha1 is served with this deprecation warning. */
  v1alpha1DeprecationWarning?: string;
}

export const GROUP = 'toolhive.stacklok.dev';
const AGE = { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' };
const VALID = { name: 'Valid', type: 'string', jsonPath: ".status.conditions[?(@.type=='Valid')].status" };
const TOOLHIVE_DEPRECATION = 'toolhive.stacklok.dev/v1alpha1 is deprecated; use v1beta1';

export const MCPSERVER: ApiResource = {
  kind: 'MCPServer',
  plural: 'mcpservers',
  singular: 'mcpserver',
  shortNames: ['mcpserver', 'mcpservers'],
  schemaFile: 'mcpserver.schema.json',
  typesFile: 'mcpserver.ts',
  printerColumns: [
    { name: 'Status', type: 'string', jsonPath: '.status.phase' },
    // ToolHive's v1beta1 columns: the Ready condition and the ready proxy replica count.
    { name: 'Ready', type: 'string', jsonPath: ".status.conditions[?(@.type=='Ready')].status" },
    { name: 'Replicas', type: 'integer', jsonPath: '.status.readyReplicas' },
    // Not ToolHive's: the tools the proxy listed in the controller's last MCP handshake (controller/verify/).
    { name: 'Tools', type: 'integer', jsonPath: '.status.verified.toolCount' },
    { name: 'URL', type: 'string', jsonPath: '.status.url' },
    AGE,
  ],
};

export const MCPOIDCCONFIG: ApiResource = {
  kind: 'MCPOIDCConfig',
  plural: 'mcpoidcconfigs',
  singular: 'mcpoidcconfig',
  shortNames: ['mcpoidc'],
  schemaFile: 'mcpoidcconfig.schema.json',
  typesFile: 'mcpoidcconfig.ts',
  printerColumns: [{ name: 'Source', type: 'string', jsonPath: '.spec.type' }, VALID, AGE],
  v1alpha1DeprecationWarning: TOOLHIVE_DEPRECATION,
};

export const MCPAUTHZCONFIG: ApiResource = {
  kind: 'MCPAuthzConfig',
  plural: 'mcpauthzconfigs',
  singular: 'mcpauthzconfig',
  shortNames: ['authzcfg'],
  schemaFile: 'mcpauthzconfig.schema.json',
  typesFile: 'mcpauthzconfig.ts',
  printerColumns: [{ name: 'Type', type: 'string', jsonPath: '.spec.type' }, VALID, AGE],
  v1alpha1DeprecationWarning: TOOLHIVE_DEPRECATION,
};

// The companions ToolHive's MCPServer names by reference (spec.toolConfigRef, telemetryConfigRef,
// groupRef, externalAuthConfigRef, webhookConfigRef); short names and columns are ToolHive's.
const companion = (kind: string, shortNames: string[], printerColumns: PrinterColumn[]): ApiResource => ({
  kind,
  plural: `${kind.toLowerCase()}s`,
  singular: kind.toLowerCase(),
  shortNames,
  schemaFile: `${kind.toLowerCase()}.schema.json`,
  typesFile: `${kind.toLowerCase()}.ts`,
  printerColumns,
});

export const MCPTOOLCONFIG = companion('MCPToolConfig', ['tc', 'toolconfig'], [VALID, AGE]);
export const MCPTELEMETRYCONFIG = companion(
  'MCPTelemetryConfig',
  ['mcpotel'],
  [
    { name: 'Endpoint', type: 'string', jsonPath: '.spec.openTelemetry.endpoint' },
    VALID,
    { name: 'Tracing', type: 'boolean', jsonPath: '.spec.openTelemetry.tracing.enabled' },
    { name: 'Metrics', type: 'boolean', jsonPath: '.spec.openTelemetry.metrics.enabled' },
    AGE,
  ],
);
export const MCPGROUP = companion(
  'MCPGroup',
  ['mcpg', 'mcpgroup'],
  [
    { name: 'Servers', type: 'integer', jsonPath: '.status.serverCount' },
    { name: 'Phase', type: 'string', jsonPath: '.status.phase' },
    AGE,
  ],
);
export const MCPEXTERNALAUTHCONFIG = companion(
  'MCPExternalAuthConfig',
  ['extauth', 'mcpextauth'],
  [{ name: 'Type', type: 'string', jsonPath: '.spec.type' }, VALID, AGE],
);
export const MCPWEBHOOKCONFIG = companion('MCPWebhookConfig', ['mcpwh'], [VALID, AGE]);

export const COMPANIONS: readonly ApiResource[] = [
  MCPTOOLCONFIG,
  MCPTELEMETRYCONFIG,
  MCPGROUP,
  MCPEXTERNALAUTHCONFIG,
  MCPWEBHOOKCONFIG,
];

export const API_RESOURCES: readonly ApiResource[] = [
  MCPSERVER,
  MCPOIDCCONFIG,
  MCPAUTHZCONFIG,
  ...COMPANIONS,
];

/** The CRD's file name, as controller-gen names them (group_plural.yaml). */
export const crdFileName = (r: ApiResource): string => `${GROUP}_${r.plural}.yaml`;
