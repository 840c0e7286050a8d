// One behaviour contract every warehouse adapter passes: each adapter's test file calls runWarehouseContract().
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runChecks } from '../../src/checks/run-check.js';
import { checks } from '../../src/model/check-definition.js';
import { quoteQualified, type QualifiedName } from '../../src/model/asset-key.js';
import type { Warehouse, WarehouseSession } from '../../src/engine/warehouse.js';

/** How the contract reaches an adapter. */
export interface WarehouseContractAdapter {
  name: string;
  /** A reason to skip the whole suite (e.g. the database server is not reachable), or false. */
  skip: string | false;
  /** An empty warehouse, and how to remove it afterwards. */
  open(): Promise<{ warehouse: Warehouse; cleanup(): Promise<void> }>;
}

const t = (name: string): QualifiedName => ({ schema: 'wc', name });

/** Every warehouse adapter behaves the same: run once per adapter. */
export function runWarehouseContract(adapter: WarehouseContractAdapter): void {
  describe(`${adapter.name} warehouse contract`, { skip: adapter.skip }, () => {
    let warehouse: Warehouse;
    let session: WarehouseSession;
    let cleanup: () => Promise<void>;
    before(async () => {
      ({ warehouse, cleanup } = await adapter.open());
      session = await warehouse.session();
      await session.ensureSchema('wc');
      await session.ensureSchema('wc');
    });
    after(async () => {
      session?.close();
      await warehouse?.close();
      await cleanup?.();
    });

    const rows = (sql: string): Promise<Record<string, unknown>[]> => session.query(sql);
    const stage = async (target: QualifiedName, sql: string, params?: Record<string, unknown>): Promise<QualifiedName> => {
      const staging = await session.stagingName(target, 'run-1');
      await session.stageQuery(staging, sql, params);
      return staging;
    };

    it('a staged table is published in one swap, replacing the old version and its columns', async () => {
      const target = t('swapped');
      await session.publishTable(await stage(target, 'SELECT 1 AS a'), target);
      const staging = await stage(target, `SELECT 2 AS a, 'x' AS b`);
      assert.deepEqual(await rows('SELECT * FROM wc.swapped'), [{ a: 1 }], 'readers see the old version until the publish');
      await session.publishTable(staging, target);
      assert.deepEqual(await rows('SELECT * FROM wc.swapped'), [{ a: 2, b: 'x' }]);
      assert.deepEqual(
        (await session.describe(target))!.map((c) => c.name),
        ['a', 'b'],
      );
      assert.equal(await session.describe(staging), undefined, 'the staging name is gone');
    });

    it('views that read a table keep working after the table is replaced', async () => {
      const base = t('base_table');
      await session.publishTable(await stage(base, 'SELECT 1 AS v'), base);
      await session.publishView(t('reads_base'), 'SELECT v * 10 AS v10 FROM wc.base_table');
      await session.publishView(t('reads_view'), 'SELECT v10 + 1 AS v11 FROM wc.reads_base');
      await session.publishTable(await stage(base, 'SELECT 2 AS v'), base);
      assert.deepEqual(await rows('SELECT * FROM wc.reads_view'), [{ v11: 21 }]);
    });

    it('publishes a table over a view and a view over a table, each in place', async () => {
      const target = t('shape_shifter');
      await session.publishView(target, 'SELECT 1 AS from_view');
      await session.publishTables([{ staging: await stage(target, 'SELECT 2 AS from_table'), target }]);
      assert.deepEqual(await rows('SELECT * FROM wc.shape_shifter'), [{ from_table: 2 }]);
      await session.publishView(target, 'SELECT 3 AS from_view_again');
      assert.deepEqual(await rows('SELECT * FROM wc.shape_shifter'), [{ from_view_again: 3 }]);
      await session.publishView(target, `SELECT 'four' AS replaced_view, 4 AS n`);
      assert.deepEqual(await rows('SELECT * FROM wc.shape_shifter'), [{ replaced_view: 'four', n: 4 }]);
    });

    it('a publish that fails part-way changes none of its targets', async () => {
      const first = t('pair_a');
      await session.publishTable(await stage(first, 'SELECT 1 AS version'), first);
      await session.publishView(t('pair_b'), 'SELECT 1 AS version');
      const staging = await stage(first, 'SELECT 2 AS version');
      const missing = t('__sluice_stage_never_created');
      await assert.rejects(
        session.publishTables([
          { staging, target: first },
          { staging: missing, target: t('pair_b') },
        ]),
      );
      assert.deepEqual(await rows('SELECT * FROM wc.pair_a'), [{ version: 1 }]);
      assert.deepEqual(await rows('SELECT * FROM wc.pair_b'), [{ version: 1 }]);
      assert.ok(await session.describe(staging), 'the staging table is still there to drop');
      await session.dropRelation(staging);
    });

    it('a failing view definition leaves the published table in place', async () => {
      const target = t('keeps');
      await session.publishTable(await stage(target, 'SELECT 1 AS v'), target);
      await assert.rejects(session.publishView(target, 'SELECT * FROM wc.no_such_table'));
      assert.deepEqual(await rows('SELECT * FROM wc.keeps'), [{ v: 1 }]);
    });

    it('named parameters are bound where used, and left alone inside strings and comments', async () => {
      const target = t('params');
      const sql = `SELECT $run_id AS run, '$run_id' AS literal, $partition_key AS k -- $partition_key
        , $run_id AS again`;
      await session.publishTable(await stage(target, sql, { run_id: 'r-1', partition_key: "it's" }), target);
      assert.deepEqual(await rows('SELECT * FROM wc.params'), [{ run: 'r-1', literal: '$run_id', k: "it's", again: 'r-1' }]);
      assert.deepEqual(await warehouse.sqlParameters(sql), ['run_id', 'partition_key']);
    });

    it('rows from JavaScript are staged with types inferred, quotes, commas, newlines and nulls intact', async () => {
      const target = t('from_js');
      const staging = await session.stagingName(target, 'run-js');
      const input = [
        { id: 1, name: 'plain', score: 1.5, ok: true },
        { id: 2, name: 'with "quotes", commas\nand a newline', score: null, ok: false },
        { id: 3, name: null, score: 3, ok: null },
      ];
      await session.stageRows(staging, input);
      await session.publishTable(staging, target);
      assert.deepEqual(await rows('SELECT * FROM wc.from_js ORDER BY id'), input);
      await assert.rejects(session.stageRows(await session.stagingName(target, 'run-empty'), []), /no rows/);
    });

    it('a partition is replaced alone; rows outside the partition are refused and change nothing', async () => {
      const target = t('daily');
      const day = (d: string, v: number) => `SELECT CAST('${d}' AS TIMESTAMP) AS ts, ${v} AS v`;
      const window = (d: string, next: string) => ({ column: 'ts', start: `${d} 00:00:00`, end: `${next} 00:00:00` });
      await session.publishPartition(await stage(target, day('2024-01-01', 1)), target, window('2024-01-01', '2024-01-02'));
      await session.publishPartition(
        await stage(target, `${day('2024-01-02', 2)} UNION ALL ${day('2024-01-02', 3)}`),
        target,
        window('2024-01-02', '2024-01-03'),
      );
      await session.publishPartition(await stage(target, day('2024-01-02', 4)), target, window('2024-01-02', '2024-01-03'));
      const outside = await stage(target, day('2024-01-05', 9));
      await assert.rejects(session.publishPartition(outside, target, window('2024-01-02', '2024-01-03')), /outside the partition/);
      await session.dropRelation(outside);
      assert.deepEqual(await rows('SELECT CAST(ts AS VARCHAR) AS ts, v FROM wc.daily ORDER BY ts, v'), [
        { ts: '2024-01-01 00:00:00', v: 1 },
        { ts: '2024-01-02 00:00:00', v: 4 },
      ]);
      const keyed = t('by_region');
      await session.publishPartition(await stage(keyed, `SELECT 'west' AS region, 1 AS n`), keyed, { column: 'region', equals: 'west' });
      await session.publishPartition(await stage(keyed, `SELECT 'east' AS region, 2 AS n`), keyed, { column: 'region', equals: 'east' });
      await session.publishPartition(await stage(keyed, `SELECT 'west' AS region, 3 AS n`), keyed, { column: 'region', equals: 'west' });
      assert.deepEqual(await rows('SELECT * FROM wc.by_region ORDER BY region'), [
        { region: 'east', n: 2 },
        { region: 'west', n: 3 },
      ]);
    });

    it('incremental publishes create the table first, then append and merge by key (null keys match null keys)', async () => {
      const target = t('growing');
      await session.publishAppend(await stage(target, `SELECT 1 AS id, 'a' AS v UNION ALL SELECT 2, 'b'`), target);
      await session.publishAppend(await stage(target, `SELECT 3 AS id, 'c' AS v`), target);
      await session.publishMerge(await stage(target, `SELECT 2 AS id, 'B' AS v UNION ALL SELECT 4, 'd'`), target, ['id']);
      await session.publishMerge(await stage(target, `SELECT CAST(NULL AS INTEGER) AS id, 'n1' AS v`), target, ['id']);
      await session.publishMerge(await stage(target, `SELECT CAST(NULL AS INTEGER) AS id, 'n2' AS v`), target, ['id']);
      assert.deepEqual(await rows('SELECT * FROM wc.growing ORDER BY id NULLS LAST'), [
        { id: 1, v: 'a' },
        { id: 2, v: 'B' },
        { id: 3, v: 'c' },
        { id: 4, v: 'd' },
        { id: null, v: 'n2' },
      ]);
      const dupes = await stage(target, `SELECT 5 AS id, 'x' AS v UNION ALL SELECT 5, 'y'`);
      await assert.rejects(session.publishMerge(dupes, target, ['id']), /more than once/);
      assert.equal(await session.rowCount(target), 5, 'a refused batch changes nothing');
    });

    it('rejected rows of an incremental batch go to the quarantine in the same publish, and their key leaves the table', async () => {
      const target = t('events_inc');
      const quarantine = t('events_inc_quarantine');
      const rejects = { column: '_reject', quarantine };
      const batch = (values: string) => stage(target, `SELECT id, v, _reject FROM (VALUES ${values}) AS b(id, v, _reject)`);
      await session.publishAppend(await batch(`(1, 'a', CAST(NULL AS VARCHAR)), (2, 'bad', 'v is not a number')`), target, rejects);
      await session.publishMerge(
        await batch(`(1, 'a2', CAST(NULL AS VARCHAR)), (3, 'c', NULL), (3, 'c-bad', 'late'), (4, 'd-bad', 'broken')`),
        target,
        ['id'],
        rejects,
      );
      await session.publishMerge(await batch(`(3, 'c3', 'now broken'), (5, 'e', CAST(NULL AS VARCHAR))`), target, ['id'], rejects);
      assert.deepEqual(await rows('SELECT * FROM wc.events_inc ORDER BY id'), [
        { id: 1, v: 'a2' },
        { id: 5, v: 'e' },
      ]);
      assert.deepEqual(await rows('SELECT id, v, _reject FROM wc.events_inc_quarantine ORDER BY id, v'), [
        { id: 2, v: 'bad', _reject: 'v is not a number' },
        { id: 3, v: 'c-bad', _reject: 'late' },
        { id: 3, v: 'c3', _reject: 'now broken' },
        { id: 4, v: 'd-bad', _reject: 'broken' },
      ]);
      assert.ok((await session.describe(quarantine))!.some((c) => c.name === '_quarantined_at'));
    });

    it('profiles count rows, nulls and ranges, with a content hash that ignores row order', async () => {
      const a = t('prof_a');
      const b = t('prof_b');
      await session.publishTable(await stage(a, `SELECT 1 AS n, 'x' AS s UNION ALL SELECT 2, NULL UNION ALL SELECT 3, 'z'`), a);
      await session.publishTable(await stage(b, `SELECT 3 AS n, 'z' AS s UNION ALL SELECT 1, 'x' UNION ALL SELECT 2, NULL`), b);
      const [pa, pb] = [await session.profile(a), await session.profile(b)];
      assert.equal(pa.rowCount, 3);
      assert.equal(pa.contentHash, pb.contentHash);
      assert.deepEqual(
        pa.columns.map((c) => [c.name, c.nullCount, c.min, c.max]),
        [
          ['n', 0, '1', '3'],
          ['s', 1, 'x', 'z'],
        ],
      );
      assert.ok(pa.columns.every((c) => c.distinctApprox === null || c.distinctApprox >= 1));
      await session.publishTable(await stage(b, `SELECT 3 AS n, 'z' AS s UNION ALL SELECT 1, 'x' UNION ALL SELECT 2, 'y'`), b);
      assert.notEqual((await session.profile(b)).contentHash, pa.contentHash);
    });

    it('checks run on a staged table before publish: every built-in kind counts the same failures', async () => {
      const up = t('airports');
      await session.publishTable(await stage(up, `SELECT 'JFK' AS iata UNION ALL SELECT 'LAX'`), up);
      const target = t('checked');
      const staging = await stage(
        target,
        `SELECT 'JFK' AS origin, 10 AS delay, CAST('2000-01-01 00:00:00' AS TIMESTAMP) AS ts
         UNION ALL SELECT 'XXX', 2.5, CAST('2000-01-02 00:00:00' AS TIMESTAMP)
         UNION ALL SELECT NULL, 99999, NULL
         UNION ALL SELECT 'JFK', -5, NULL`,
      );
      const list = [
        checks.notNull(['origin']),
        checks.unique(['origin']),
        checks.acceptedValues('origin', ['JFK', 'LAX']),
        checks.acceptedRange('delay', { min: -1, max: 2.4 }),
        checks.relationships('origin', { to: 'wc/airports', column: 'iata' }),
        checks.rowCount({ min: 1, max: 3 }),
        checks.freshness('ts', '1h'),
        checks.reconciliation('count(*)', { to: 'wc/airports', expression: 'count(*) + 2' }),
        checks.customSql('negative_delay', 'SELECT * FROM {{ this }} WHERE delay < 0'),
      ];
      const results = await runChecks(session, list, { assetKey: 'wc/checked', relation: quoteQualified(staging) });
      assert.deepEqual(
        results.map((r) => r.error),
        list.map(() => undefined),
        'every check runs on this engine',
      );
      assert.deepEqual(
        results.map((r) => [r.checkName, r.failingCount, r.totalCount]),
        [
          ['not_null_origin', 1, 4],
          ['unique_origin', 2, 4],
          ['accepted_values_origin', 1, 4],
          ['accepted_range_delay', 4, 4],
          ['relationships_origin_wc_airports_iata', 1, 4],
          ['row_count', 1, 4],
          ['freshness_ts', 1, 4],
          ['reconciliation_wc_airports', 0, 4],
          ['negative_delay', 1, 4],
        ],
      );
      assert.equal(await session.describe(target), undefined, 'nothing was published');
    });

    it('staging left by a session that is gone is dropped; published tables are not', async () => {
      const other = await warehouse.session();
      const orphan = await other.stagingName(t('orphaned'), 'run-dead');
      // Created as a compute function creates ctx.target (a staged query may leave nothing behind at all).
      await other.exec(`CREATE TABLE ${quoteQualified(orphan)} AS SELECT 1 AS x`);
      other.close();
      await session.publishTable(await stage(t('kept'), 'SELECT 1 AS x'), t('kept'));
      const dropped = await waitFor(
        () => warehouse.dropAbandonedStaging(),
        (names) => names.includes(`wc.${orphan.name}`),
      );
      assert.ok(dropped.includes(`wc.${orphan.name}`));
      assert.equal(await session.describe(orphan), undefined);
      assert.ok(await session.describe(t('kept')));
    });

    it('tells which tables and parameters a SELECT uses, and reports a parse error', async () => {
      const sql = 'WITH c AS (SELECT * FROM wc.a) SELECT * FROM c JOIN other.b USING (id) WHERE ts >= $partition_start';
      const names = (await warehouse.tableReferences(sql)).map((r) => `${r.schema}.${r.name}`);
      assert.deepEqual(names.sort(), ['other.b', 'wc.a']);
      assert.deepEqual(await warehouse.sqlParameters(sql), ['partition_start']);
      await assert.rejects(warehouse.tableReferences('SELEC nonsense'), /cannot parse SQL/);
    });

    it('interrupting a session stops its running statement', async () => {
      const other = await warehouse.session();
      try {
        const long = other.query(
          'SELECT count(*) AS n FROM (SELECT a.x FROM (SELECT * FROM generate_series(1, 100000000) AS g(x)) AS a, (SELECT 1) AS b) AS c',
        );
        // Once, whether the statement started yet or not: either way it must not run to its end.
        setTimeout(() => other.interrupt(), 50);
        await assert.rejects(long);
      } finally {
        other.close();
      }
    });

    it('a cancel that lands between two statements still stops the work: nothing is published, and the staging is cleaned up', async () => {
      const target = t('canceled_between');
      const other = await warehouse.session();
      try {
        const staging = await other.stagingName(target, 'run-canceled');
        await other.stageQuery(staging, 'SELECT 1 AS a');
        other.interrupt(); // the session is idle: there is no running statement to stop
        await assert.rejects(other.publishTables([{ staging, target }]), /interrupted/);
        await assert.rejects(other.query('SELECT 1 AS a'), /interrupted/);
        await other.dropRelation(staging);
        assert.equal(await session.describe(staging), undefined, 'the staging table is gone');
      } finally {
        other.close();
      }
      assert.equal(await session.describe(target), undefined, 'nothing was published');
    });
  });
}

/** Repeats `probe` until `done` holds for its answer (a release to the pool is asynchronous). */
async function waitFor<T>(probe: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  for (let i = 0; ; i++) {
    const value = await probe();
    if (done(value) || i >= 100) return value;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
