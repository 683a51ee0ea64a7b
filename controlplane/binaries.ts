// Makes sure the Go-built binaries exist, building only what is missing (build-binaries.sh skips
// components already in the cache). The build's progress lines go straight to our stderr.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from '../lib/log.ts';
import { type BinaryPaths, binaryPaths, cacheDir, readVersions, repoRoot } from './versions.ts';

export function missingBinaries(paths: BinaryPaths): string[] {
  return (Object.keys(paths) as (keyof BinaryPaths)[]).map((k) => paths[k]).filter((p) => !existsSync(p));
}

export async function ensureBinaries(log: Logger): Promise<BinaryPaths> {
  const paths = binaryPaths(readVersions());
  const missing = missingBinaries(paths);
  if (missing.length === 0) return paths;
  log.info({ missing: missing.map((m) => path.relative(cacheDir(), m)) }, 'Building control plane binaries');
  const script = path.join(repoRoot, 'controlplane', 'build-binaries.sh');
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn('bash', [script], { stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('error', reject);
    child.on('exit', resolve);
  });
  if (code !== 0) throw new Error(`${script} exited with ${code}`);
  const still = missingBinaries(paths);
  if (still.length > 0) throw new Error(`build finished but binaries are missing: ${still.join(', ')}`);
  return paths;
}
