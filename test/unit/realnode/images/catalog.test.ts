// realnode/images/catalog.ts: archives cached by their inputs (a warm run builds nothing), and the
// single-binary images (pause, CoreDNS, metrics-server) as their upstream images are configured.
import { copyFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { silentLogger } from '../../../../lib/log.ts';
import { buildImages } from '../../../../realnode/images/catalog.ts';
import { corednsRecipe, pauseRecipe } from '../../../../realnode/images/static-binaries.ts';
import { isRoot, layerEntries, openArchive, type Config, type Manifest } from './support.ts';

describe('realnode/images/catalog.ts', function () {
  this.timeout(30_000);
  let dir: string;
  let binary: string;
  beforeEach(function () {
    if (!isRoot()) this.skip();
    dir = mkdtempSync(path.join(tmpdir(), 'catalog-test-'));
    binary = path.join(dir, 'pause-3.10-bin');
    copyFileSync('/bin/true', binary);
  });
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('builds a missing archive once, then serves it from the cache; a changed input makes a new one', async () => {
    const cache = path.join(dir, 'cache');
    const log = silentLogger();
    const [cold] = await buildImages([pauseRecipe('localhost/pause:3.10', binary)], log, cache);
    const [warm] = await buildImages([pauseRecipe('localhost/pause:3.10', binary)], log, cache);
    expect(cold).to.include({ cached: false, name: 'localhost/pause:3.10' });
    expect(warm).to.include({ cached: true, archive: cold!.archive, manifestDigest: cold!.manifestDigest });
    writeFileSync(binary, 'another binary');
    const [changed] = await buildImages([pauseRecipe('localhost/pause:3.10', binary)], log, cache);
    expect(changed).to.include({ cached: false });
    expect(changed!.archive).to.not.equal(cold!.archive);
    // The old archive of the same image is gone: one archive (and its .json) per image.
    expect(readdirSync(cache).sort()).to.deep.equal([
      path.basename(changed!.archive),
      `${path.basename(changed!.archive)}.json`,
    ]);
  });

  it('makes pause FROM scratch as upstream: /pause, user 65535; CoreDNS on the base as 65532', async () => {
    const built = await buildImages(
      [pauseRecipe('localhost/pause:3.10', binary), corednsRecipe('localhost/mcp-local/coredns:v1', binary)],
      silentLogger(),
      path.join(dir, 'cache'),
    );
    const [pause, coredns] = built.map((b) => {
      const archive = openArchive(b.archive);
      const manifest = archive.json<Manifest>(archive.index.manifests[0]!.digest);
      const config = archive.json<Config>(manifest.config.digest);
      const layers = manifest.layers.map((l) => layerEntries(archive.blobPath(l.digest)));
      rmSync(archive.dir, { recursive: true, force: true });
      return { config: config.config, layers };
    });
    expect(pause!.config).to.deep.equal({ Entrypoint: ['/pause'], User: '65535:65535' });
    expect(pause!.layers).to.have.length(1);
    expect(pause!.layers[0]).to.deep.equal([
      { mode: '-rwxr-xr-x', owner: '0/0', mtime: pause!.layers[0]![0]!.mtime, name: 'pause' },
    ]);
    expect(coredns!.config).to.include({ User: '65532', WorkingDir: '/home/nonroot' });
    expect(coredns!.config.Entrypoint).to.deep.equal(['/coredns']);
    expect(coredns!.layers).to.have.length(2);
    expect(coredns!.layers[0]!.map((e) => e.name)).to.include('etc/passwd');
  });
});
