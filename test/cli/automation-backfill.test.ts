// `sluice backfill` as a real process: progress per partition, SIGKILL midway, and a resume that redoes only what was not done.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { SLUICE_SRC, tempProject } from '../helpers/temp-project.js';

const CONFIG = `import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { asset, dailyPartitions, defineProject } from '@sluice';
export const project = defineProject({ assets: [
  asset({ key: 'raw/seed', sql: 'SELECT 1 AS x' }),
  asset({
    key: 'gold/daily', partitions: dailyPartitions({ start: '2001-01-01' }), partitionColumn: 'day', deps: [],
    compute: async (ctx) => {
      await new Promise((resolve) => setTimeout(resolve, 250));
      if (existsSync(join(ctx.projectDir, 'fail-' + ctx.partition))) throw new Error('no data for ' + ctx.partition);
      await ctx.sql.exec(\`CREATE TABLE \${ctx.target} AS SELECT CAST($1 AS DATE) AS day, 1 AS n\`, [ctx.partition]);
    },
  }),
] });`;

/** Runs the CLI from source (no build needed); resolves with its exit code and output. */
function sluice(
  cwd: string,
  args: string[],
  onStdout?: (text: string, child: ReturnType<typeof spawn>) => void,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  const main = JSON.stringify(join(SLUICE_SRC, '..', 'cli', 'main.ts'));
  const script = `const { main } = await import(${main}); process.exitCode = await main(['node', 'sluice', ...process.argv.slice(1)]);`;
  const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), '--input-type=module', '-e', script, '--', ...args], {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    onStdout?.(stdout, child);
  });
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr })));
}

describe('sluice backfill', () => {
  const project = tempProject({ 'sluice.config.ts': CONFIG });
  after(() => project.remove());
  const partitionsBuilt = async () => {
    const store = SqliteStore.open({ path: join(project.dir, 'data', 'sluice.sqlite') });
    try {
      const counts = new Map<string, number>();
      for (const m of await store.materializationHistory('gold/daily', 1000)) counts.set(m.partition!, (counts.get(m.partition!) ?? 0) + 1);
      return { counts, backfills: await store.listBackfills() };
    } finally {
      await store.close();
    }
  };

  it('resumes after SIGKILL with the partitions not yet done, redoing none that were', async () => {
    const args = ['backfill', '--select', 'gold/daily', '--from', '2001-01-01', '--to', '2001-01-10'];
    const killed = await sluice(project.dir, args, (out, child) => {
      if ((out.match(/succeeded in/g) ?? []).length >= 3) child.kill('SIGKILL');
    });
    assert.equal(killed.signal, 'SIGKILL', killed.stdout + killed.stderr);
    assert.match(killed.stdout, /backfill [0-9a-f-]{36}: 10 partition\(s\) of gold\/daily from 2001-01-01 to 2001-01-10/);
    assert.match(killed.stdout, /\[ 1\/10\] 2001-01-01 succeeded in (\d+ ms|\d+\.\d s)\n/);
    const before = await partitionsBuilt();
    const doneBeforeKill = [...killed.stdout.matchAll(/\] (\S+) succeeded in/g)].map((m) => m[1]!);
    assert.ok(doneBeforeKill.length >= 3);
    assert.equal(before.backfills[0]!.status, 'running', 'the record says where it stopped');

    const resumed = await sluice(project.dir, args);
    assert.equal(resumed.code, 0, resumed.stdout + resumed.stderr);
    const id = before.backfills[0]!.id;
    assert.match(resumed.stdout, new RegExp(`resuming backfill ${id}: ${doneBeforeKill.length} of 10 partition\\(s\\) already done`));
    assert.match(resumed.stdout, new RegExp(`backfill ${id} succeeded: 10 of 10 partition\\(s\\) succeeded`));
    for (const partition of doneBeforeKill) assert.doesNotMatch(resumed.stdout, new RegExp(`\\] ${partition} `), `${partition} was done before the kill`);

    const after = await partitionsBuilt();
    assert.equal(after.counts.size, 10, 'every partition is materialized and recorded separately');
    for (const partition of doneBeforeKill) assert.equal(after.counts.get(partition), 1, `${partition} was built once`);
    assert.equal(after.backfills[0]!.status, 'succeeded');
  });

  it('keeps going past a failed partition, exits 1, and a rerun redoes only the failed one', async () => {
    project.write('fail-2001-01-12', '');
    const args = ['backfill', '--select', 'gold/daily', '--from', '2001-01-11', '--to', '2001-01-13'];
    const failed = await sluice(project.dir, args);
    assert.equal(failed.code, 1, failed.stdout + failed.stderr);
    assert.match(failed.stdout, /\[2\/3\] 2001-01-12 failed in \d+ ms: .*no data for 2001-01-12 \(run [0-9a-f-]{36}\)/);
    assert.match(failed.stdout, /\[3\/3\] 2001-01-13 succeeded/);
    assert.match(failed.stderr, /run the same command again: only partitions not done are rebuilt/);
    project.write('fail-2001-01-12', '');
    await import('node:fs').then(({ rmSync }) => rmSync(join(project.dir, 'fail-2001-01-12')));
    const rerun = await sluice(project.dir, args);
    assert.equal(rerun.code, 0, rerun.stdout + rerun.stderr);
    assert.match(rerun.stdout, /resuming backfill [0-9a-f-]{36}: 2 of 3 partition\(s\) already done\n\[2\/3\] 2001-01-12 succeeded/);
  });

  it('refuses a selection with unpartitioned assets, naming them and the fix', async () => {
    const result = await sluice(project.dir, ['backfill', '--select', 'raw/seed,gold/daily', '--from', '2001-01-01', '--to', '2001-01-02']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /includes unpartitioned asset\(s\) "raw\/seed".*sluice materialize --select raw\/seed/);
  });
});
