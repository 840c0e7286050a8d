// The flights demo end to end: every gold column traced to its sources, and every OpenLineage event of a full run conforming to the spec.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { Sluice } from '../../src/index.js';
import { DuckDbWarehouse } from '../../src/engine/duckdb/duckdb-warehouse.js';
import { loadColumnLineage } from '../../src/lineage/load-column-lineage.js';
import type { ColumnTraceNode, ProjectColumnLineage } from '../../src/lineage/project-column-lineage.js';
import type { OpenLineageRunEvent } from '../../src/lineage/openlineage/openlineage-types.js';
import { openLineageValidator } from './openlineage-validator.js';
import { queryRows } from '../helpers/query-rows.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const exampleDir = join(root, 'examples', 'flights');
const vegaData = join(root, 'node_modules', 'vega-datasets', 'data');
const FLIGHTS = `file:${join(vegaData, 'flights-3m.parquet')}`;
const AIRPORTS = `file:${join(vegaData, 'airports.csv')}`;
const REGIONS = 'file:seeds/state_regions.csv';

/** The source columns (files, or columns that read nothing) a trace ends at, as `table.column`. */
function leaves(node: ColumnTraceNode): string[] {
  if (node.next.length === 0) return [`${node.asset ?? node.table}.${node.column}`];
  return [...new Set(node.next.flatMap(leaves))].sort();
}

/** Every gold column and the source file columns it is computed from; [] for count(*). */
const GOLD_SOURCES: Record<string, Record<string, string[]>> = {
  'gold/airport_daily_delays': {
    origin: [`${FLIGHTS}.origin`],
    flight_date: [`${FLIGHTS}.date`],
    flights: [],
    delayed_flights: [`${FLIGHTS}.delay`],
    avg_delay_min: [`${FLIGHTS}.delay`],
    total_distance_mi: [`${FLIGHTS}.distance`],
  },
  'gold/region_monthly_summary': {
    region: [`${REGIONS}.region`],
    month: [`${FLIGHTS}.date`],
    flights: [],
    delayed_flights: [`${FLIGHTS}.delay`],
    avg_delay_min: [`${FLIGHTS}.delay`],
    pct_delayed: [`${FLIGHTS}.delay`],
  },
  'gold/flights_enriched': {
    departed_at: [`${FLIGHTS}.date`],
    flight_date: [`${FLIGHTS}.date`],
    origin: [`${FLIGHTS}.origin`],
    destination: [`${FLIGHTS}.destination`],
    delay_min: [`${FLIGHTS}.delay`],
    distance_mi: [`${FLIGHTS}.distance`],
    is_delayed: [`${FLIGHTS}.delay`],
    origin_name: [`${AIRPORTS}.name`],
    origin_city: [`${AIRPORTS}.city`],
    origin_state: [`${AIRPORTS}.state`],
    origin_region: [`${REGIONS}.region`],
    destination_name: [`${AIRPORTS}.name`],
    destination_city: [`${AIRPORTS}.city`],
    destination_state: [`${AIRPORTS}.state`],
    destination_region: [`${REGIONS}.region`],
  },
};

function assertGoldLineage(lineage: ProjectColumnLineage): void {
  for (const [key, columns] of Object.entries(GOLD_SOURCES)) {
    assert.deepEqual(
      lineage.asset(key).columns.map((c) => c.name),
      Object.keys(columns),
      `${key} columns`,
    );
    for (const [column, sources] of Object.entries(columns)) {
      const expected = sources.length > 0 ? sources : [`${key}.${column}`];
      assert.deepEqual(leaves(lineage.trace(key, column)), expected, `${key}.${column}`);
    }
  }
}

/** A comparable digest of a project's column lineage: every column's direct sources. */
function digest(lineage: ProjectColumnLineage): string[] {
  return [...lineage.assets.values()]
    .flatMap((a) => a.columns.map((c) => `${a.key}.${c.name} <- ${c.sources.map((s) => `${s.table}.${s.column}:${s.transform}`).join(',')}`))
    .sort();
}

