import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { appendFileSync, copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { Sluice } from '../../src/index.js';
import { queryRows } from '../helpers/query-rows.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const exampleDir = join(root, 'examples', 'industrial-events');
const seedData = join(root, '..', 'shared', 'seed-data');

/** The example's project with its landing folder and data in a scratch folder. */
async function openWithLanding(landing: string): Promise<Sluice> {
  const scratch = dirname(landing);
  // The config reads landing/ below ctx.projectDir, so the scratch copy gets the config and SQL too.
  return Sluice.open({ dir: scratch, warehousePath: join(scratch, 'data', 'warehouse.duckdb'), metadataPath: join(scratch, 'data', 'sluice.sqlite') });
}

function scratchProject(): { dir: string; landing: string } {
  const dir = mkdtempSync(join(exampleDir, '.scratch-'));
  const landing = join(dir, 'landing');
  mkdirSync(join(dir, 'sql', 'silver'), { recursive: true });
  mkdirSync(join(dir, 'sql', 'gold'), { recursive: true });
  mkdirSync(landing);
  for (const file of ['sluice.config.ts', 'sql/silver/events.sql', 'sql/silver/assets.sql', 'sql/gold/pz_fact_combined.sql']) {
    copyFileSync(join(exampleDir, file), join(dir, file));
  }
  return { dir, landing };
}

describe('the industrial-events example', { timeout: 300_000 }, () => {
  const scratches: string[] = [];
  after(() => scratches.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
  const scratch = () => {
    const s = scratchProject();
    scratches.push(s.dir);
    return s;
  };

  it("builds a correct gold layer from the original template's real landing files, as they are", async () => {
    const { landing } = scratch();
    copyFileSync(join(seedData, 'events.csv'), join(landing, 'events.csv'));
    copyFileSync(join(seedData, 'asset.csv'), join(landing, 'asset.csv'));
    const sluice = await openWithLanding(landing);
    try {
      assert.equal((await sluice.materialize()).status, 'succeeded');
      assert.deepEqual(
        await queryRows(sluice, 'SELECT count(*) AS n, count(DISTINCT event_id) AS ids, count(asset_name) AS named FROM gold.pz_fact_combined'),
        [{ n: 180, ids: 180, named: 180 }],
      );
      const types = await queryRows(
        sluice,
        `SELECT column_name AS c, data_type AS t FROM information_schema.columns WHERE table_schema = 'gold' AND table_name = 'pz_fact_combined' ORDER BY ordinal_position`,
      );
      assert.deepEqual(
        types.map((r) => `${r.c}:${r.t}`),
        ['created_ts:TIMESTAMP', 'event_id:UUID', 'asset_id:INTEGER', 'value:INTEGER', 'hourly_partition:VARCHAR', 'asset_name:VARCHAR', 'asset_type:VARCHAR'],
      );
      const [sample] = await queryRows(
        sluice,
        `SELECT hourly_partition, asset_name FROM gold.pz_fact_combined WHERE event_id = '48527327-6fd3-4599-b242-f3de287b1e38'`,
      );
      assert.deepEqual(sample, { hourly_partition: '2025-03-18-00', asset_name: 'Mining' });
      // The asset list was delivered three times; the latest delivery wins.
      assert.deepEqual(await queryRows(sluice, `SELECT count(*) AS n, min(strftime(created_on, '%Y-%m-%d')) AS day FROM silver.assets`), [
        { n: 10, day: '2025-07-14' },
      ]);
      const ingestion = (await sluice.store.materializationHistory('bronze/events', 1))[0]!.metadata.ingestion as {
        read: number;
        accepted: number;
        quarantined: number;
        skipped: number;
      };
      assert.equal(ingestion.read, 182);
      assert.equal(ingestion.skipped, 2, 'the two repeated header lines are recognised and counted');
      assert.equal(ingestion.accepted + ingestion.quarantined + ingestion.skipped, ingestion.read);
    } finally {
      await sluice.close();
    }
  });

  it('keeps every event exactly once however often batches are re-delivered or the pipeline re-run', async () => {
    const { landing } = scratch();
    const simulate = (...args: string[]) => {
      const result = spawnSync(process.execPath, ['--import', 'tsx', join(exampleDir, 'scripts', 'simulate.ts'), '--landing', landing, ...args], {
        cwd: root,
        encoding: 'utf8',
      });
      assert.equal(result.status, 0, result.stderr);
    };
    simulate();
    simulate();
    simulate('--redeliver');
    const sluice = await openWithLanding(landing);
    try {
      await sluice.materialize();
      await sluice.materialize();
      assert.deepEqual(await queryRows(sluice, 'SELECT count(*) AS n, count(DISTINCT event_id) AS ids FROM gold.pz_fact_combined'), [{ n: 120, ids: 120 }]);
      assert.deepEqual(await queryRows(sluice, 'SELECT count(*) AS n FROM bronze.events'), [{ n: 180 }]);
      const checks = await sluice.store.latestCheckResults('gold/pz_fact_combined');
      assert.ok(
        checks.every((c) => c.passed),
        JSON.stringify(checks.filter((c) => !c.passed)),
      );
    } finally {
      await sluice.close();
    }
  });

  it('keeps events of unknown assets with a null name, flags them, and quarantines malformed lines with a reason', async () => {
    const { landing } = scratch();
    copyFileSync(join(seedData, 'asset.csv'), join(landing, 'asset.csv'));
    // Within the 5 % error budget: one bad line among the seed's 180 good ones.
    copyFileSync(join(seedData, 'events.csv'), join(landing, 'events.csv'));
    appendFileSync(
      join(landing, 'events.csv'),
      'created_ts,event_id,asset_id,value\n' +
        '2025-03-18 01:00:00,0b7d3c1e-93e5-4a55-9a51-6f1f6a0e0c01,99,12\n' +
        '2025-03-18 01:01:00,not-a-uuid,3,12\n' +
        '2025-03-18 01:02:00,0b7d3c1e-93e5-4a55-9a51-6f1f6a0e0c02,3,12\n',
    );
    const sluice = await openWithLanding(landing);
    try {
      const result = await sluice.materialize();
      assert.equal(result.status, 'succeeded');
      assert.deepEqual(
        await queryRows(sluice, `SELECT asset_id, asset_name FROM gold.pz_fact_combined WHERE starts_with(event_id::VARCHAR, '0b7d3c1e') ORDER BY created_ts`),
        [
          { asset_id: 99, asset_name: null },
          { asset_id: 3, asset_name: 'Steel Manufacturing' },
        ],
      );
      const flagged = (await sluice.store.latestCheckResults('gold/pz_fact_combined')).find((c) => c.checkName === 'event_asset_known')!;
      assert.equal(flagged.passed, false);
      assert.equal(flagged.failingCount, 1);
      const quarantine = await queryRows(sluice, 'SELECT _line_number, _error_type, _raw_line FROM bronze.events_quarantine');
      assert.equal(quarantine.length, 1);
      assert.equal(quarantine[0]!._line_number, 186);
      assert.match(String(quarantine[0]!._error_type), /bad_cast/);
      assert.match(String(quarantine[0]!._raw_line), /not-a-uuid/);
    } finally {
      await sluice.close();
    }
  });
});
