// Compiles the server entry scripts (and what they import) to JavaScript with the project's tsc, so the
// servers run as a packaged operator would and as Pepr's bundle does. Running from source costs no CPU per
// review but does cost memory: Node's type stripper (amaro, WebAssembly) stays loaded, about 20-30 MB of
// RSS, which the bench reports separately for ours. The output goes under the repository's .cache/ (not
// MCP_OPERATOR_CACHE) because the compiled files import the repository's node_modules by walking up.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from '../../controlplane/versions.ts';

const run = promisify(execFile);
export const COMPILED_DIR = path.join(repoRoot, '.cache', 'bench', 'compiled');

/** The compiled path of a .ts file of this repository (or of `root`, compiled under its own .cache/). */
export const compiledPath = (file: string, root: string = repoRoot): string =>
  path.join(compiledDir(root), path.relative(root, file)).replace(/\.ts$/, '.js');

const compiledDir = (root: string): string =>
  root === repoRoot ? COMPILED_DIR : path.join(root, '.cache', 'bench', 'compiled');

/** Compiles entries of this repository, or of another tree of it (root) with this repository's tsc. */
export async function compileServers(entries: string[], root: string = repoRoot): Promise<void> {
  const tsc = path.join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');
  // The erasable-syntax settings of tsconfig.json; files named on the command line ignore it.
  const options = ['--ignoreConfig', '--outDir', compiledDir(root), '--rootDir', root]
    .concat(['--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2024'])
    .concat(['--rewriteRelativeImportExtensions', '--allowImportingTsExtensions', '--resolveJsonModule'])
    .concat(['--skipLibCheck', '--types', 'node', '--noCheck']);
  await run(process.execPath, [tsc, ...options, ...entries], { cwd: root });
}
