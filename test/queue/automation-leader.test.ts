// Two automation daemons on one PostgreSQL store: one elected leader fires each schedule tick, exactly once.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AutomationDaemon } from '../../src/automation/daemon.js';
import { Sluice } from '../../src/runtime/sluice.js';
import { createTestDatabase, postgresUnavailable, type TestDatabase } from '../helpers/postgres-database.js';
import { tempProject, type TempProject } from '../helpers/temp-project.js';

const skip = await postgresUnavailable();

const CONFIG = `
import { asset, defineProject } from '@sluice';
export const project = defineProject({
  name: 'ticking',
  assets: [asset({ key: 'gold/tick', sql: 'SELECT 1 AS one' })],
  schedules: [{ name: 'every_minute', cron: '* * * * *', select: 'gold/tick', missedTicks: 'all', maxCatchUp: 100 }],
});
`;

describe('automation on a PostgreSQL store', { skip }, () => {
  let warehouseDb: TestDatabase;
  let metadataDb: TestDatabase;
  let project: TempProject;
  before(async () => {
    [warehouseDb, metadataDb] = [await createTestDatabase('leader_wh'), await createTestDatabase('leader_meta')];
    project = tempProject({ 'sluice.config.ts': CONFIG });
  });
  after(async () => {
    project?.remove();
    await warehouseDb?.drop();
    await metadataDb?.drop();
  });

  it('two schedulers evaluating the same ticks at once launch each tick exactly once; a standby takes over when the leader stops', async () => {
    const env = { SLUICE_WAREHOUSE_URL: warehouseDb.url, SLUICE_METADATA_URL: metadataDb.url };
    let now = new Date('2026-01-01T00:00:30Z');
    const clock = (): Date => now;
    const [a, b] = [await Sluice.open({ dir: project.dir, env }), await Sluice.open({ dir: project.dir, env })];
    let [da, db] = [
      await AutomationDaemon.start(a, { clock, intervalMs: 0, log: () => undefined }),
      await AutomationDaemon.start(b, { clock, intervalMs: 0, log: () => undefined }),
    ];
    try {
      // The evaluation each start requests reads the clock when it runs: let it run at 00:00:30 (it fires the 00:00
      // tick, within the grace period) before the clock moves, or whether 00:00 fires depends on the machine's speed.
      await Promise.all([da.evaluate(), db.evaluate()]);
      for (let minute = 1; minute <= 12; minute++) {
        now = new Date(now.getTime() + 60_000);
        await Promise.all([da.evaluate(), db.evaluate()]);
        if (minute === 6) {
          // The leader goes away (its session ends); the standby leads from the next evaluation on.
          const leader = (await a.leadership!.holds()) ? 'a' : 'b';
          if (leader === 'a') {
            await da.stop();
            await a.leadership!.close();
          } else {
            await db.stop();
            await b.leadership!.close();
          }
          [da, db] = leader === 'a' ? [db, db] : [da, da];
        }
      }
      await Promise.all([da.idle(), db.idle()]);
      const launched = (await a.store.listEvaluations({ name: 'every_minute', limit: 1000 })).filter((e) => e.launched);
      const ticks = launched.map((e) => String(e.data.tick)).sort();
      // 00:00 through 00:12, each once.
      assert.equal(ticks.length, 13, `ticks launched: ${ticks.join(', ')}`);
      assert.equal(new Set(ticks).size, 13, 'no tick launched twice');
      assert.equal(ticks[0], '2026-01-01T00:00:00.000Z');
      const runs = await a.store.listRuns({ limit: 100 });
      assert.equal(runs.length, 13);
    } finally {
      await Promise.allSettled([da.stop(), db.stop()]);
      await Promise.allSettled([a.close(), b.close()]);
    }
  });
});
