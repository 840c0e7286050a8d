// `sluice init [DIR]`: scaffolds a working project (bronze/silver/gold SQL over a bundled CSV, with checks).
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { SluiceError } from '../../errors.js';
import { PROJECT_TEMPLATE, type TemplateFile } from '../init/project-template.js';

/** The Sluice package this CLI runs from (dist/cli/commands or src/cli/commands are three levels below it). */
const SLUICE_PACKAGE_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** What `initProject` did. */
export interface InitResult {
  dir: string;
  written: string[];
  /** Set when the folder could not import 'sluice' and was linked to the Sluice that ran the command. */
  linkedSluice?: string;
}

/**
 * Writes a new project into `dir` (created if needed). Refuses to overwrite anything.
 * @example const { written } = initProject('my-warehouse');
 */
export function initProject(dir: string): InitResult {
  const target = resolve(dir);
  const packageJsonPath = join(target, 'package.json');
  const packageJson = existsSync(packageJsonPath) ? (JSON.parse(readFileSync(packageJsonPath, 'utf8')) as { type?: string }) : undefined;
  // The config uses import.meta.url, so it must load as an ES module: .mts when the package is CommonJS.
  const configName = packageJson && packageJson.type !== 'module' ? 'sluice.config.mts' : 'sluice.config.ts';
  const files: TemplateFile[] = PROJECT_TEMPLATE.map((file) => (file.path === 'sluice.config.ts' ? { ...file, path: configName } : file));

  const existingConfig = ['sluice.config.ts', 'sluice.config.mts', 'sluice.config.js', 'sluice.config.mjs'].find((name) => existsSync(join(target, name)));
  if (existingConfig)
    throw new SluiceError(
      'PROJECT_EXISTS',
      `"${join(target, existingConfig)}" exists: ${target} is a Sluice project already; run \`sluice init\` in an empty folder or pass a new one (sluice init my-warehouse)`,
    );
  const clashes = files.filter((file) => existsSync(join(target, file.path))).map((file) => file.path);
  if (clashes.length > 0)
    throw new SluiceError('PROJECT_EXISTS', `sluice init would overwrite ${clashes.join(', ')} in ${target}; move them away or pick another folder`);

  const written: string[] = [];
  const write = (path: string, content: string): void => {
    mkdirSync(dirname(join(target, path)), { recursive: true });
    writeFileSync(join(target, path), content, { flag: 'wx' });
    written.push(path);
  };
  if (!packageJson) {
    const name =
      basename(target)
        .toLowerCase()
        .replace(/[^a-z0-9-_.]/g, '-') || 'my-warehouse';
    write(
      'package.json',
      `${JSON.stringify({ name, private: true, type: 'module', scripts: { materialize: 'sluice materialize', dev: 'sluice dev' } }, null, 2)}\n`,
    );
  }
  for (const file of files) write(file.path, file.content);
  const linkedSluice = canImportSluice(target) ? undefined : linkSluice(target);
  return { dir: target, written, ...(linkedSluice ? { linkedSluice } : {}) };
}

/** Whether `import 'sluice'` resolves from `dir` (a node_modules/sluice in it or a parent). */
function canImportSluice(dir: string): boolean {
  for (let current = dir; ; current = dirname(current)) {
    if (existsSync(join(current, 'node_modules', 'sluice', 'package.json'))) return true;
    if (dirname(current) === current) return false;
  }
}

/**
 * Makes `import 'sluice'` and `npx sluice` work in a folder outside any npm project, the way `npm link` would:
 * node_modules/sluice points at the Sluice that ran `init`. `npm install sluice` later replaces it.
 */
function linkSluice(dir: string): string {
  mkdirSync(join(dir, 'node_modules', '.bin'), { recursive: true });
  symlinkSync(SLUICE_PACKAGE_DIR, join(dir, 'node_modules', 'sluice'), 'dir');
  symlinkSync(join('..', 'sluice', 'bin', 'sluice.js'), join(dir, 'node_modules', '.bin', 'sluice'));
  return SLUICE_PACKAGE_DIR;
}

export function configureInitCommand(program: Command): void {
  program
    .command('init')
    .argument('[dir]', 'folder of the new project (created if missing)', '.')
    .action((dir: string) => {
      const result = initProject(dir);
      const shown = relative(process.cwd(), result.dir) || '.';
      const lines = [`Created a Sluice project in ${result.dir}:`, ...result.written.map((path) => `  ${path}`)];
      if (result.linkedSluice)
        lines.push(`  node_modules/sluice -> ${result.linkedSluice} (no 'sluice' package was installed here; \`npm install sluice\` replaces the link)`);
      lines.push(
        '',
        'Next:',
        ...(shown === '.' ? [] : [`  cd ${shown}`]),
        '  npx sluice materialize     # builds bronze -> silver -> gold into data/warehouse.duckdb',
        '  npx sluice query "SELECT * FROM gold.daily_revenue"',
        '  npx sluice dev             # the web UI',
      );
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
