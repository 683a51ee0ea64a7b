// The bottom layer of every local image except pause, in the manner of gcr.io/distroless/static-debian12:nonroot:
// users root, nobody and nonroot (65532) with their groups, name service from files then DNS, the CA
// bundle, /tmp for everyone (1777), and nonroot's home. No shell, no package manager.
import { existsSync, mkdirSync } from 'node:fs';
import type { ImageConfig } from './oci.ts';
import { copyIn, inRootfs, normalizeTree, writeIn, type PathOverride } from './rootfs.ts';

export const NONROOT_UID = 65532;
export const CA_BUNDLE_PATH = '/etc/ssl/certs/ca-certificates.crt';

export const PASSWD = [
  'root:x:0:0:root:/root:/sbin/nologin',
  'nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin',
  `nonroot:x:${NONROOT_UID}:${NONROOT_UID}:nonroot:/home/nonroot:/sbin/nologin`,
  '',
].join('\n');

export const GROUP = [
  'root:x:0:',
  'nobody:x:65534:',
  'tty:x:5:',
  'staff:x:50:',
  `nonroot:x:${NONROOT_UID}:`,
  '',
].join('\n');

/** glibc reads it for getpwuid and getaddrinfo (its files and dns services are built into libc since 2.34). */
export const NSSWITCH = ['passwd: files', 'group: files', 'shadow: files', 'hosts: files dns', ''].join('\n');

/** Where the base differs from root-owned 0755/0644. */
export const BASE_OVERRIDES: PathOverride[] = [
  { path: '/tmp', mode: 0o1777 },
  { path: '/root', mode: 0o700 },
  { path: '/home/nonroot', uid: NONROOT_UID, gid: NONROOT_UID, mode: 0o700 },
];

/** The base's run settings, as distroless :nonroot has them. */
export const BASE_CONFIG: ImageConfig = {
  Env: [
    'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    `SSL_CERT_FILE=${CA_BUNDLE_PATH}`,
  ],
  User: `${NONROOT_UID}`,
  WorkingDir: '/home/nonroot',
};

/** The host's CA bundle, when it has one (Debian's ca-certificates). */
export function hostCaBundle(): string | undefined {
  return existsSync(CA_BUNDLE_PATH) ? CA_BUNDLE_PATH : undefined;
}

/** Writes the base layer's files into an empty folder and normalizes owners and modes. */
export function writeBaseRootfs(rootfs: string, caBundle = hostCaBundle()): void {
  writeIn(rootfs, '/etc/passwd', PASSWD);
  writeIn(rootfs, '/etc/group', GROUP);
  writeIn(rootfs, '/etc/nsswitch.conf', NSSWITCH);
  if (caBundle) copyIn(rootfs, CA_BUNDLE_PATH, caBundle);
  for (const dir of ['/tmp', '/root', '/home/nonroot']) mkdirSync(inRootfs(rootfs, dir), { recursive: true });
  normalizeTree(rootfs, BASE_OVERRIDES);
}
