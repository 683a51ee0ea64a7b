// realnode/images/base.ts and node-runtime.ts: the distroless-like layers. The layers are made into tars
// and stacked as a snapshotter would, then Node runs in a chroot of them: a missing library, loader or
// passwd entry shows here rather than as a pod in CrashLoopBackOff.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { NONROOT_UID, writeBaseRootfs } from '../../../../realnode/images/base.ts';
import {
  nodeBinary,
  nodeRuntimeInputs,
  parseLdd,
  writeNodeRuntimeRootfs,
} from '../../../../realnode/images/node-runtime.ts';
import { writeLayerTar } from '../../../../realnode/images/oci.ts';
import { isRoot, layerEntries, stackLayers } from './support.ts';

const LDD = `	linux-vdso.so.1 (0x00007ffd1a3f2000)
	libdl.so.2 => /lib/x86_64-linux-gnu/libdl.so.2 (0x00007f5af2f34000)
	libstdc++.so.6 => /lib/x86_64-linux-gnu/libstdc++.so.6 (0x00007f5af2c00000)
	libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f5af2a1e000)
	/lib64/ld-linux-x86-64.so.2 (0x00007f5af2f4c000)
`;

describe('realnode/images node runtime', function () {
  this.timeout(60_000);

  it("reads ldd's libraries, the loader last, without the vDSO", () => {
    expect(parseLdd(LDD)).to.deep.equal([
      '/lib/x86_64-linux-gnu/libdl.so.2',
      '/lib/x86_64-linux-gnu/libstdc++.so.6',
      '/lib/x86_64-linux-gnu/libc.so.6',
      '/lib64/ld-linux-x86-64.so.2',
    ]);
    expect(() => parseLdd('\tlibfoo.so.1 => not found\n')).to.throw(/libfoo/);
    expect(parseLdd('\tstatically linked\n')).to.deep.equal([]);
  });

  it("finds the real Node 24 binary of the registry's node package", () => {
    const node = nodeBinary();
    expect(readFileSync(node).subarray(0, 4).toString('latin1')).to.equal('\x7fELF');
    expect(execFileSync(node, ['--version'], { encoding: 'utf8' })).to.match(/^v24\./);
  });

  describe('the layers, stacked and run', () => {
    let dir: string;
    let rootfs: string;
    before(async function () {
      if (!isRoot()) this.skip(); // owners in the layers, and chroot
      dir = mkdtempSync(path.join(tmpdir(), 'node-runtime-test-'));
      const base = path.join(dir, 'base');
      const node = path.join(dir, 'node');
      mkdirSync(base);
      mkdirSync(node);
      writeBaseRootfs(base);
      writeNodeRuntimeRootfs(node, await nodeRuntimeInputs());
      await writeLayerTar(base, path.join(dir, 'base.tar'));
      await writeLayerTar(node, path.join(dir, 'node.tar'));
      rootfs = stackLayers([path.join(dir, 'base.tar'), path.join(dir, 'node.tar')]);
    });
    after(() => {
      if (dir) rmSync(dir, { recursive: true, force: true });
      if (rootfs) rmSync(rootfs, { recursive: true, force: true });
    });

    it('has the files of distroless nodejs :nonroot and no shell', () => {
      const names = layerEntries(path.join(dir, 'base.tar')).map((e) => e.name);
      expect(names).to.include.members([
        'etc/passwd',
        'etc/group',
        'etc/nsswitch.conf',
        'tmp/',
        'home/nonroot/',
      ]);
      const nodeNames = layerEntries(path.join(dir, 'node.tar')).map((e) => e.name);
      expect(nodeNames).to.include.members([
        'nodejs/bin/node',
        'lib64/ld-linux-x86-64.so.2',
        'lib/x86_64-linux-gnu/libc.so.6',
      ]);
      expect([...names, ...nodeNames].filter((n) => /(^|\/)(sh|bash|busybox)$/.test(n))).to.deep.equal([]);
      expect(statSync(path.join(rootfs, 'tmp')).mode & 0o7777).to.equal(0o1777);
      expect(statSync(path.join(rootfs, 'home/nonroot'))).to.include({ uid: NONROOT_UID, gid: NONROOT_UID });
    });

    it('runs Node as nonroot (65532) with only its own libraries', () => {
      const script =
        "const os = require('node:os'); require('node:fs').writeFileSync('/tmp/x', 'ok');" +
        "console.log(JSON.stringify({ v: process.version, user: os.userInfo().username, home: os.homedir(), tls: require('node:tls').rootCertificates.length > 0 }))";
      const run = spawnSync('chroot', ['--userspec=65532:65532', rootfs, '/nodejs/bin/node', '-e', script], {
        encoding: 'utf8',
        env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' },
      });
      expect(run.status, run.stderr || String(run.error)).to.equal(0);
      const out = JSON.parse(run.stdout) as { v: string; user: string; home: string; tls: boolean };
      expect(out).to.deep.include({ user: 'nonroot', home: '/home/nonroot', tls: true });
      expect(out.v).to.match(/^v24\./);
    });
  });
});
