import { expect } from 'chai';
import { proxyConfigFromArgs } from '../../../cli/commands/proxy.ts';
import { DEFAULT_LIMITS, checkRunConfigFile } from '../../../proxy/config.ts';

const runConfig = {
  version: 1,
  server: { name: 'fetch', namespace: 'tools' },
  transport: 'stdio',
  proxyMode: 'streamable-http',
  proxyPort: 8080,
  target: { kind: 'attach', namespace: 'tools', pod: 'fetch-0', container: 'mcp' },
};
const files: Record<string, string> = {
  '/rc.json': JSON.stringify(runConfig),
  '/bad.json': JSON.stringify({ ...runConfig, version: 2 }),
};
const read = (path: string) =>
  path in files ? Promise.resolve(files[path]!) : Promise.reject(new Error('ENOENT'));
const service = [
  'mcp-fetch-proxy',
  'mcp-fetch-proxy.tools',
  'mcp-fetch-proxy.tools.svc',
  'mcp-fetch-proxy.tools.svc.cluster.local',
];

describe('proxyConfigFromArgs', () => {
  const cases: Record<string, { args: string[]; want: unknown }> = {
    "reads the controller's run config, allowing the proxy Service's names": {
      args: ['--config', '/rc.json'],
      want: {
        name: 'fetch',
        namespace: 'tools',
        transport: 'stdio',
        host: '0.0.0.0',
        port: 8080,
        target: runConfig.target,
        allowed: { hosts: ['localhost', '127.0.0.1', '[::1]', ...service], origins: [] },
        limits: DEFAULT_LIMITS,
        auth: undefined,
        authz: undefined,
        audit: false,
        kubeconfig: undefined,
      },
    },
    'runs a local stdio command on loopback with extra allowed names': {
      args: [
        '--transport',
        'stdio',
        '--port',
        '9000',
        '--allowed-host',
        'Dev.Example',
        '--',
        'node',
        'server.js',
        '--flag',
      ],
      want: {
        name: 'local',
        transport: 'stdio',
        host: '127.0.0.1',
        port: 9000,
        target: { kind: 'command', command: ['node', 'server.js', '--flag'] },
        allowed: { hosts: ['localhost', '127.0.0.1', '[::1]', 'dev.example'], origins: [] },
        limits: DEFAULT_LIMITS,
        kubeconfig: undefined,
      },
    },
    'refuses stdio without a command': {
      args: ['--transport', 'stdio'],
      want: { problem: '--transport stdio needs the server command after --' },
    },
    'refuses an HTTP transport without a target URL': {
      args: ['--transport', 'sse'],
      want: { problem: '--transport sse needs --target-url' },
    },
    'refuses a run config of another version': {
      args: ['--config', '/bad.json'],
      want: { problem: '/bad.json: run config version 2 is not supported (want 1)' },
    },
    'refuses a bad port': {
      args: ['--config', '/rc.json', '--port', 'http'],
      want: { problem: '--port http is not a port' },
    },
  };
  for (const [name, c] of Object.entries(cases)) {
    it(name, async () => expect(await proxyConfigFromArgs(c.args, read)).to.deep.equal(c.want));
  }
});

describe('checkRunConfigFile targets', () => {
  const exec = { kind: 'exec', namespace: 'tools', pod: 'fetch-0', container: 'mcp', command: ['mcp-fetch'] };
  const cases: Record<string, { target: unknown; ok: boolean }> = {
    'accepts an exec target with its command': { target: exec, ok: true },
    'refuses an exec target without a command': { target: { ...exec, command: [] }, ok: false },
    'refuses an exec target without a pod': { target: { ...exec, pod: undefined }, ok: false },
    'accepts an attach target': { target: runConfig.target, ok: true },
    'refuses an unknown kind': { target: { kind: 'ssh', url: 'x' }, ok: false },
  };
  for (const [name, { target, ok }] of Object.entries(cases)) {
    it(name, () => {
      const checked = checkRunConfigFile({ ...runConfig, target });
      expect('problem' in checked).to.equal(!ok);
    });
  }
});
