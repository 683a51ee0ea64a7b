import { expect } from 'chai';
import { FieldPath, invalid, type FieldError } from '../../../../webhook/field.ts';
import { checkTransportAndPorts } from '../../../../webhook/rules/ports.ts';
import { mcpServer, withPodSpec, withSpec } from '../builders.ts';

describe('checkTransportAndPorts', () => {
  const spec = FieldPath.of('spec');
  const mcpPorts = spec.child('podTemplateSpec', 'spec', 'containers').index(0).child('ports');
  const mcpWithPorts = (...ports: number[]) =>
    withPodSpec({ containers: [{ name: 'mcp', ports: ports.map((containerPort) => ({ containerPort })) }] });
  const cases: Record<string, { server: unknown; want: FieldError[] }> = {
    'accepts port and proxyPort when equal': {
      server: mcpServer('s', withSpec({ port: 9090, proxyPort: 9090 })),
      want: [],
    },
    'rejects port contradicting proxyPort': {
      server: mcpServer('s', withSpec({ port: 9090, proxyPort: 8080 })),
      want: [
        invalid(
          spec.child('port'),
          9090,
          'must equal spec.proxyPort (8080) when both are set; port is deprecated, remove it',
        ),
      ],
    },
    'rejects targetPort contradicting mcpPort': {
      server: mcpServer('s', withSpec({ targetPort: 3000, mcpPort: 3001 })),
      want: [
        invalid(
          spec.child('targetPort'),
          3000,
          'must equal spec.mcpPort (3001) when both are set; targetPort is deprecated, remove it',
        ),
      ],
    },
    'accepts mcpPort equal to proxyPort: proxy and server run in separate pods': {
      server: mcpServer('s', withSpec({ transport: 'sse', proxyPort: 8080, mcpPort: 8080 })),
      want: [],
    },
    'accepts an mcp container that declares mcpPort': {
      server: mcpServer('s', withSpec({ transport: 'sse', mcpPort: 3000 }), mcpWithPorts(9100, 3000)),
      want: [],
    },
    'rejects an mcp container whose ports miss mcpPort': {
      server: mcpServer('s', withSpec({ transport: 'streamable-http', mcpPort: 3000 }), mcpWithPorts(8080)),
      want: [
        invalid(
          mcpPorts,
          [8080],
          'must include containerPort 3000 (spec.mcpPort), the port the proxy connects to',
        ),
      ],
    },
    'uses 8080 when mcpPort and targetPort are unset, as ToolHive does': {
      server: mcpServer('s', withSpec({ transport: 'sse' }), mcpWithPorts(3000)),
      want: [
        invalid(
          mcpPorts,
          [3000],
          'must include containerPort 8080 (spec.mcpPort), the port the proxy connects to',
        ),
      ],
    },
    'ignores container ports for stdio, which has no MCP port': {
      server: mcpServer('s', withSpec({ transport: 'stdio' }), mcpWithPorts(3000)),
      want: [],
    },
  };
  for (const [name, c] of Object.entries(cases)) {
    it(name, () => expect(checkTransportAndPorts(c.server)).to.deep.equal(c.want));
  }
});