describe('flights demo column lineage before anything is built', () => {
  it('traces every gold column to the source files from the definitions alone (inferred columns of unbuilt upstreams)', async () => {
    const project = await Sluice.load({ dir: exampleDir });
    const warehouse = await DuckDbWarehouse.open({ path: ':memory:', fileSearchPath: exampleDir });
    try {
      const lineage = await loadColumnLineage(project.graph, warehouse);
      assertGoldLineage(lineage);
      for (const asset of lineage.assets.values()) assert.deepEqual(asset.warnings, [], `${asset.key} has no warnings`);
    } finally {
      await warehouse.close();
    }
  });
});

describe('the flights demo with OpenLineage to a file', { timeout: 600_000 }, () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'sluice-ol-flights-'));
  const logFile = join(dataDir, 'openlineage.jsonl');
  let sluice: Sluice;
  let runId: string;
  let runMs: number;
  let events: OpenLineageRunEvent[];
  let unbuiltDigest: string[];

  before(async () => {
    const project = await Sluice.load({ dir: exampleDir });
    const scratch = await DuckDbWarehouse.open({ path: ':memory:', fileSearchPath: exampleDir });
    unbuiltDigest = digest(await loadColumnLineage(project.graph, scratch));
    await scratch.close();
    sluice = await Sluice.open({
      dir: exampleDir,
      warehousePath: join(dataDir, 'warehouse.duckdb'),
      metadataPath: join(dataDir, 'sluice.sqlite'),
      openLineage: { transport: { type: 'file', path: logFile } },
    });
    const started = performance.now();
    const result = await sluice.materialize();
    runMs = performance.now() - started;
    assert.equal(result.status, 'succeeded', JSON.stringify(result.assets.filter((a) => a.status !== 'succeeded')));
    runId = result.runId;
    await sluice.openLineage!.flush();
    events = readFileSync(logFile, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as OpenLineageRunEvent);
  });
  after(async () => {
    await sluice?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('emits a START and a COMPLETE per asset and for the run, every one valid against the official schemas and facet schemas', (t) => {
    const validate = openLineageValidator();
    for (const event of events) assert.deepEqual(validate(event), [], `${event.eventType} ${event.job.name}`);
    const keys = [...sluice.project.graph.keys()];
    assert.equal(events.length, 2 * keys.length + 2);
    for (const key of keys) {
      const own = events.filter((e) => e.job.name === key);
      assert.deepEqual(
        own.map((e) => e.eventType),
        ['START', 'COMPLETE'],
        key,
      );
      assert.equal(own[0]!.run.runId, own[1]!.run.runId);
      assert.equal((own[1]!.run.facets!.parent as unknown as { run: { runId: string } }).run.runId, runId);
    }
    assert.deepEqual(
      events.filter((e) => e.job.name === 'flights').map((e) => [e.eventType, e.run.runId]),
      [
        ['START', runId],
        ['COMPLETE', runId],
      ],
    );
    assert.equal(events[0]!.job.name, 'flights', 'the run starts first');
    assert.equal(events.at(-1)!.job.name, 'flights', 'the run completes last');
    const stats = sluice.openLineage!.stats;
    t.diagnostic(
      `run ${Math.round(runMs)} ms; ${stats.built} events built in ${Math.round(stats.buildMs)} ms off the run's path; ${stats.delivered} delivered`,
    );
  });

  it('describes gold.region_monthly_summary with its SQL, schema, row count, version and column lineage down to silver.flights.delay_min', () => {
    const complete = events.find((e) => e.eventType === 'COMPLETE' && e.job.name === 'gold/region_monthly_summary')!;
    const namespace = `duckdb://${join(dataDir, 'warehouse.duckdb')}`;
    assert.match(String(complete.job.facets!.sql!.query), /avg\(CAST\(f\.delay_min AS DOUBLE PRECISION\)\) AS avg_delay_min/);
    assert.deepEqual(complete.job.facets!.jobType, { ...complete.job.facets!.jobType, processingType: 'BATCH', integration: 'SLUICE', jobType: 'ASSET' });
    assert.deepEqual(
      complete.inputs.map((d) => [d.namespace, d.name]),
      [
        [namespace, 'silver.airports'],
        [namespace, 'silver.flights'],
      ],
    );
    const [output] = complete.outputs;
    assert.equal(output!.name, 'gold.region_monthly_summary');
    assert.equal(output!.outputFacets!.outputStatistics!.rowCount, 32);
    assert.deepEqual(
      (output!.facets!.schema!.fields as { name: string }[]).map((f) => f.name),
      ['region', 'month', 'flights', 'delayed_flights', 'avg_delay_min', 'pct_delayed'],
    );
    const lineage = output!.facets!.columnLineage as unknown as {
      fields: Record<string, { inputFields: unknown[] }>;
      dataset: { name: string; field: string }[];
    };
    assert.deepEqual(lineage.fields.avg_delay_min!.inputFields, [
      { namespace, name: 'silver.flights', field: 'delay_min', transformations: [{ type: 'DIRECT', subtype: 'AGGREGATION' }] },
    ]);
    assert.ok(
      lineage.dataset.some((f) => f.name === 'silver.airports' && f.field === 'iata'),
      'the join key shapes the rows',
    );
    const latest = sluice.store.latestMaterializations();
    return latest.then((m) =>
      assert.equal((output!.facets!.version as unknown as { datasetVersion: string }).datasetVersion, m.get('gold/region_monthly_summary')!.dataVersion),
    );
  });

  it("carries each asset's check results as the dataQualityAssertions facet of its output", () => {
    const complete = events.find((e) => e.eventType === 'COMPLETE' && e.job.name === 'silver/flights')!;
    const facet = complete.outputs[0]!.facets!.dataQualityAssertions as unknown as { assertions: { assertion: string; success: boolean; column?: string }[] };
    assert.deepEqual(facet.assertions.map((a) => `${a.assertion}:${a.column ?? '-'}:${a.success}`).sort(), [
      'accepted_range:delay_min:true',
      'accepted_range:distance_mi:true',
      'not_null:-:true',
      'relationships:destination:true',
      'relationships:origin:true',
    ]);
  });

  it('gives the distinct counts that were counted exactly in the dataQualityMetrics facet, and leaves estimates out', async () => {
    const complete = events.find((e) => e.eventType === 'COMPLETE' && e.job.name === 'silver/flights')!;
    const metrics = (complete.outputs[0]!.facets!.dataQualityMetrics as unknown as { columnMetrics: Record<string, { distinctCount?: number }> }).columnMetrics;
    const [exact] = await queryRows(sluice, 'SELECT count(DISTINCT origin) AS origin, count(DISTINCT is_delayed) AS is_delayed FROM silver.flights');
    // A few hundred airports and a boolean are counted exactly; ~214,000 departure times are estimated.
    assert.equal(metrics.origin!.distinctCount, Number(exact!.origin));
    assert.equal(metrics.is_delayed!.distinctCount, Number(exact!.is_delayed));
    assert.equal(metrics.departed_at!.distinctCount, undefined);
  });

  it('names the parquet file as the input of bronze.flights, with the declared column lineage', () => {
    const complete = events.find((e) => e.eventType === 'COMPLETE' && e.job.name === 'bronze/flights')!;
    assert.equal(complete.job.facets!.sql, undefined, 'a TypeScript compute has no SQL facet');
    assert.deepEqual(
      complete.inputs.map((d) => [d.namespace, d.name]),
      [['file', join(vegaData, 'flights-3m.parquet')]],
    );
    const lineage = complete.outputs[0]!.facets!.columnLineage as unknown as { fields: Record<string, { inputFields: { name: string; field: string }[] }> };
    assert.deepEqual(
      lineage.fields.delay!.inputFields.map((f) => [f.name, f.field]),
      [[join(vegaData, 'flights-3m.parquet'), 'delay']],
    );
    assert.equal(complete.outputs[0]!.outputFacets!.outputStatistics!.rowCount, 3_000_000);
  });

  it('finds the same column lineage from the published warehouse as from the definitions, and traces every gold column', async () => {
    const lineage = await loadColumnLineage(sluice.project.graph, sluice.warehouse);
    assertGoldLineage(lineage);
    assert.deepEqual(digest(lineage), unbuiltDigest);
  });
});
