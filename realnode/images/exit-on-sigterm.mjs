// Preloaded (node --import) by the local MCP server images: a container's main process is PID 1 of its
// PID namespace, and the kernel does not apply a default action to signals PID 1 has no handler for, so
// Node there ignores SIGTERM and every pod deletion would wait out its grace period for the SIGKILL.
// The servers keep no state worth a graceful stop: exit as Node would outside a container (128 + 15).
import process from 'node:process';

process.on('SIGTERM', () => process.exit(143));
