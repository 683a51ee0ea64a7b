// One validate action and one mutate action for MCPServer, the minimal counterparts of our webhooks: the
// validate action denies an MCPServer without spec.image (one rule, where ours checks the schema and every
// rule); the mutate action does what ours does to the bench's seed (mcpserver-custom-pod.yaml): moves the
// legacy spec.port to spec.proxyPort and defaults spec.mcpPort for HTTP transports.
import { Capability, a } from 'pepr';

export const McpServerPolicy = new Capability({
  name: 'mcpserver-policy',
  description: 'Requires spec.image and sets MCPServer port defaults',
  namespaces: [],
});

const { When } = McpServerPolicy;
const MCPSERVER = { group: 'toolhive.stacklok.dev', version: 'v1alpha1', kind: 'MCPServer' };
const HTTP_TRANSPORTS = ['sse', 'streamable-http'];

When(a.GenericKind, MCPSERVER)
  .IsCreatedOrUpdated()
  .Validate((request) =>
    typeof request.Raw.spec?.image === 'string' && request.Raw.spec.image !== ''
      ? request.Approve()
      : request.Deny('spec.image: Required value', 422),
  );

When(a.GenericKind, MCPSERVER)
  .IsCreatedOrUpdated()
  .Mutate((request) => {
    const spec = request.Raw.spec;
    if (!spec) return;
    if (spec.port !== undefined && spec.proxyPort === undefined) {
      spec.proxyPort = spec.port;
      delete spec.port;
    }
    if (HTTP_TRANSPORTS.includes(spec.transport) && spec.mcpPort === undefined) spec.mcpPort = 8080;
  });
