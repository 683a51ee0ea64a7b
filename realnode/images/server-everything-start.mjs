// The entry point of the local server-everything image (/app/start.mjs; the image has no shell): starts
// @modelcontextprotocol/server-everything in the transport the MCPServer uses.
//
// The transport, first found of:
//   1. the first argument (an MCPServer's `args`): stdio, sse or streamable-http (or streamableHttp);
//   2. $MCP_TRANSPORT (ToolHive's name for it);
//   3. the container's stdin: the operator opens it (`stdin: true`) for stdio servers only, so a stdin
//      that is /dev/null (or closed) means an HTTP transport, streamable-http; any other stdin, stdio.
// The port: $MCP_PORT (ToolHive's name), else $PORT (server-everything's own; the image sets 8080, the
// operator's default mcpPort). It listens on every address: sse at /sse, streamable-http at /mcp.
import console from 'node:console';
import { fstatSync, statSync } from 'node:fs';
import process from 'node:process';

const ENTRY = '/app/node_modules/@modelcontextprotocol/server-everything/dist/index.js';
const MODES = {
  stdio: 'stdio',
  sse: 'sse',
  'streamable-http': 'streamableHttp',
  streamableHttp: 'streamableHttp',
};

function stdinIsNull() {
  let stdin;
  try {
    stdin = fstatSync(0);
  } catch {
    return true; // no stdin at all
  }
  if (!stdin.isCharacterDevice()) return false; // a pipe (the runtime's stdin FIFO) or a file
  try {
    return stdin.rdev === statSync('/dev/null').rdev;
  } catch {
    return !process.stdin.isTTY; // no /dev/null to compare with (a bare chroot): a terminal is not null
  }
}

const [first, ...rest] = process.argv.slice(2);
const fromArgs = first !== undefined && Object.hasOwn(MODES, first);
const requested = fromArgs
  ? first
  : (process.env.MCP_TRANSPORT ?? (stdinIsNull() ? 'streamable-http' : 'stdio'));
const mode = Object.hasOwn(MODES, requested) ? MODES[requested] : undefined;
if (!mode) {
  console.error(
    `unknown transport ${JSON.stringify(requested)}: use one of ${Object.keys(MODES).join(', ')}`,
  );
  process.exit(2);
}
if (process.env.MCP_PORT) process.env.PORT = process.env.MCP_PORT;
console.error(`server-everything: transport ${mode}${mode === 'stdio' ? '' : `, port ${process.env.PORT}`}`);
// server-everything reads its transport from argv[2].
process.argv = [process.argv[0], ENTRY, mode, ...(fromArgs ? rest : process.argv.slice(2))];
await import(ENTRY);
