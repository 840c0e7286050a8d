// `sluice automation` and `sluice backfill` with SLUICE_METADATA_URL on PostgreSQL: their state lands there, no SQLite file is made.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { automationList, automationSwitch } from '../../src/cli/commands/automation.js';
import { backfillCommand } from '../../src/cli/commands/backfill.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { createTestDatabase, postgresUnavailable, type TestDatabase } from '../helpers/postgres-database.js';
import { SLUICE_SRC, tempProject, type TempProject } from '../helpers/temp-project.js';

const skip = await postgresUnavailable();

const CONFIG = `import { asset, dailyPartitions, defineProject } from '@sluice';
export const project = defineProject({
  assets: [
    asset({ key: 'gold/daily', partitions: dailyPartitions({ start: '2024-01-01', end: '2024-01-08' }), partitionColumn: 'day', sql: 'SELECT CAST($partition_key AS DATE) AS day' }),
  ],
  schedules: [{ name: 'nightly', cron: '0 3 * * *', select: 'gold/daily' }],
});`;

/** The CLI from source in a process of its own, with `env` added to this one's. */
function cli(cwd: string, args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const main = JSON.stringify(join(SLUICE_SRC, '..', 'cli', 'main.ts'));
  const script = `const { main } = await import(${main}); process.exitCode = await main(['node', 'sluice', ...process.argv.slice(1)]);`;
  const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), '--input-type=module', '-e', script, '--', ...args], {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
}

describe('sluice automation and sluice backfill on a PostgreSQL metadata store', { skip }, () => {
  let metadataDb: TestDatabase;
  let project: TempProject;
  const saved = process.env.SLUICE_METADATA_URL;

  before(async () => {
    metadataDb = await createTestDatabase('cli_meta');
    project = tempProject({ 'sluice.config.ts': CONFIG });
    // What the CLI reads: the commands below run in this process as `sluice` would.
    process.env.SLUICE_METADATA_URL = metadataDb.url;
  });
  after(async () => {
    if (saved === undefined) delete process.env.SLUICE_METADATA_URL;
    else process.env.SLUICE_METADATA_URL = saved;
    project?.remove();
    await metadataDb?.drop();
  });

  const inPostgres = async <T>(read: (store: PostgresStore) => Promise<T>): Promise<T> => {
    const store = await PostgresStore.open({ url: metadataDb.url });
    try {
      return await read(store);
    } finally {
      await store.close();
    }
  };

  it('switches a schedule off in PostgreSQL, where every scheduler reads it, and lists it from there', async () => {
    const off = await cli(project.dir, ['automation', 'off', 'nightly'], { SLUICE_METADATA_URL: metadataDb.url });
    assert.equal(off.code, 0, off.stderr);
    assert.deepEqual(
      (await inPostgres((store) => store.automationStates())).map((s) => [s.name, s.enabled]),
      [['nightly', false]],
    );
    assert.deepEqual(
      (await automationList({ project: project.dir })).map((r) => [r.name, r.enabled]),
      [['nightly', false]],
    );
    await automationSwitch({ project: project.dir }, 'nightly', true);
    assert.equal((await inPostgres((store) => store.automationStates()))[0]!.enabled, true);
    assert.equal(existsSync(join(project.dir, 'data', 'sluice.sqlite')), false, 'no SQLite store was created');
  });

  it('records a backfill and its partitions in PostgreSQL', async () => {
    const quiet = new Writable({ write: (_chunk, _encoding, done) => done() });
    const backfill = await backfillCommand({ project: project.dir, select: 'gold/daily', from: '2024-01-02', to: '2024-01-04' }, quiet);
    assert.equal(backfill.status, 'succeeded');
    const [recorded] = await inPostgres((store) => store.listBackfills());
    assert.equal(recorded?.id, backfill.id);
    const partitions = await inPostgres((store) => store.materializedPartitions('gold/daily'));
    assert.deepEqual([...partitions].sort(), ['2024-01-02', '2024-01-03', '2024-01-04']);
    assert.equal(existsSync(join(project.dir, 'data', 'sluice.sqlite')), false, 'no SQLite store was created');
  });
});
