import { expect } from 'chai';
import { defaultMCPServer, type Defaulted } from '../../../webhook/defaults.ts';
import type { AdmissionPolicy } from '../../../webhook/policy.ts';
import { PORT_MOVED, TARGET_PORT_MOVED } from '../../../webhook/rules/warnings.ts';
import { mcpServer, withSpec } from './builders.ts';

const all: AdmissionPolicy = { servedNamespaces: 'all' };
const image = 'ghcr.io/example/server:1.0';
const spec = (fields: Record<string, unknown>) => ({ ...mcpServer('s'), spec: { image, ...fields } });

describe('defaultMCPServer', () => {
  const cases: Record<string, { input: unknown; policy?: AdmissionPolicy; want: Defaulted }> = {
    'defaults a bare server to stdio with streamable-http proxy on 8080': {
      input: mcpServer('s'),
      want: {
        object: spec({ transport: 'stdio', proxyMode: 'streamable-http', proxyPort: 8080 }),
        warnings: [],
      },
    },
    'gives sse and streamable-http an mcpPort of 8080 and no proxyMode': {
      input: mcpServer('s', withSpec({ transport: 'sse' })),
      want: { object: spec({ transport: 'sse', proxyPort: 8080, mcpPort: 8080 }), warnings: [] },
    },
    'moves port to proxyPort with a warning': {
      input: mcpServer('s', withSpec({ transport: 'streamable-http', port: 9090 })),
      want: {
        object: spec({ transport: 'streamable-http', proxyPort: 9090, mcpPort: 8080 }),
        warnings: [PORT_MOVED],
      },
    },
    'moves targetPort to mcpPort with a warning': {
      input: mcpServer('s', withSpec({ transport: 'sse', targetPort: 3000 })),
      want: {
        object: spec({ transport: 'sse', proxyPort: 8080, mcpPort: 3000 }),
        warnings: [TARGET_PORT_MOVED],
      },
    },
    'drops port when it equals proxyPort': {
      input: mcpServer('s', withSpec({ transport: 'sse', port: 9090, proxyPort: 9090, mcpPort: 1 })),
      want: { object: spec({ transport: 'sse', proxyPort: 9090, mcpPort: 1 }), warnings: [PORT_MOVED] },
    },
    'leaves a conflicting port for validation to deny': {
      input: mcpServer('s', withSpec({ transport: 'sse', port: 9090, proxyPort: 8080, mcpPort: 1 })),
      want: { object: spec({ transport: 'sse', port: 9090, proxyPort: 8080, mcpPort: 1 }), warnings: [] },
    },
    'leaves an invalid port alone for the schema to report': {
      input: mcpServer('s', withSpec({ transport: 'stdio', proxyMode: 'sse', port: 'x' })),
      want: { object: spec({ transport: 'stdio', proxyMode: 'sse', port: 'x' }), warnings: [] },
    },
    'never overrides what the user wrote': {
      input: mcpServer(
        's',
        withSpec({
          transport: 'stdio',
          proxyMode: 'sse',
          proxyPort: 1,
          permissionProfile: { type: 'builtin', name: 'network' },
        }),
      ),
      policy: { ...all, defaultPermissionProfile: 'none' },
      want: {
        object: spec({
          transport: 'stdio',
          proxyMode: 'sse',
          proxyPort: 1,
          permissionProfile: { type: 'builtin', name: 'network' },
        }),
        warnings: [],
      },
    },
    'sets the policy default permission profile when none is given': {
      input: mcpServer('s', withSpec({ transport: 'stdio', proxyMode: 'sse', proxyPort: 1 })),
      policy: { ...all, defaultPermissionProfile: 'none' },
      want: {
        object: spec({
          transport: 'stdio',
          proxyMode: 'sse',
          proxyPort: 1,
          permissionProfile: { type: 'builtin', name: 'none' },
        }),
        warnings: [],
      },
    },
    'returns a non-object unchanged': { input: 'nope', want: { object: 'nope', warnings: [] } },
    'returns an object without spec unchanged': {
      input: { metadata: {} },
      want: { object: { metadata: {} }, warnings: [] },
    },
  };
  for (const [name, c] of Object.entries(cases)) {
    it(name, () => expect(defaultMCPServer(c.input, c.policy ?? all)).to.deep.equal(c.want));
  }

  it('does not modify its input', () => {
    const input = mcpServer('s', withSpec({ port: 9090 }));
    const before = structuredClone(input);
    defaultMCPServer(input, all);
    expect(input).to.deep.equal(before);
  });
});

describe('defaultMCPServer idempotence', () => {
  // Every combination of these values, including legacy fields, conflicts and wrong types.
  const choices: Record<string, unknown[]> = {
    transport: [undefined, 'stdio', 'sse', 'streamable-http', 'bogus'],
    proxyMode: [undefined, 'sse', 'streamable-http'],
    port: [undefined, 8080, 9090, 'x'],
    proxyPort: [undefined, 8080, 9090],
    targetPort: [undefined, 3000, 0],
    mcpPort: [undefined, 3000, 8080],
    permissionProfile: [undefined, { type: 'builtin', name: 'network' }],
  };
  function* combinations(keys: string[], acc: Record<string, unknown>): Generator<Record<string, unknown>> {
    const [key, ...rest] = keys;
    if (key === undefined) {
      yield acc;
      return;
    }
    for (const value of choices[key] ?? [])
      yield* combinations(rest, value === undefined ? acc : { ...acc, [key]: value });
  }
  const policies: AdmissionPolicy[] = [all, { ...all, defaultPermissionProfile: 'network' }];

  it('changes nothing when applied to its own result, for every combination', () => {
    let checked = 0;
    for (const fields of combinations(Object.keys(choices), {})) {
      for (const policy of policies) {
        const once = defaultMCPServer(spec(fields), policy);
        const twice = defaultMCPServer(once.object, policy);
        expect(twice, JSON.stringify(fields)).to.deep.equal({ object: once.object, warnings: [] });
        checked++;
      }
    }
    expect(checked).to.equal(5 * 3 * 4 * 3 * 3 * 3 * 2 * 2);
  });
});
