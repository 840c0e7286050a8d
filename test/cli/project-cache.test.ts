// The caches under data/.cache (the compiled config, the SQL analyses) make `sluice list` fast; they must never make it
// wrong. Each test edits, deletes or corrupts something and checks that the next `sluice list` shows the project as it
// now is. The project imports `sluice` as an installed user's does (node_modules/sluice -> this checkout's dist/).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, beforeEach, describe, test } from 'node:test';
import { SLUICE_BIN, tempProject, type TempProject } from '../helpers/temp-project.js';

const REPO = dirname(dirname(SLUICE_BIN));

const CONFIG = (extra = ''): string => `import { asset, defineProject, sqlAssets } from 'sluice';
import { extraAssets } from './more/assets.ts';

export const project = defineProject({
  name: 'cached',
  assets: [
    asset({ key: 'raw/numbers', sql: 'SELECT range AS n FROM range(3)' }),
    sqlAssets(new URL('./sql', import.meta.url)),
    ...extraAssets,${extra}
  ],
});
`;

const MORE = (key: string): string => `import { asset } from 'sluice';
export const extraAssets = [asset({ key: '${key}', sql: 'SELECT n FROM clean.doubled' })];
`;

const DOUBLED = 'SELECT n * 2 AS n FROM raw.numbers';

interface Listed {
  key: string;
  deps: string[];
  group?: string;
}

let project: TempProject;
let cache: string;

