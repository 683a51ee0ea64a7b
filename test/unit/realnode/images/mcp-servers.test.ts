// realnode/images/mcp-servers.ts: how the MCP server images run (the integration test runs them).
import { existsSync } from 'node:fs';
import { expect } from 'chai';
import { DEFAULT_MCP_PORT } from '../../../../schemas/defaults.ts';
import { sharedConfig } from '../../../../realnode/images/catalog.ts';
import {
  serverEverythingConfig,
  serverEverythingRecipe,
  serverFilesystemConfig,
  serverFilesystemRecipe,
  SIGTERM_SCRIPT,
  START_SCRIPT,
} from '../../../../realnode/images/mcp-servers.ts';
import { inheritConfig } from '../../../../realnode/images/oci.ts';

describe('realnode/images/mcp-servers.ts', () => {
  it('runs server-everything through its start script, on the operator’s default MCP port, as nonroot', () => {
    const config = inheritConfig(sharedConfig(serverEverythingRecipe().shared), serverEverythingConfig());
    expect(config.Entrypoint).to.deep.equal([
      '/nodejs/bin/node',
      '--import=/app/exit-on-sigterm.mjs',
      '/app/start.mjs',
    ]);
    expect(config.Cmd).to.equal(undefined); // stdio or HTTP is the start script's choice
    expect(config.Env).to.include(`PORT=${DEFAULT_MCP_PORT}`);
    expect(config.User).to.equal('65532');
    expect(config.ExposedPorts).to.deep.equal({ [`${DEFAULT_MCP_PORT}/tcp`]: {} });
  });

  it('runs server-filesystem on /projects unless the MCPServer’s args name other folders', () => {
    const config = inheritConfig(sharedConfig(serverFilesystemRecipe().shared), serverFilesystemConfig());
    expect(config.Entrypoint).to.deep.equal([
      '/nodejs/bin/node',
      '--import=/app/exit-on-sigterm.mjs',
      '/app/node_modules/@modelcontextprotocol/server-filesystem/dist/index.js',
    ]);
    expect(config.Cmd).to.deep.equal(['/projects']);
    expect(config.User).to.equal('65532');
  });

  it('ships its scripts beside the module', () => {
    expect(existsSync(START_SCRIPT)).to.equal(true);
    expect(existsSync(SIGTERM_SCRIPT)).to.equal(true);
  });
});
