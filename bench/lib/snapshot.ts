// Copies the code a run measures to a scratch folder: other people edit the shared working tree during a long run,
// and a file saved half-written there must not break or change the run midway.
import { cpSync, mkdirSync, readdirSync, symlinkSync } from 'node:fs';
import { join, relative } from 'node:path';
import { REPO_ROOT, scratchDir } from './paths.js';

const COPIED = ['package.json', 'tsconfig.json', 'tsconfig.build.json', 'src', 'bin', 'scripts', 'bench', 'examples', 'ui'];
/** Generated data is not code: warehouses, landing files, earlier results and the built UI stay behind. */
const SKIPPED = /^(examples\/[^/]+\/(data|landing|node_modules)|bench\/results|ui\/dist)$/;

/**
 * The working tree's code as it is now, in a fresh folder whose node_modules links to the repository's packages.
 * @example const root = snapshotWorkingTree(); // run root/bench/measure.ts from there
 */
export function snapshotWorkingTree(): string {
  const root = scratchDir('snapshot');
  for (const entry of COPIED) {
    cpSync(join(REPO_ROOT, entry), join(root, entry), {
      recursive: true,
      filter: (source) => !SKIPPED.test(relative(REPO_ROOT, source).split('\\').join('/')),
    });
  }
  // The repository's packages, except that `sluice` (what the examples import) is the snapshot itself.
  mkdirSync(join(root, 'node_modules'));
  for (const entry of readdirSync(join(REPO_ROOT, 'node_modules'))) {
    symlinkSync(entry === 'sluice' ? root : join(REPO_ROOT, 'node_modules', entry), join(root, 'node_modules', entry), 'dir');
  }
  return root;
}
