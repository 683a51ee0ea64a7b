// realnode/images/oci.ts: OCI layout archives as containerd imports them, byte-for-byte reproducible.
import { createHash } from 'node:crypto';
import {
  chmodSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import {
  configJson,
  imageTag,
  inheritConfig,
  MEDIA_TYPES,
  writeOciArchive,
  type ImageConfig,
} from '../../../../realnode/images/oci.ts';
import { normalizeTree } from '../../../../realnode/images/rootfs.ts';
import { isRoot, layerEntries, openArchive, type Config, type Manifest } from './support.ts';

const sha256 = (bytes: Buffer): string => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

const CONFIG: ImageConfig = {
  Entrypoint: ['/bin/app'],
  Cmd: ['--help'],
  Env: ['A=1'],
  User: '65532',
  WorkingDir: '/work',
  Labels: { 'z.last': 'z', 'a.first': 'a' },
  ExposedPorts: { '8080/tcp': {} },
};

/** Two small layers: a base with /tmp 1777 and a home owned by 65532, and an app on top. */
function makeLayers(root: string, umask: number): { base: string; app: string } {
  const base = path.join(root, 'base');
  const app = path.join(root, 'app');
  const old = process.umask(umask);
  try {
    mkdirSync(path.join(base, 'etc'), { recursive: true });
    writeFileSync(path.join(base, 'etc', 'passwd'), 'root:x:0:0::/root:/sbin/nologin\n');
    mkdirSync(path.join(base, 'tmp'));
    mkdirSync(path.join(base, 'home', 'nonroot'), { recursive: true });
    mkdirSync(path.join(app, 'bin'), { recursive: true });
    writeFileSync(path.join(app, 'bin', 'app'), '#!/bin/true\n');
    chmodSync(path.join(app, 'bin', 'app'), 0o700);
    writeFileSync(
      path.join(app, 'bin', `${'long-name-'.repeat(12)}.txt`),
      'a name longer than ustar allows\n',
    );
  } finally {
    process.umask(old);
  }
  normalizeLayers(base, app);
  return { base, app };
}

function normalizeLayers(base: string, app: string): void {
  normalizeTree(base, [
    { path: '/tmp', mode: 0o1777 },
    { path: '/home/nonroot', uid: 65532, gid: 65532, mode: 0o700 },
  ]);
  normalizeTree(app);
}

async function build(
  root: string,
  umask: number,
  out: string,
): Promise<Awaited<ReturnType<typeof writeOciArchive>>> {
  const { base, app } = makeLayers(root, umask);
  return writeOciArchive(
    'localhost/test/app:1.0',
    [
      { dir: base, createdBy: 'base' },
      { dir: app, createdBy: 'app' },
    ],
    CONFIG,
    out,
  );
}

describe('realnode/images/oci.ts', function () {
  this.timeout(20_000);
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), 'oci-test-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("names the tag of an image name, with a registry's port not taken for one", () => {
    expect(imageTag('localhost/pause:3.10')).to.equal('3.10');
    expect(imageTag('localhost:5000/app')).to.equal('latest');
    expect(imageTag('localhost:5000/app:dev')).to.equal('dev');
  });

  it("inherits a base's config as Docker does: Env by name, CMD dropped by a new ENTRYPOINT", () => {
    const base: ImageConfig = {
      Env: ['PATH=/bin', 'A=base'],
      User: '65532',
      Entrypoint: ['/node'],
      Cmd: ['x'],
    };
    expect(inheritConfig(base, { Env: ['A=child', 'B=2'], Entrypoint: ['/app'] })).to.deep.equal({
      Env: ['PATH=/bin', 'A=child', 'B=2'],
      User: '65532',
      Entrypoint: ['/app'],
    });
    expect(inheritConfig(base, { Cmd: ['y'] }).Entrypoint).to.deep.equal(['/node']);
  });

  it('writes config JSON whose maps do not depend on the order they were built in', () => {
    const reversed = { ...CONFIG, Labels: { 'a.first': 'a', 'z.last': 'z' } };
    expect(configJson(CONFIG, ['sha256:1'], ['x'])).to.equal(configJson(reversed, ['sha256:1'], ['x']));
  });

  it('writes an OCI layout: oci-layout, index.json named for containerd, blobs that match their digests', async function () {
    if (!isRoot()) this.skip(); // layers with several owners need chown
    const written = await build(path.join(dir, 'a'), 0o022, path.join(dir, 'image.tar'));
    const archive = openArchive(path.join(dir, 'image.tar'));
    try {
      expect(readdirSync(archive.dir).sort()).to.deep.equal(['blobs', 'index.json', 'oci-layout']);
      expect(JSON.parse(readFileSync(path.join(archive.dir, 'oci-layout'), 'utf8'))).to.deep.equal({
        imageLayoutVersion: '1.0.0',
      });
      const blobs = readdirSync(path.join(archive.dir, 'blobs', 'sha256'));
      for (const blob of blobs)
        expect(sha256(readFileSync(archive.blobPath(`sha256:${blob}`)))).to.equal(`sha256:${blob}`);
      expect(blobs).to.have.length(4); // two layers, config, manifest

      expect(archive.index.mediaType).to.equal(MEDIA_TYPES.index);
      const [entry] = archive.index.manifests;
      expect(archive.index.manifests).to.have.length(1);
      expect(entry!.annotations).to.deep.equal({
        'io.containerd.image.name': 'localhost/test/app:1.0',
        'org.opencontainers.image.ref.name': '1.0',
      });
      expect(entry!.platform).to.deep.equal({ architecture: 'amd64', os: 'linux' });
      expect(entry!.digest).to.equal(written.manifestDigest);
      expect(entry!.size).to.equal(readFileSync(archive.blobPath(entry!.digest)).length);

      const manifest = archive.json<Manifest>(entry!.digest);
      expect(manifest.mediaType).to.equal(MEDIA_TYPES.manifest);
      expect(manifest.config.mediaType).to.equal(MEDIA_TYPES.config);
      for (const d of [manifest.config, ...manifest.layers])
        expect(d.size).to.equal(readFileSync(archive.blobPath(d.digest)).length);
      expect(manifest.layers.map((l) => l.mediaType)).to.deep.equal([MEDIA_TYPES.layer, MEDIA_TYPES.layer]);

      const config = archive.json<Config>(manifest.config.digest);
      // Uncompressed layers: each diff_id is the digest of the layer's bytes.
      expect(config.rootfs).to.deep.equal({ type: 'layers', diff_ids: manifest.layers.map((l) => l.digest) });
      expect(config.history.map((h) => h.created_by)).to.deep.equal(['base', 'app']);
      expect([config.architecture, config.os]).to.deep.equal(['amd64', 'linux']);
      expect(config.config).to.deep.include({ Entrypoint: ['/bin/app'], User: '65532', WorkingDir: '/work' });
      expect(written.bytes).to.be.greaterThan(0);
    } finally {
      rmSync(archive.dir, { recursive: true, force: true });
    }
  });

  it('keeps owners and modes in the layer: /tmp 1777, a home owned by 65532, root elsewhere, epoch times', async function () {
    if (!isRoot()) this.skip();
    await build(path.join(dir, 'a'), 0o022, path.join(dir, 'image.tar'));
    const archive = openArchive(path.join(dir, 'image.tar'));
    try {
      const manifest = archive.json<Manifest>(archive.index.manifests[0]!.digest);
      const base = layerEntries(archive.blobPath(manifest.layers[0]!.digest));
      const app = layerEntries(archive.blobPath(manifest.layers[1]!.digest));
      const byName = new Map([...base, ...app].map((e) => [e.name, e]));
      expect(base.map((e) => e.name)).to.deep.equal(['etc/', 'etc/passwd', 'home/', 'home/nonroot/', 'tmp/']);
      expect(byName.get('tmp/')).to.include({ mode: 'drwxrwxrwt', owner: '0/0' });
      expect(byName.get('home/nonroot/')).to.include({ mode: 'drwx------', owner: '65532/65532' });
      expect(byName.get('etc/passwd')).to.include({ mode: '-rw-r--r--', owner: '0/0' });
      expect(byName.get('bin/app')).to.include({ mode: '-rwxr-xr-x', owner: '0/0' });
      for (const e of [...base, ...app]) expect(e.mtime).to.match(/^1970-01-01 00:00:00/);
    } finally {
      rmSync(archive.dir, { recursive: true, force: true });
    }
  });

  it('gives the same bytes for the same files, whatever the umask, times and copy', async function () {
    if (!isRoot()) this.skip();
    const first = await build(path.join(dir, 'a'), 0o022, path.join(dir, 'one.tar'));
    const second = await build(path.join(dir, 'b'), 0o077, path.join(dir, 'two.tar'));
    // A third from a copy of the first's folders (a copy loses owners: normalized again), with other times.
    const copy = path.join(dir, 'c');
    cpSync(path.join(dir, 'a'), copy, { recursive: true });
    utimesSync(path.join(copy, 'app', 'bin', 'app'), new Date(), new Date('2020-01-01'));
    normalizeLayers(path.join(copy, 'base'), path.join(copy, 'app'));
    const third = await writeOciArchive(
      'localhost/test/app:1.0',
      [
        { dir: path.join(copy, 'base'), createdBy: 'base' },
        { dir: path.join(copy, 'app'), createdBy: 'app' },
      ],
      CONFIG,
      path.join(dir, 'three.tar'),
    );
    const bytes = (name: string): Buffer => readFileSync(path.join(dir, name));
    expect(second.manifestDigest).to.equal(first.manifestDigest);
    expect(third.manifestDigest).to.equal(first.manifestDigest);
    expect(bytes('two.tar').equals(bytes('one.tar'))).to.equal(true);
    expect(bytes('three.tar').equals(bytes('one.tar'))).to.equal(true);
    expect(readdirSync(dir).sort()).to.deep.equal(['a', 'b', 'c', 'one.tar', 'three.tar', 'two.tar']); // no leftovers
  });
});