function list(): Listed[] {
  const result = spawnSync(process.execPath, [SLUICE_BIN, 'list', '--json'], { cwd: project.dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  assert.equal(result.status, 0, result.stderr);
  return (JSON.parse(result.stdout) as Listed[]).map(({ key, deps }) => ({ key, deps }));
}

function listFails(): string {
  const result = spawnSync(process.execPath, [SLUICE_BIN, 'list', '--json'], { cwd: project.dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  assert.notEqual(result.status, 0, result.stdout);
  return result.stderr;
}

const depsOf = (listing: Listed[], key: string): string[] | undefined => listing.find((a) => a.key === key)?.deps;
const compiledCopies = (): string[] => readdirSync(cache).filter((f) => /^config-.*\.mjs$/.test(f));
const sqlHash = (sql: string): string => createHash('sha256').update(sql).digest('base64url');

describe('the project caches of sluice list', () => {
  beforeEach(() => {
    project?.remove();
    project = tempProject({ 'sluice.config.ts': CONFIG(), 'more/assets.ts': MORE('mart/extra'), 'sql/clean/doubled.sql': DOUBLED });
    // As after `npm install sluice`: the package's built entry, not this checkout's sources.
    mkdirSync(join(project.dir, 'node_modules'));
    symlinkSync(REPO, join(project.dir, 'node_modules', 'sluice'), 'dir');
    cache = join(project.dir, 'data', '.cache');
  });
  after(() => project?.remove());

  test('a first list compiles and remembers; a second one reads the caches without rewriting them', () => {
    const first = list();
    assert.deepEqual(first, [
      { key: 'raw/numbers', deps: [] },
      { key: 'clean/doubled', deps: ['raw/numbers'] },
      { key: 'mart/extra', deps: ['clean/doubled'] },
    ]);
    assert.equal(compiledCopies().length, 1, 'the config is kept compiled');
    const written = ['config.json', 'sql-analyses.json'].map((f) => statSync(join(cache, f)).mtimeMs);
    assert.deepEqual(list(), first);
    assert.deepEqual(
      ['config.json', 'sql-analyses.json'].map((f) => statSync(join(cache, f)).mtimeMs),
      written,
    );
  });

  test('with warm caches, sluice list loads neither tsx, nor DuckDB, nor the HTTP app', () => {
    list();
    // A resolve hook writes down every module the process resolves.
    project.write(
      'hooks/hooks.mjs',
      `import { appendFileSync } from 'node:fs';\nexport async function resolve(specifier, context, next) {\n  const resolved = await next(specifier, context);\n  appendFileSync(process.env.SLUICE_TEST_MODULES, resolved.url + '\\n');\n  return resolved;\n}\n`,
    );
    project.write('hooks/register.mjs', `import { register } from 'node:module';\nregister(new URL('./hooks.mjs', import.meta.url));\n`);
    const record = join(project.dir, 'hooks', 'modules.txt');
    writeFileSync(record, '');
    const result = spawnSync(process.execPath, ['--import', join(project.dir, 'hooks', 'register.mjs'), SLUICE_BIN, 'list'], {
      cwd: project.dir,
      encoding: 'utf8',
      env: { ...process.env, SLUICE_TEST_MODULES: record },
    });
    assert.equal(result.status, 0, result.stderr);
    const modules = readFileSync(record, 'utf8').split('\n').filter(Boolean);
    assert.ok(
      modules.some((url) => url.includes('/data/.cache/config-')),
      'the compiled config was imported',
    );
    assert.deepEqual(
      modules.filter((url) => /@duckdb|[/]tsx[/]|[/]esbuild[/]|[/]hono[/]|[/]server[/]app\.js/.test(url)),
      [],
    );
  });

  test('an edited SQL file changes the inferred dependencies', () => {
    list();
    project.write('sql/clean/doubled.sql', 'SELECT 2 AS n');
    assert.deepEqual(depsOf(list(), 'clean/doubled'), []);
    project.write('sql/clean/doubled.sql', DOUBLED);
    assert.deepEqual(depsOf(list(), 'clean/doubled'), ['raw/numbers']);
  });

  test('a deleted SQL file removes its asset, and its analysis leaves the cache', () => {
    project.write('sql/clean/tripled.sql', 'SELECT n * 3 AS n FROM raw.numbers');
    assert.deepEqual(depsOf(list(), 'clean/tripled'), ['raw/numbers']);
    assert.match(readFileSync(join(cache, 'sql-analyses.json'), 'utf8'), new RegExp(sqlHash('SELECT n * 3 AS n FROM raw.numbers')));
    rmSync(join(project.dir, 'sql', 'clean', 'tripled.sql'));
    assert.equal(depsOf(list(), 'clean/tripled'), undefined);
    assert.doesNotMatch(readFileSync(join(cache, 'sql-analyses.json'), 'utf8'), new RegExp(sqlHash('SELECT n * 3 AS n FROM raw.numbers')));
  });

  test('an edited config, and an edited module it imports, are compiled again', () => {
    list();
    project.write('sluice.config.ts', CONFIG(`\n    asset({ key: 'mart/added', sql: 'SELECT * FROM clean.doubled' }),`));
    assert.deepEqual(depsOf(list(), 'mart/added'), ['clean/doubled']);
    project.write('more/assets.ts', MORE('mart/renamed'));
    const listing = list();
    assert.deepEqual(depsOf(listing, 'mart/renamed'), ['clean/doubled']);
    assert.equal(depsOf(listing, 'mart/extra'), undefined);
  });

  test('a deleted module the config imports fails the load instead of showing the old definitions', () => {
    list();
    rmSync(join(project.dir, 'more', 'assets.ts'));
    assert.match(listFails(), /more\/assets/);
  });

  test('corrupt, truncated or tampered cache files are ignored and rebuilt', () => {
    const expected = list();
    writeFileSync(join(cache, 'config.json'), '{ not json');
    writeFileSync(join(cache, 'sql-analyses.json'), '\u0000\u0001garbage');
    assert.deepEqual(list(), expected);
    // A compiled copy that no longer matches its recorded hash (half written, or edited) is never imported.
    const [copy] = compiledCopies();
    writeFileSync(join(cache, copy!), `export const project = { kind: 'sluice-project', name: 'tampered', assets: [] };`);
    writeFileSync(join(cache, 'sql-analyses.json'), JSON.stringify({ format: 1, key: 'x', entries: { a: 'not an entry' } }));
    assert.deepEqual(list(), expected);
    rmSync(cache, { recursive: true });
    assert.deepEqual(list(), expected);
    assert.ok(existsSync(join(cache, 'config.json')));
  });

  test('a package a module of a subfolder imports is re-resolved when a node_modules folder appears beside it', () => {
    const pkg = (where: string, group: string): void => {
      project.write(`${where}/node_modules/grouppkg/package.json`, JSON.stringify({ name: 'grouppkg', type: 'module', main: 'index.js' }));
      project.write(`${where}/node_modules/grouppkg/index.js`, `export const group = '${group}';`);
    };
    pkg('.', 'from_root');
    project.write(
      'more/assets.ts',
      `import { asset } from 'sluice';\nimport { group } from 'grouppkg';\nexport const extraAssets = [asset({ key: 'mart/extra', group, sql: 'SELECT 1' })];\n`,
    );
    const groupOf = (): string | undefined => {
      const result = spawnSync(process.execPath, [SLUICE_BIN, 'list', '--json'], { cwd: project.dir, encoding: 'utf8' });
      assert.equal(result.status, 0, result.stderr);
      return (JSON.parse(result.stdout) as Listed[]).find((a) => a.key === 'mart/extra')?.group;
    };
    assert.equal(groupOf(), 'from_root');
    assert.equal(compiledCopies().length, 1);
    // Node resolves more/assets.ts's import from more/node_modules now: so must the next list.
    pkg('more', 'from_more');
    assert.equal(groupOf(), 'from_more');
  });

  test('a module that reads its own import.meta, or imports a computed path, is loaded through tsx, not compiled', () => {
    const groupOf = (): string | undefined => {
      const result = spawnSync(process.execPath, [SLUICE_BIN, 'list', '--json'], { cwd: project.dir, encoding: 'utf8' });
      assert.equal(result.status, 0, result.stderr);
      return (JSON.parse(result.stdout) as Listed[]).find((a) => a.key === 'mart/extra')?.group;
    };
    // Compiled into data/.cache, this module's import.meta.url would name the cache folder: its group would be wrong.
    project.write(
      'more/assets.ts',
      `import { asset } from 'sluice';\nconst group = new URL('.', import.meta.url).pathname.split('/').filter(Boolean).at(-1)!;\nexport const extraAssets = [asset({ key: 'mart/extra', group, sql: 'SELECT 1' })];\n`,
    );
    assert.equal(groupOf(), 'more');
    assert.equal(compiledCopies().length, 0);
    project.write(
      'more/assets.ts',
      `import { asset } from 'sluice';\nconst name = './group.ts';\nconst { group } = (await import(name)) as { group: string };\nexport const extraAssets = [asset({ key: 'mart/extra', group, sql: 'SELECT 1' })];\n`,
    );
    project.write('more/group.ts', `export const group: string = 'computed';\n`);
    assert.equal(groupOf(), 'computed');
    assert.equal(compiledCopies().length, 0);
  });

  test('analyses written under another DuckDB version (or parse-tree code) are not used', () => {
    list();
    const file = join(cache, 'sql-analyses.json');
    const content = JSON.parse(readFileSync(file, 'utf8')) as { key: string; entries: Record<string, unknown> };
    // The entry of the current SQL text, but wrong, under the key another DuckDB version would have written.
    content.key = content.key.replace(/^(\d+):[^:]+:/, '$1:0.0.1-older:');
    content.entries[sqlHash(DOUBLED)] = [[{ schema: 'mart', name: 'extra' }], []];
    writeFileSync(file, JSON.stringify(content));
    assert.deepEqual(depsOf(list(), 'clean/doubled'), ['raw/numbers']);
    assert.notEqual((JSON.parse(readFileSync(file, 'utf8')) as { key: string }).key, content.key);
  });
});
