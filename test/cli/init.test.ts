import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import pg from 'pg';
import { createTestDatabase, postgresUnavailable } from '../helpers/postgres-database.js';
import { SLUICE_BIN } from '../helpers/temp-project.js';

const root = mkdtempSync(join(tmpdir(), 'sluice-init-'));

const pgSkip = await postgresUnavailable();

function run(command: string, args: string[], cwd: string, extraEnv: Record<string, string> = {}) {
  // npm_command would otherwise be inherited from `npm test`; npx sets its own.
  const env = { ...process.env, NO_COLOR: '1', npm_command: undefined, INIT_CWD: undefined, ...extraEnv };
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', env });
  return { code: result.status, out: result.stdout, err: result.stderr };
}
const sluice = (cwd: string, ...args: string[]) => run(process.execPath, [SLUICE_BIN, ...args], cwd);
const sluiceWith = (env: Record<string, string>, cwd: string, ...args: string[]) => run(process.execPath, [SLUICE_BIN, ...args], cwd, env);

describe('sluice init', () => {
  after(() => rmSync(root, { recursive: true, force: true }));

  it('scaffolds a project in a new folder that sluice materialize builds at once, checks included', () => {
    const init = sluice(root, 'init', 'shop');
    assert.equal(init.code, 0, init.err);
    assert.match(init.out, /Created a Sluice project/);
    const dir = join(root, 'shop');
    for (const file of ['sluice.config.ts', 'sql/silver/orders.sql', 'landing/orders.csv', '.gitignore', 'package.json'])
      assert.ok(existsSync(join(dir, file)), file);
    assert.match(readFileSync(join(dir, '.gitignore'), 'utf8'), /^data\/$/m);

    const build = sluice(dir, 'materialize');
    assert.equal(build.code, 0, build.out + build.err);
    assert.match(build.out, /4 succeeded/);
    const query = sluice(dir, 'query', 'SELECT sum(orders) AS orders, count(*) AS days FROM gold.daily_revenue', '--json');
    assert.deepEqual(JSON.parse(query.out), [{ orders: 12, days: 4 }]);
    const check = sluice(dir, 'check');
    assert.equal(check.code, 0, check.out + check.err);
  });

  it('the scaffolded SQL is portable: the same project builds on a PostgreSQL warehouse, checks included', { skip: pgSkip }, async () => {
    const init = sluice(root, 'init', 'shop-pg');
    assert.equal(init.code, 0, init.err);
    const dir = join(root, 'shop-pg');
    const database = await createTestDatabase('init_pg');
    try {
      const env = { SLUICE_WAREHOUSE_URL: database.url, SLUICE_METADATA_URL: database.url };
      const build = sluiceWith(env, dir, 'materialize');
      assert.equal(build.code, 0, build.out + build.err);
      assert.match(build.out, /4 succeeded/);
      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      try {
        const { rows } = await client.query('SELECT sum(orders)::int AS orders, count(*)::int AS days FROM gold.daily_revenue');
        assert.deepEqual(rows, [{ orders: 12, days: 4 }]);
      } finally {
        await client.end();
      }
      const check = sluiceWith(env, dir, 'check');
      assert.equal(check.code, 0, check.out + check.err);
    } finally {
      await database.drop();
    }
  });

  it('refuses to write over an existing project and names the file', () => {
    const again = sluice(root, 'init', 'shop');
    assert.equal(again.code, 2);
    assert.match(again.err, /sluice\.config\.ts" exists/);
  });

  it('refuses to overwrite a file it would write, and writes nothing', () => {
    const busy = mkdtempSync(join(root, 'busy-'));
    writeFileSync(join(busy, '.gitignore'), 'mine\n');
    const result = sluice(busy, 'init');
    assert.equal(result.code, 2);
    assert.match(result.err, /would overwrite \.gitignore/);
    assert.equal(readFileSync(join(busy, '.gitignore'), 'utf8'), 'mine\n');
    assert.ok(!existsSync(join(busy, 'sluice.config.ts')));
  });

  it('npx sluice opens the project of the folder it is typed in, not the nearest package folder', () => {
    const parent = join(root, 'shop');
    const child = join(parent, 'events');
    assert.equal(sluice(parent, 'init', 'events').code, 0);
    const build = run('npx', ['sluice', 'materialize', '--select', 'bronze/orders'], child);
    assert.equal(build.code, 0, build.out + build.err);
    assert.ok(existsSync(join(child, 'data', 'warehouse.duckdb')), 'the child project was built');
    const version = run('npx', ['sluice', '--version'], child);
    assert.equal(version.out.trim(), JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version);
  });
});
