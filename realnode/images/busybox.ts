// The shell tools an MCP server image carries, as the node/alpine images real MCP servers ship on do:
// Debian's static busybox at /bin/busybox and a link per applet (env, sh, cat, ls, ...), so that the seed
// guide's `kubectl exec <pod> -c mcp -- env` works. The operator image has none (distroless, no shell).
import { execFileSync } from 'node:child_process';
import { existsSync, symlinkSync } from 'node:fs';
import { copyIn, inRootfs, sha256File } from './rootfs.ts';

export const BUSYBOX = '/bin/busybox';

function requireBusybox(): void {
  if (!existsSync(BUSYBOX))
    throw new Error(
      `${BUSYBOX} is missing: install Debian's busybox-static (realnode/host-packages.sh does)`,
    );
}

/** The cache input: the binary's hash (a new busybox makes new images). */
export async function busyboxInput(): Promise<string> {
  requireBusybox();
  return `busybox ${await sha256File(BUSYBOX)}`;
}

/** Copies busybox into a layer with one relative link per applet in /bin. */
export function addBusybox(layerDir: string): void {
  requireBusybox();
  copyIn(layerDir, BUSYBOX, BUSYBOX);
  const applets = execFileSync(BUSYBOX, ['--list'], { encoding: 'utf8' }).split('\n').filter(Boolean);
  for (const applet of applets) {
    const link = inRootfs(layerDir, `/bin/${applet}`);
    if (applet !== 'busybox' && !existsSync(link)) symlinkSync('busybox', link);
  }
}
