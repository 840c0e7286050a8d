// A small project with everything the operations pages show: an ingestion with quarantine, daily partitions, a failing check, a quarantine asset.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { tempProject, type TempProject } from '../helpers/temp-project.js';

const CONFIG = `
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { asset, checks, dailyPartitions, defineProject, ingestCsv } from '@sluice';

export const project = defineProject({
  name: 'operations',
  assets: [
    asset({
      key: 'raw/events', group: 'ingest',
      columnLineage: { ts: ['file:events.csv.ts'], amount: ['file:events.csv.amount'] },
      compute: async (ctx) => {
        const result = await ingestCsv(ctx.sql, {
          files: [join(ctx.projectDir, 'events.csv')],
          columns: [{ name: 'ts', type: 'TIMESTAMP', required: true }, { name: 'amount', type: 'INTEGER' }],
          target: ctx.target, quarantine: ctx.sideOutput('events_quarantine'), errorBudgetPercent: 60,
        });
        ctx.addMetadata({ ingestion: result });
      },
    }),
    asset({
      key: 'raw/negative_quarantine', group: 'ingest',
      sql: "SELECT ts, amount, 'negative amount' AS reject_reason FROM raw.events WHERE amount < 0",
    }),
    asset({
      key: 'daily/amounts', group: 'daily', partitions: dailyPartitions({ start: '2001-01-01', end: '2001-01-11' }), partitionColumn: 'day',
      deps: ['raw/events'],
      compute: async (ctx) => {
        while (existsSync(join(ctx.projectDir, 'hold'))) {
          if (ctx.signal.aborted) throw new Error('canceled while held');
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        await ctx.sql.exec(\`CREATE TABLE \${ctx.target} AS SELECT CAST(ts AS DATE) AS day, sum(amount) AS amount FROM raw.events
          WHERE CAST(ts AS DATE) = CAST('\${ctx.partition}' AS DATE) GROUP BY 1\`);
      },
    }),
    asset({
      key: 'mart/summary', group: 'mart', sql: 'SELECT count(*) AS events, sum(amount) AS total FROM raw.events',
      checks: [
        checks.rowCount({ min: 1 }),
        checks.customSql('total_under_ten', 'SELECT * FROM {{ this }} WHERE total >= 10', { blocking: false }),
      ],
    }),
  ],
});
`;

/** events.csv: 4 good rows (one with a negative amount), a bad cast, a missing required value and a blank line. */
export const EVENTS_CSV = 'ts,amount\n2001-01-01 10:00:00,5\n2001-01-02 10:00:00,7\n2001-01-03 10:00:00,-1\nnot a time,3\n2001-01-04 10:00:00,4\n,2\n\n';

/** The fixture folder, and a switch that makes daily/amounts wait (until released or canceled). */
export function operationsProject(): TempProject & { hold(held: boolean): void } {
  const project = tempProject({ 'sluice.config.ts': CONFIG, 'events.csv': EVENTS_CSV });
  return { ...project, hold: (held) => (held ? project.write('hold', '') : rmSync(join(project.dir, 'hold'), { force: true })) };
}
