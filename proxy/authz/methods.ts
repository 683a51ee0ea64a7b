// What the authorizer does with each MCP method a client sends, following ToolHive's middleware
// (pkg/authz/middleware.go, MCPMethodToFeatureOperation) so a ToolHive policy grants the same calls:
//   check   tools/call, prompts/get, resources/read (and resources/subscribe, unsubscribe, which
//           ToolHive treats as reading the resource): one Cedar decision before the server sees it
//   filter  tools/list, prompts/list, resources/list: passed on, and the answer's items filtered by
//           the decision for using each (call_tool, get_prompt, read_resource); cursors are kept
//   allow   initialize, ping, resources/templates/list, completion/complete, logging/setLevel,
//           roots/list, features/list, server/discover, subscriptions/listen: no decision (ToolHive
//           neither decides nor filters these)
//   deny    any other request method (ToolHive denies unknown methods by default)
// Notifications and responses from the client (to the server's sampling or elicitation requests)
// always pass: they are not requests for anything the policies govern. Pure.
import type { CedarAction } from '../../lib/cedar-model.ts';
import type { Params } from '../jsonrpc.ts';

export type ListKind = 'tools' | 'prompts' | 'resources';

export type MethodRule =
  | {
      kind: 'check';
      action: CedarAction;
      resourceType: 'Tool' | 'Prompt' | 'Resource';
      id: string;
      args?: Params;
    }
  | { kind: 'filter'; list: ListKind }
  | { kind: 'allow' }
  | { kind: 'deny'; reason: string };

const ALLOWED = new Set([
  'initialize',
  'ping',
  'resources/templates/list',
  'completion/complete',
  'logging/setLevel',
  'roots/list',
  'features/list',
  'server/discover',
  'subscriptions/listen',
]);

const isParams = (v: unknown): v is Params => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The rule for one client request. A call without the name it needs is denied, not guessed. */
export function ruleFor(method: string, params: Params | undefined): MethodRule {
  if (ALLOWED.has(method)) return { kind: 'allow' };
  const p = params ?? {};
  switch (method) {
    case 'tools/list':
      return { kind: 'filter', list: 'tools' };
    case 'prompts/list':
      return { kind: 'filter', list: 'prompts' };
    case 'resources/list':
      return { kind: 'filter', list: 'resources' };
    case 'tools/call':
      return typeof p.name === 'string'
        ? { kind: 'check', action: 'call_tool', resourceType: 'Tool', id: p.name, ...argsOf(p) }
        : { kind: 'deny', reason: 'tools/call without a tool name' };
    case 'prompts/get':
      return typeof p.name === 'string'
        ? { kind: 'check', action: 'get_prompt', resourceType: 'Prompt', id: p.name, ...argsOf(p) }
        : { kind: 'deny', reason: 'prompts/get without a prompt name' };
    case 'resources/read':
    case 'resources/subscribe':
    case 'resources/unsubscribe':
      return typeof p.uri === 'string'
        ? { kind: 'check', action: 'read_resource', resourceType: 'Resource', id: p.uri }
        : { kind: 'deny', reason: `${method} without a resource uri` };
    default:
      return { kind: 'deny', reason: `method ${method} is not one the authorization policy covers` };
  }
}

function argsOf(p: Params): { args?: Params } {
  return isParams(p.arguments) ? { args: p.arguments } : {};
}
