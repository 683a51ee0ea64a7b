import { mkdtemp, mkdir, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { FileSource } from '../../../certs/file-source.ts';
import { generateRsaKeyPem } from '../../../certs/issuer.ts';
import type { ServingCertificate } from '../../../certs/source.ts';
import { silentLogger } from '../../../lib/log.ts';
import { loopbackCertificates } from '../../support/certificates.ts';

/** Lays out a directory the way the kubelet does for a Secret volume: files behind a swapped `..data` link. */
async function writeLikeKubelet(
  dir: string,
  generation: string,
  files: Record<string, string>,
): Promise<void> {
  const versioned = join(dir, `..${generation}`);
  await mkdir(versioned);
  for (const [name, text] of Object.entries(files)) await writeFile(join(versioned, name), text);
  await symlink(`..${generation}`, join(dir, '..data_tmp'));
  await rename(join(dir, '..data_tmp'), join(dir, '..data'));
  for (const name of Object.keys(files))
    await symlink(join('..data', name), join(dir, name)).catch(() => undefined);
}

function nextChange(source: FileSource, withinMs: number): Promise<ServingCertificate | 'no change'> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve('no change'), withinMs);
    const off = source.onChange((c) => {
      clearTimeout(timer);
      off();
      resolve(c);
    });
  });
}

describe('FileSource', () => {
  let dir: string;
  let source: FileSource | undefined;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'file-source-'));
  });
  afterEach(async () => {
    await source?.stop();
    source = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  it('reloads when a Secret volume swaps its ..data link', async () => {
    const first = loopbackCertificates().serving;
    const second = loopbackCertificates().serving;
    await writeLikeKubelet(dir, 'gen1', { 'tls.crt': first.certPem, 'tls.key': first.keyPem });
    source = new FileSource({ dir, pollIntervalMs: 50 }, silentLogger());
    await source.start();
    const changed = nextChange(source, 3000);
    await writeLikeKubelet(dir, 'gen2', { 'tls.crt': second.certPem, 'tls.key': second.keyPem });
    expect(await changed).to.deep.equal({ certPem: second.certPem, keyPem: second.keyPem });
  });

  it('reloads files overwritten in place, as with --cert-dir', async () => {
    const first = loopbackCertificates().serving;
    const second = loopbackCertificates().serving;
    await writeFile(join(dir, 'tls.crt'), first.certPem);
    await writeFile(join(dir, 'tls.key'), first.keyPem);
    await writeFile(join(dir, 'ca.crt'), 'the CA');
    source = new FileSource({ dir, pollIntervalMs: 50 }, silentLogger());
    await source.start();
    const changed = nextChange(source, 3000);
    await writeFile(join(dir, 'tls.crt'), second.certPem);
    expect(await changed).to.deep.equal({
      certPem: second.certPem,
      keyPem: first.keyPem,
      caBundlePem: 'the CA',
    });
  });

  it('keeps serving the last good pair when the new key does not match the certificate', async () => {
    const first = loopbackCertificates().serving;
    await writeFile(join(dir, 'tls.crt'), first.certPem);
    await writeFile(join(dir, 'tls.key'), first.keyPem);
    source = new FileSource({ dir, pollIntervalMs: 50 }, silentLogger());
    await source.start();
    const changed = nextChange(source, 500);
    await writeFile(join(dir, 'tls.key'), generateRsaKeyPem());
    expect([await changed, source.current()]).to.deep.equal([
      'no change',
      { certPem: first.certPem, keyPem: first.keyPem },
    ]);
  });

  it('fails to start when the files are missing', async () => {
    source = new FileSource({ dir }, silentLogger());
    const err = await source.start().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((err as { code?: string }).code).to.equal('ENOENT');
  });
});
