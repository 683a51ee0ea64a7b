// The proxy's MCP metrics over OTLP, named as ToolHive's telemetry middleware names them, so dashboards
// built for ToolHive read ours: toolhive_mcp_requests and toolhive_mcp_request_duration (by mcp_method,
// status, mcp_resource_id, server, transport), toolhive_mcp_tool_calls (by server, tool, status),
// toolhive_mcp_active_connections (sessions), and the semantic conventions' mcp.server.operation.duration.
// Each label set is built once and reused. The two counters are observable: counted here in the label
// set itself and read by the SDK at export, since every synchronous add() makes the SDK hash its
// attributes again (two fewer hashes a request).
import type { Attributes as OtelAttributes, Histogram, Meter, UpDownCounter } from '@opentelemetry/api';
import { clampLabel, type Outcome } from './attributes.ts';

/** The MCP semantic conventions' bucket boundaries for mcp.server.operation.duration (seconds). */
export const MCP_DURATION_BUCKETS = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30, 60, 120, 300];

/** Label sets kept; past this many (hostile tool names), new targets are counted as "other". */
const MAX_CACHED = 2000;
const OVERFLOW_TARGET = 'other';

export interface McpInstruments {
  requestEnded(method: string, target: string, outcome: Outcome, seconds: number): void;
  sessionOpened(): void;
  sessionClosed(): void;
}

interface LabelSets {
  request: OtelAttributes;
  operation: OtelAttributes;
  tool?: OtelAttributes;
}

/** The counters' label sets (request and tool, without error.type) and how many requests ended with them. */
interface Counted {
  request: OtelAttributes;
  tool?: OtelAttributes;
  count: number;
}

export function createInstruments(meter: Meter, server: string, transport: string): McpInstruments {
  const requests = meter.createObservableCounter('toolhive_mcp_requests', {
    description: 'Total number of MCP requests',
  });
  const duration: Histogram = meter.createHistogram('toolhive_mcp_request_duration', {
    description: 'Duration of MCP requests in seconds',
    unit: 's',
    advice: { explicitBucketBoundaries: MCP_DURATION_BUCKETS },
  });
  const operation: Histogram = meter.createHistogram('mcp.server.operation.duration', {
    description: 'Duration of MCP server operations',
    unit: 's',
    advice: { explicitBucketBoundaries: MCP_DURATION_BUCKETS },
  });
  const toolCalls = meter.createObservableCounter('toolhive_mcp_tool_calls', {
    description: 'Total number of MCP tool calls',
  });
  const connections: UpDownCounter = meter.createUpDownCounter('toolhive_mcp_active_connections', {
    description: 'Number of active MCP connections',
  });
  const connectionLabels = { server, transport, connection_type: 'session' };
  const cache = new Map<string, LabelSets>();
  const counters = new Map<string, Counted>();
  const countedBy = new Map<LabelSets, Counted>();
  const labelsFor = (method: string, target: string, outcome: Outcome): LabelSets => {
    const key = `${method}\u0000${target}\u0000${outcome.errorType ?? ''}`;
    const sets = cache.get(key);
    if (sets) return sets;
    if (cache.size >= MAX_CACHED && target !== OVERFLOW_TARGET)
      return labelsFor(method, OVERFLOW_TARGET, outcome);
    const made = labelSets(method, clampLabel(target), outcome, server, transport);
    const countKey = `${method}\u0000${target}\u0000${outcome.ok ? 'success' : 'error'}`;
    const counted = counters.get(countKey) ?? { request: made.request, tool: made.tool, count: 0 };
    counters.set(countKey, counted);
    cache.set(key, made);
    countedBy.set(made, counted);
    return made;
  };
  requests.addCallback((result) => {
    for (const c of counters.values()) result.observe(c.count, c.request);
  });
  toolCalls.addCallback((result) => {
    for (const c of counters.values()) if (c.tool) result.observe(c.count, c.tool);
  });
  return {
    requestEnded(method, target, outcome, seconds) {
      const sets = labelsFor(clampLabel(method), target, outcome);
      countedBy.get(sets)!.count += 1;
      duration.record(seconds, sets.request);
      operation.record(seconds, sets.operation);
    },
    sessionOpened: () => connections.add(1, connectionLabels),
    sessionClosed: () => connections.add(-1, connectionLabels),
  };
}

function labelSets(
  method: string,
  target: string,
  outcome: Outcome,
  server: string,
  transport: string,
): LabelSets {
  const status = outcome.ok ? 'success' : 'error';
  const request = { mcp_method: method, status, mcp_resource_id: target, server, transport };
  const operation: OtelAttributes = {
    'mcp.method.name': method,
    'jsonrpc.protocol.version': '2.0',
    'network.transport': 'tcp',
  };
  if (outcome.errorType) operation['error.type'] = outcome.errorType;
  if (method === 'tools/call' && target) {
    operation['gen_ai.operation.name'] = 'execute_tool';
    operation['gen_ai.tool.name'] = target;
  } else if (method === 'prompts/get' && target) operation['gen_ai.prompt.name'] = target;
  const tool = method === 'tools/call' && target ? { server, tool: target, status } : undefined;
  return { request, operation, ...(tool ? { tool } : {}) };
}
