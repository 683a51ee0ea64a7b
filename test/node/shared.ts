// State that test files of the node suite hand on to later ones (mocha runs them in name order).

/** When the filesystem server's attach last carried a request (90-idle-attach measures from it). */
export const filesystemUse = { lastCallAt: 0 };

/** A Node one-liner run inside a container: connects to host:port, prints CONNECTED or why not. */
export const CONNECT_SCRIPT = `const [host, port] = process.argv.slice(1);
const s = require('node:net').connect({ host, port: Number(port), timeout: 3000 });
s.on('connect', () => { console.log('CONNECTED'); process.exit(0); });
s.on('timeout', () => { console.log('TIMEOUT'); process.exit(2); });
s.on('error', (e) => { console.log('ERROR ' + e.code); process.exit(3); });`;
