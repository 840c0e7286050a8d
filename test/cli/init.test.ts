import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { SLUICE_BIN } from '../helpers/temp-project.js';

const root = mkdtempSync(join(tmpdir(), 'sluice-init-'));

function run(command: string, args: string[], cwd: string) {
  // npm_command would otherwise be inherited from `npm test`; npx sets its own.
  const env = { ...process.env, NO_COLOR: '1', npm_command: undefined, INIT_CWD: undefined };
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', env });
  return { code: result.status, out: result.stdout, err: result.stderr };
}
const sluice = (cwd: string, ...args: string[]) => run(process.execPath, [SLUICE_BIN, ...args], cwd);

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
