// Child: the metadata store at scale: event appends per second, materializations recorded per second, then
// `sluice list` and lineage queries over a project of N assets with M materializations.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { defineProject, Sluice } from '../../src/index.js';
import { lineageText } from '../../src/cli/commands/lineage.js';
import { LocalClient } from '../../src/api/local-client.js';
import { listAssets } from '../../src/cli/commands/list.js';
import { computeAssetStatuses } from '../../src/runtime/asset-status.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { scratchDir } from '../lib/paths.js';
import { emitResult, scenarioArgs, timed } from '../lib/scenario-io.js';
import { dagParents, seededRandom, syntheticDeclaredAssets, syntheticKey } from '../lib/synthetic-dag.js';

interface Args {
  assets: number;
  materializationsPerAsset: number;
  events: number;
  reps: number;
  lineageSamples: number;
}

const args = scenarioArgs<Args>();
const dir = scratchDir('store');
const metadataPath = join(dir, 'sluice.sqlite');
const parents = dagParents('random', args.assets);
const keys = parents.map((_, i) => syntheticKey(i));
const columnStats = ['origin', 'flight_date', 'flights'].map((name) => ({ name, type: 'VARCHAR', nullCount: 0, distinctApprox: 120, min: 'ABE', max: 'YUM' }));
const schema = columnStats.map((c) => ({ name: c.name, type: c.type, nullable: true }));

try {
  const store = SqliteStore.open({ path: metadataPath });
  // Events as a run writes them: one row per call, each its own commit.
  const appendMs: number[] = [];
  for (let rep = 0; rep < args.reps; rep++) {
    const runId = `events-${rep}`;
    await store.createRun({ id: runId, selection: '*', assetKeys: [] });
    const [ms] = await timed(async () => {
      for (let i = 0; i < args.events; i++) {
        await store.appendEvent({
          runId,
          type: 'asset_succeeded',
          assetKey: keys[i % keys.length]!,
          level: 'info',
          message: 'materialized 3 rows in 12 ms',
          data: { durationMs: 12, rowCount: 3, dataVersion: 'abc', attempts: 1 },
        });
      }
    });
    appendMs.push(ms);
    await store.setRunStatus(runId, 'succeeded');
  }

  // The same rows through one cached prepared statement: SQLite's own ceiling for one-commit-per-event appends.
  const rawAppendMs: number[] = [];
  const raw = new Database(metadataPath);
  raw.pragma('journal_mode = WAL');
  raw.pragma('synchronous = NORMAL');
  const insert = raw.prepare(`INSERT INTO events (run_id, ts, type, asset_key, level, message, data) VALUES (?, ?, ?, ?, ?, ?, ?)`);
  for (let rep = 0; rep < args.reps; rep++) {
    const data = { durationMs: 12, rowCount: 3, dataVersion: 'abc', attempts: 1 };
    const [ms] = await timed(() => {
      for (let i = 0; i < args.events; i++)
        insert.run(
          `events-${rep}`,
          new Date().toISOString(),
          'asset_succeeded',
          keys[i % keys.length]!,
          'info',
          'materialized 3 rows in 12 ms',
          JSON.stringify(data),
        );
    });
    rawAppendMs.push(ms);
  }
  raw.close();

  // One run per round materializes every asset in dependency order, as `materialize '*'` would.
  const recordMs: number[] = [];
  for (let round = 0; round < args.materializationsPerAsset; round++) {
    const runId = `run-${round}`;
    await store.createRun({ id: runId, selection: '*', assetKeys: keys });
    const [ms] = await timed(async () => {
      for (let i = 0; i < keys.length; i++) {
        const inputVersions = Object.fromEntries(parents[i]!.map((p) => [keys[p]!, `${keys[p]}@${round}`]));
        await store.recordMaterialization({
          runId,
          assetKey: keys[i]!,
          rowCount: 3,
          durationMs: 12,
          codeVersion: '1',
          dataVersion: `${keys[i]}@${round}`,
          schema,
          sql: 'SELECT 1 AS x',
          metadata: { inputVersions, columnStats, kind: 'table' },
        });
      }
    });
    recordMs.push(ms);
    await store.setRunStatus(runId, 'succeeded');
  }
  // 1% of assets failed after their last success, so `list` has failures to merge.
  await store.createRun({ id: 'failures', selection: '*', assetKeys: [] });
  for (let i = 0; i < keys.length; i += 100)
    await store.appendEvent({ runId: 'failures', type: 'asset_failed', assetKey: keys[i]!, level: 'error', message: 'boom', data: {} });
  await store.setRunStatus('failures', 'failed');
  await store.close();

  // `sluice list` on a project of declared assets (no SQL to parse) whose metadata is the store above.
  const project = defineProject({
    name: 'store-bench',
    assets: syntheticDeclaredAssets('random', args.assets),
    warehouse: { path: ':memory:' },
    metadata: { path: metadataPath },
  });
  const [openMs, sluice] = await timed(() => Sluice.open({ dir, project }));
  const graph = sluice.project.graph;
  // What `sluice list` runs on a project it opened: the API's asset listing, called in process.
  const client = await LocalClient.open(sluice);
  const list = { listMs: [] as number[], latestMs: [] as number[], failuresMs: [] as number[], statusMs: [] as number[] };
  let listed = 0;
  for (let rep = 0; rep < args.reps; rep++) {
    const [listMs, listing] = await timed(() => listAssets(client));
    const [latestMs, latest] = await timed(() => sluice.store.latestMaterializations());
    const [failuresMs, failures] = await timed(() => sluice.store.latestAssetFailures());
    const [statusMs] = await timed(() => computeAssetStatuses(graph, latest, failures));
    Object.entries({ listMs, latestMs, failuresMs, statusMs }).forEach(([k, v]) => list[k as keyof typeof list].push(v));
    listed = listing.length;
  }

  // Lineage: transitive closures (what `+key` / `key+` selections and the UI's highlight need) and the CLI's tree.
  const random = seededRandom(7);
  const sample = Array.from({ length: args.lineageSamples }, () => keys[Math.floor(random() * keys.length)]!);
  const lineage = {
    upstreamMs: [] as number[],
    downstreamMs: [] as number[],
    upstreamSize: [] as number[],
    downstreamSize: [] as number[],
    treeMs: [] as number[],
    historyMs: [] as number[],
  };
  for (const key of sample) {
    const [upstreamMs, up] = await timed(() => graph.upstreamOf(key));
    const [downstreamMs, down] = await timed(() => graph.downstreamOf(key));
    const [historyMs] = await timed(() => sluice.store.materializationHistory(key, 100));
    Object.entries({ upstreamMs, downstreamMs, historyMs, upstreamSize: up.size, downstreamSize: down.size }).forEach(([k, v]) =>
      lineage[k as keyof typeof lineage].push(v),
    );
  }
  // `sluice lineage KEY` draws the whole up- and downstream tree; a few keys suffice, it is the slowest query.
  for (const key of sample.slice(0, Math.min(10, sample.length))) lineage.treeMs.push((await timed(() => lineageText(graph, key)))[0]);
  await sluice.close();

  emitResult({
    assets: args.assets,
    materializations: args.assets * args.materializationsPerAsset,
    events: args.events,
    edges: parents.reduce((sum, p) => sum + p.length, 0),
    appendMs,
    rawAppendMs,
    recordMs,
    openMs,
    listed,
    ...list,
    ...lineage,
  });
} finally {
  rmSync(dir, { recursive: true, force: true });
}
