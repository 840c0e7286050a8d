// The seed's own pipeline, done right: landing CSVs that source systems append to (header lines, re-deliveries
// and all) become a gold table holding every event exactly once, however often files arrive or runs repeat.
import { join } from 'node:path';
import { asset, checks, defineProject, duckDbCompute, ingestCsv, sqlAssets, type CsvColumn } from 'sluice';

/**
 * Bronze from every landing file of one kind; bad lines go to a quarantine table published with it. On a PostgreSQL
 * warehouse the ingestion runs on an in-process DuckDB and both tables are loaded with COPY (`duckDbCompute`).
 */
function landingAsset(key: string, pattern: string, columns: CsvColumn[], description: string) {
  return asset({
    key,
    group: key.endsWith('events') ? 'fact_ingestion' : 'dim_ingestion',
    description,
    tags: { layer: 'bronze', source: 'landing' },
    codeVersion: '1',
    compute: duckDbCompute(async (ctx) => {
      const name = key.split('/')[1]!;
      const result = await ingestCsv(ctx.sql, {
        files: [join(ctx.projectDir, 'landing', pattern)],
        columns,
        target: ctx.target,
        quarantine: ctx.sideOutput(`${name}_quarantine`),
        errorBudgetPercent: 5,
      });
      ctx.addMetadata({ ingestion: result });
      ctx.log.info(
        `read ${result.read} lines from ${result.files} file(s): ${result.accepted} accepted, ${result.quarantined} quarantined, ${result.skipped} skipped`,
        { ...result },
      );
    }),
  });
}

const bronzeEvents = landingAsset(
  'bronze/events',
  'events*.csv',
  [
    { name: 'created_ts', type: 'TIMESTAMP', required: true },
    { name: 'event_id', type: 'UUID', required: true },
    { name: 'asset_id', type: 'INTEGER', required: true },
    { name: 'value', type: 'INTEGER' },
  ],
  'Every event line delivered to landing/events*.csv, typed; re-deliveries kept as delivered.',
);

const bronzeAssets = landingAsset(
  'bronze/assets',
  'asset*.csv',
  [
    { name: 'asset_id', type: 'INTEGER', required: true },
    { name: 'asset_name', type: 'VARCHAR', required: true },
    { name: 'asset_type', type: 'VARCHAR' },
    { name: 'created_on', type: 'TIMESTAMP', required: true },
  ],
  'Every asset line delivered to landing/asset*.csv (the whole list is re-delivered each time).',
);

export const project = defineProject({
  name: 'industrial-events',
  assets: [bronzeEvents, bronzeAssets, sqlAssets(new URL('./sql', import.meta.url))],
  checks: {
    'silver/events': [checks.unique('event_id'), checks.notNull(['event_id', 'created_ts', 'asset_id'])],
    'silver/assets': [checks.unique('asset_id'), checks.notNull(['asset_id', 'asset_name'])],
    'gold/pz_fact_combined': [
      checks.unique('event_id'),
      checks.reconciliation('count(*)', { to: 'silver/events', expression: 'count(*)' }, { name: 'every_event_exactly_once' }),
      checks.notNull('asset_name', {
        name: 'event_asset_known',
        severity: 'warn',
        description: 'events whose asset is not (yet) in the asset list are kept with a null name',
      }),
    ],
  },
});
