import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, describe, it } from 'node:test';
import { SLUICE_BIN } from '../helpers/temp-project.js';

// A module hook that writes down every module the CLI process resolves, so a test can see what a command imported.
const dir = mkdtempSync(join(tmpdir(), 'sluice-lazy-cli-'));
writeFileSync(
  join(dir, 'hooks.mjs'),
  `import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  appendFileSync(process.env.SLUICE_TEST_MODULES, resolved.url + '\\n');
  return resolved;
}`,
);
writeFileSync(join(dir, 'register.mjs'), `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(join(dir, 'hooks.mjs')).href)});\n`);
// CommonJS packages loaded with require() (DuckDB's API, pino) never pass the hook: written down at exit instead.
writeFileSync(
  join(dir, 'required.cjs'),
  `process.on('exit', () => require('node:fs').appendFileSync(process.env.SLUICE_TEST_MODULES, Object.keys(require.cache).map((path) => require('node:url').pathToFileURL(path).href + '\\n').join('')));\n`,
);

let runs = 0;
/** Runs the CLI and returns its output with the modules it resolved. */
function sluice(...args: string[]): { code: number | null; out: string; modules: string[] } {
  const record = join(dir, `modules-${runs++}.txt`);
  writeFileSync(record, '');
  const result = spawnSync(
    process.execPath,
    ['--require', join(dir, 'required.cjs'), '--import', pathToFileURL(join(dir, 'register.mjs')).href, SLUICE_BIN, ...args],
    {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1', SLUICE_TEST_MODULES: record },
    },
  );
  return { code: result.status, out: result.stdout + result.stderr, modules: readFileSync(record, 'utf8').split('\n').filter(Boolean) };
}

const commandModules = (modules: string[]): string[] =>
  modules.filter((url) => /\/cli\/commands\//.test(url)).map((url) => url.replace(/^.*\/cli\/commands\//, ''));
const heavy = (modules: string[]): string[] =>
  modules.filter((url) => /\/(runtime|server|engine|store)\/|@duckdb|better-sqlite3|[/]hono[/]|[/]zod[/]/.test(url));

describe('the sluice CLI imports only the command it runs', () => {
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('--help lists every command with its description without importing any command module', () => {
    const { code, out, modules } = sluice('--help');
    assert.equal(code, 0, out);
    for (const line of [
      'list  ',
      'list assets with group, kind, dependencies and last',
      'materialize',
      'run  ',
      "show a run's status and event log",
      'access',
      'policies: check them, compile them',
    ]) {
      assert.ok(out.includes(line), `help lacks "${line}":\n${out}`);
    }
    assert.deepEqual(commandModules(modules), []);
    assert.deepEqual(heavy(modules), []);
  });

  it('--version prints the version without the runtime, DuckDB, SQLite or the server', () => {
    const { code, out, modules } = sluice('--version');
    assert.equal(code, 0, out);
    assert.match(out.trim(), /^\d+\.\d+\.\d+/);
    assert.deepEqual(commandModules(modules), []);
    assert.deepEqual(heavy(modules), []);
  });

  it("`sluice help run` and `sluice run --help` load that command's module and show its own arguments and options", () => {
    for (const args of [
      ['help', 'run'],
      ['run', '--help'],
    ]) {
      const { code, out, modules } = sluice(...args);
      assert.equal(code, 0, out);
      assert.match(out, /Usage: sluice run \[options\] <runId>/);
      assert.match(out, /show a run's status and event log/);
      assert.match(out, /--json/);
      assert.deepEqual(
        commandModules(modules).map((m) => m.replace(/\.(js|ts)$/, '')),
        ['runs'],
      );
    }
  });

  it('a project command loads neither zod nor the HTTP app unless it reads through the API', () => {
    const init = sluice('init', 'lazy-shop');
    assert.equal(init.code, 0, init.out);
    const project = ['--project', join(dir, 'lazy-shop')];
    const server = (modules: string[]): string[] => modules.filter((url) => /\/server\/(app|routes)|[/]hono[/]|[/]zod[/]/.test(url));
    // The config imports the package: its index exports the access error, which no longer pulls the validator (zod).
    const list = sluice('list', ...project);
    assert.equal(list.code, 0, list.out);
    assert.deepEqual(
      server(list.modules).filter((url) => url.includes('/zod/')),
      [],
    );
    // Once its SQL is analysed (remembered in data/.cache), nor DuckDB: the listing reads definitions and run history;
    // nor pino: no project is opened, so no logger is made.
    const warm = sluice('list', ...project);
    assert.equal(warm.code, 0, warm.out);
    assert.deepEqual(
      warm.modules.filter((url) => /@duckdb|[/]pino[/]/.test(url)),
      [],
    );
    const build = sluice('materialize', ...project);
    assert.equal(build.code, 0, build.out);
    assert.match(build.out, /4 succeeded/);
    assert.deepEqual(server(build.modules), []);
    // A read goes through the app, which is then loaded.
    const query = sluice('query', 'SELECT count(*) AS n FROM gold.daily_revenue', '--json', ...project);
    assert.equal(query.code, 0, query.out);
    assert.ok(server(query.modules).some((url) => url.includes('/server/app.')));
  });

  it('a subcommand of a group runs from its module, and an unknown command is still refused with usage', () => {
    const group = sluice('access', '--help');
    assert.equal(group.code, 0, group.out);
    assert.match(group.out, /check \[options\]/);
    assert.match(group.out, /compile \[options\]/);
    const unknown = sluice('lisst');
    assert.equal(unknown.code, 2);
    assert.match(unknown.out, /unknown command 'lisst'[\s\S]*Did you mean list\?/);
  });
});
