// One DuckDB connection used by one step at a time: staging, atomic publishes, catalog look-ups, profiles.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DuckDBConnection, DuckDBMaterializedResult } from '@duckdb/node-api';
import { SluiceError } from '../../errors.js';
import { quoteIdentifier, quoteQualified, sqlString, type QualifiedName } from '../../model/asset-key.js';
import type { Row } from '../../model/asset-definition.js';
import { STAGING_PREFIX, type ColumnInfo, type PartitionFilter, type PublishRejects, type TableProfile, type WarehouseSession } from '../warehouse.js';
import {
  distinctEstimateSql,
  parseProfile,
  planDistinct,
  PLANNED_DISTINCT_ROWS,
  profileFromRows,
  profileSql,
  rowProfileSql,
  type DistinctPlan,
} from './duckdb-profile.js';

type RelationKind = 'TABLE' | 'VIEW';

/** What a session's own statements leave set on its connection, handed on with it to the next session. */
export interface ConnectionState {
  /** `preserve_insertion_order` is off for this connection (see `DuckDbSession.writeInAnyOrder`). */
  insertionOrderRelaxed: boolean;
}

/** Up to this many rows, a profile computes min/max of every column (see duckdb-profile.ts): a few ms at most. */
const SMALL_TABLE_ROWS = 10_000;
/** Up to this many rows, a table is profiled from its rows in JavaScript (see duckdb-profile.ts): cheaper to plan and read. */
const ROW_PROFILE_ROWS = 100;

/**
 * Catalog look-ups stay off information_schema on the hot path: its views enumerate every relation of the
 * file (cost grows with the warehouse: ~3 ms per look-up at 100 tables, ~25 ms at 3,000), while
 * pragma_table_info and `DROP ... IF EXISTS` resolve one name (under 1 ms at any size).
 *
 * Every statement costs DuckDB ~0.3-1 ms of planning whatever the data, and every commit writes the WAL, so the
 * common step (a SQL asset: stage, profile, publish) is three statements and one commit:
 * - `stagingName` touches nothing: `stageQuery` and `stageRows` replace whatever a dead attempt left under that
 *   name, and anything else run on the session drops it first (`settle`).
 * - `stageQuery` opens a transaction that the publish of that staging table commits, so the staged table is never
 *   committed on its own. Anything else run on the session (checks, compute SQL, other publishes) commits it first,
 *   because a failing statement inside a DuckDB transaction can abort it, and a check that errors must not take the
 *   staged table with it. A session that ends, fails or is interrupted before the publish rolls it back: nothing remains.
 */
export class DuckDbSession implements WarehouseSession {
  /**
   * Set by `interrupt()`: later statements are refused (a cancel that lands between two statements would otherwise
   * stop nothing), and the slow fallbacks below must not retry a publish.
   */
  private interrupted = false;
  /** A staging name handed out whose leftovers (a dead attempt's) were not cleared yet. */
  private unclearedStaging: QualifiedName | undefined;
  /** The staging table created in the transaction still open on this connection. */
  private openStaging: QualifiedName | undefined;
  /**
   * The rows the last staged query wrote, as DuckDB counted them. A caller's SQL (a check) may change the table since,
   * so the count only chooses how the table is profiled (see `profileOf`), never a figure that is recorded.
   */
  private stagedRows: { relation: QualifiedName; rows: number } | undefined;
  /** Profiling what `publishQuery` just committed: an interrupt then only refuses what comes after. */
  private measuringPublished = false;

  /**
   * Whether the connection is still as new when the session closes, so the next session may take it over: only this
   * session's own statements ran, all succeeded, none is left open. Any caller's SQL (a compute function's, a check's)
   * may have changed its state (SET, USE, temporary tables, a transaction), so it ends with the session.
   */
  private reusable = true;

  constructor(
    private readonly connection: DuckDBConnection,
    /** The file's catalog name, so catalog look-ups name relations exactly (never a temp table of the same name). */
    private readonly database: string,
    /** Takes the connection back when the session closes with it reusable; without it, closing closes the connection. */
    private readonly release?: (connection: DuckDBConnection, state: ConnectionState) => void,
    /** What the previous session's own statements left set on a reused connection. */
    private readonly state: ConnectionState = { insertionOrderRelaxed: false },
  ) {}

  async query<T extends Row = Row>(sql: string, params?: readonly unknown[]): Promise<T[]> {
    await this.prepareForCallerSql();
    return this.read<T>(sql, params);
  }

  async queryTyped(sql: string, params?: readonly unknown[]): Promise<{ columns: { name: string; type: string }[]; rows: Row[] }> {
    await this.prepareForCallerSql();
    const reader = await this.guarded(this.connection.runAndReadAll(sql, params ? ([...params] as never) : undefined));
    const types = reader.columnTypes();
    const columns = reader.columnNames().map((name, i) => ({ name, type: types[i]!.toString() }));
    return { columns, rows: reader.getRowObjectsJS().map(plainRow) };
  }

  async exec(sql: string, params?: readonly unknown[]): Promise<void> {
    await this.prepareForCallerSql();
    await this.run(sql, params);
  }

  async ensureSchema(schema: string): Promise<void> {
    await this.exec(`CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(schema)}`);
  }

  async stagingName(target: QualifiedName, runId: string): Promise<QualifiedName> {
    const suffix = runId.replace(/[^A-Za-z0-9]/g, '').slice(0, 12);
    const staging = { schema: target.schema, name: `${STAGING_PREFIX}${target.name}_${suffix}`.slice(0, 63) };
    await this.settle();
    this.unclearedStaging = staging;
    this.stagedRows = undefined;
    return staging;
  }

  async stageQuery(staging: QualifiedName, selectSql: string, params?: Readonly<Record<string, unknown>>): Promise<void> {
    await this.settle({ reuse: staging });
    const create = `CREATE OR REPLACE TABLE ${quoteQualified(staging)} AS ${stripTrailingSemicolon(selectSql)}`;
    // One round trip: the statements run in order; with parameters, the binding applies to the last one.
    this.openStaging = staging;
    try {
      const result = await this.guarded(this.connection.run(`${this.writeInAnyOrder()}BEGIN TRANSACTION;\n${create}`, bindable(params)));
      // CREATE TABLE AS answers its row count (unless the SQL held more statements, whose last one answers).
      const answer = result.columnNames()[0] === 'Count' ? rowsOf(result)[0] : undefined;
      this.stagedRows = answer === undefined ? undefined : { relation: staging, rows: Number(answer[0]) };
    } catch (error) {
      await this.rollback();
      throw error;
    }
  }

  /**
   * Publishes a query's result as `target` in one autocommitted `CREATE OR REPLACE TABLE` (atomic: readers see the old
   * table or the new one), then profiles it. For a small table this is two statements where staging, a swap and an
   * explicit commit are five, and DuckDB's explicit commit of a created table alone costs more than the whole CREATE.
   * Resolves undefined, having changed nothing, when it cannot: SQL of several statements (each would commit on its
   * own) or a target that is a view (the staging path replaces it). A cancel after the commit does not stop the
   * profile: the new table is published, and its materialization must be recorded.
   */
  async publishQuery(target: QualifiedName, selectSql: string, params?: Readonly<Record<string, unknown>>): Promise<TableProfile | undefined> {
    const select = stripTrailingSemicolon(selectSql);
    // A `;` (maybe only in a literal or a comment) could start another statement: not worth a parse to tell.
    if (select.includes(';')) return undefined;
    await this.settle();
    // Its own statement, so that an error in the SQL still shows DuckDB's "LINE 1: ..." context (it has none after another).
    const anyOrder = this.writeInAnyOrder();
    if (anyOrder) await this.run(anyOrder);
    let rows: number;
    try {
      rows = Number((await this.firstRow(`CREATE OR REPLACE TABLE ${quoteQualified(target)} AS ${select}`, params))![0]);
    } catch (error) {
      // A view of that name refuses CREATE OR REPLACE TABLE before anything changed.
      if (!this.interrupted && (await this.relationKind(target).catch(() => undefined)) === 'VIEW') return undefined;
      throw error;
    }
    this.measuringPublished = true;
    try {
      return await this.profileOf(target, rows);
    } catch (cause) {
      throw new SluiceError(
        'SQL_ERROR',
        `${quoteQualified(target)} was published, but profiling it failed: ${cause instanceof Error ? cause.message : String(cause)}`,
        {
          cause,
        },
      );
    } finally {
      this.measuringPublished = false;
    }
  }

  async stageRows(staging: QualifiedName, rows: readonly Row[]): Promise<void> {
    if (rows.length === 0) {
      throw new SluiceError(
        'COMPUTE_ERROR',
        'the compute function returned no rows, so no columns can be inferred; create the table yourself with ctx.target, or return at least one row',
      );
    }
    await this.settle({ reuse: staging });
    // DuckDB's JSON reader infers types and loads fast; row-by-row inserts through the binding are ~50x slower.
    const dir = mkdtempSync(join(tmpdir(), 'sluice-rows-'));
    try {
      const file = join(dir, 'rows.ndjson');
      writeFileSync(file, rows.map((r) => JSON.stringify(r, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))).join('\n'));
      await this.run(`CREATE OR REPLACE TABLE ${quoteQualified(staging)} AS SELECT * FROM read_json_auto(${sqlString(file)}, format = 'newline_delimited')`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  async publishTable(staging: QualifiedName, target: QualifiedName): Promise<void> {
    await this.publishTables([{ staging, target }]);
  }

  async publishTables(swaps: readonly { staging: QualifiedName; target: QualifiedName }[]): Promise<void> {
    const [only] = swaps;
    if (swaps.length === 1 && this.openStaging && sameRelation(only!.staging, this.openStaging)) return this.publishOpenStaging(only!.target);
    await this.settle();
    try {
      // Most targets are tables or absent, which `DROP TABLE IF EXISTS` handles without a catalog look-up.
      await this.swapIn(swaps, undefined);
    } catch (error) {
      // A target that is a view refuses DROP TABLE (and the transaction rolled back): look the kinds up, swap again.
      if (this.interrupted) throw error;
      const kinds: (RelationKind | undefined)[] = [];
      for (const { target } of swaps) kinds.push(await this.relationKind(target));
      if (!kinds.includes('VIEW')) throw error;
      await this.swapIn(swaps, kinds);
    }
  }

  /**
   * Swaps the staging table of the open transaction in and commits both at once. A failed swap rolls the whole
   * transaction back: the target keeps its old version, and the staging table is gone with it.
   */
  private async publishOpenStaging(target: QualifiedName): Promise<void> {
    this.refuseIfInterrupted();
    const rename = `ALTER TABLE ${quoteQualified(this.openStaging!)} RENAME TO ${quoteIdentifier(target.name)}`;
    try {
      await this.run(`DROP TABLE IF EXISTS ${quoteQualified(target)};\n${rename};\nCOMMIT`);
    } catch (error) {
      // A view refuses DROP TABLE before anything changed (a catalog error leaves the transaction usable): drop it as a view.
      const kind = this.interrupted ? undefined : await this.relationKind(target).catch(() => undefined);
      if (kind !== 'VIEW') {
        await this.rollback();
        throw error;
      }
      try {
        await this.run(`DROP VIEW ${quoteQualified(target)};\n${rename};\nCOMMIT`);
      } catch (retryError) {
        await this.rollback();
        throw retryError;
      }
    }
    this.openStaging = undefined;
  }

  /** Drops each target (of its known kind, or as a table if it exists) and renames its staging table in, in one transaction. */
  private async swapIn(
    swaps: readonly { staging: QualifiedName; target: QualifiedName }[],
    kinds: readonly (RelationKind | undefined)[] | undefined,
  ): Promise<void> {
    const statements: string[] = [];
    for (const [i, { staging, target }] of swaps.entries()) {
      if (!kinds) statements.push(`DROP TABLE IF EXISTS ${quoteQualified(target)}`);
      else if (kinds[i]) statements.push(`DROP ${kinds[i]} ${quoteQualified(target)}`);
      statements.push(`ALTER TABLE ${quoteQualified(staging)} RENAME TO ${quoteIdentifier(target.name)}`);
    }
    // One round trip: DuckDB runs the statements in order and stops at the first error, leaving the transaction to roll back.
    try {
      await this.run(['BEGIN TRANSACTION', ...statements, 'COMMIT'].join(';\n'));
    } catch (error) {
      await this.run('ROLLBACK').catch(() => undefined);
      throw error;
    }
  }

  private async transaction(body: () => Promise<void>): Promise<void> {
    await this.run('BEGIN TRANSACTION');
    try {
      await body();
      await this.run('COMMIT');
    } catch (error) {
      await this.run('ROLLBACK').catch(() => undefined);
      throw error;
    }
  }

  async publishPartition(staging: QualifiedName, target: QualifiedName, filter: PartitionFilter): Promise<void> {
    await this.settle();
    const column = quoteIdentifier(filter.column);
    const [outside] = await this.read<{ n: number }>(
      'equals' in filter
        ? `SELECT count(*) AS n FROM ${quoteQualified(staging)} WHERE ${column} IS DISTINCT FROM $1`
        : `SELECT count(*) AS n FROM ${quoteQualified(staging)} WHERE ${column} IS NULL OR ${column} < $1::TIMESTAMP OR ${column} >= $2::TIMESTAMP`,
      'equals' in filter ? [filter.equals] : [filter.start, filter.end],
    );
    if (Number(outside!.n) > 0) {
      const window = 'equals' in filter ? `= '${filter.equals}'` : `in [${filter.start}, ${filter.end})`;
      throw new SluiceError(
        'COMPUTE_ERROR',
        `${outside!.n} staged row(s) have ${filter.column} outside the partition (${filter.column} ${window}); filter the SQL with $partition_start/$partition_end (or $partition_key)`,
      );
    }
    await this.mergeInto(
      staging,
      target,
      'equals' in filter
        ? { where: `${column} = $1`, params: [filter.equals] }
        : { where: `${column} >= $1::TIMESTAMP AND ${column} < $2::TIMESTAMP`, params: [filter.start, filter.end] },
    );
  }

  async publishMerge(staging: QualifiedName, target: QualifiedName, uniqueKey: readonly string[], rejects?: PublishRejects): Promise<void> {
    await this.settle();
    const keys = uniqueKey.map(quoteIdentifier);
    // Rejected rows may share a key (several untypeable versions); only the published ones must be unique.
    const published = rejects ? ` WHERE ${quoteIdentifier(rejects.column)} IS NULL OR ${quoteIdentifier(rejects.column)}::VARCHAR = 'false'` : '';
    const [dupes] = await this.read<{ n: number }>(
      `SELECT count(*) AS n FROM (SELECT ${keys.join(', ')} FROM ${quoteQualified(staging)}${published} GROUP BY ALL HAVING count(*) > 1)`,
    );
    if (Number(dupes!.n) > 0) {
      throw new SluiceError(
        'COMPUTE_ERROR',
        `the batch holds ${dupes!.n} key(s) of (${uniqueKey.join(', ')}) more than once; make the SQL return each key once (e.g. QUALIFY row_number() OVER (PARTITION BY ${uniqueKey.join(', ')} ORDER BY ...) = 1)`,
      );
    }
    const match = keys.map((k) => `t.${k} IS NOT DISTINCT FROM s.${k}`).join(' AND ');
    await this.mergeInto(staging, target, { where: `EXISTS (SELECT 1 FROM ${quoteQualified(staging)} AS s WHERE ${match})`, alias: 't' }, rejects);
  }

  async publishAppend(staging: QualifiedName, target: QualifiedName, rejects?: PublishRejects): Promise<void> {
    await this.settle();
    await this.mergeInto(staging, target, undefined, rejects);
  }

  /** In one transaction: delete the target rows `replace` matches, insert the staged rows (rejected ones into the quarantine), drop staging. */
  private async mergeInto(
    staging: QualifiedName,
    target: QualifiedName,
    replace: { where: string; params?: unknown[]; alias?: string } | undefined,
    rejects?: PublishRejects,
  ): Promise<void> {
    if (!rejects) {
      if (!(await this.describe(target))) return this.publishTable(staging, target);
      return this.transaction(async () => {
        if (replace)
          await this.run(`DELETE FROM ${quoteQualified(target)}${replace.alias ? ` AS ${replace.alias}` : ''} WHERE ${replace.where}`, replace.params);
        await this.run(`INSERT INTO ${quoteQualified(target)} BY NAME SELECT * FROM ${quoteQualified(staging)}`);
        await this.run(`DROP TABLE ${quoteQualified(staging)}`);
      });
    }
    const column = quoteIdentifier(rejects.column);
    if (!(await this.describe(staging))?.some((c) => c.name === rejects.column)) {
      throw new SluiceError(
        'COMPUTE_ERROR',
        `the batch has no column "${rejects.column}" (the reject column): return it, NULL for rows to publish and the reason for rows to quarantine`,
      );
    }
    const [hasTarget, hasQuarantine] = [await this.describe(target), rejects.quarantine && (await this.describe(rejects.quarantine))];
    const publishable = `${column} IS NULL OR ${column}::VARCHAR = 'false'`;
    await this.transaction(async () => {
      if (!hasTarget) await this.run(`CREATE TABLE ${quoteQualified(target)} AS SELECT * EXCLUDE (${column}) FROM ${quoteQualified(staging)} LIMIT 0`);
      if (replace && hasTarget)
        await this.run(`DELETE FROM ${quoteQualified(target)}${replace.alias ? ` AS ${replace.alias}` : ''} WHERE ${replace.where}`, replace.params);
      await this.run(`INSERT INTO ${quoteQualified(target)} BY NAME SELECT * EXCLUDE (${column}) FROM ${quoteQualified(staging)} WHERE ${publishable}`);
      if (rejects.quarantine) {
        const rejected = `SELECT *, now()::TIMESTAMP AS _quarantined_at FROM ${quoteQualified(staging)}`;
        if (!hasQuarantine) await this.run(`CREATE TABLE ${quoteQualified(rejects.quarantine)} AS ${rejected} LIMIT 0`);
        await this.run(`INSERT INTO ${quoteQualified(rejects.quarantine)} BY NAME ${rejected} WHERE NOT (${publishable})`);
      }
      await this.run(`DROP TABLE ${quoteQualified(staging)}`);
    });
  }

  async publishView(target: QualifiedName, selectSql: string): Promise<void> {
    await this.settle();
    const create = `CREATE OR REPLACE VIEW ${quoteQualified(target)} AS ${stripTrailingSemicolon(selectSql)}`;
    try {
      await this.run(create);
    } catch (error) {
      // A table of that name refuses CREATE OR REPLACE VIEW: replace it in one transaction.
      if (this.interrupted || (await this.relationKind(target)) !== 'TABLE') throw error;
      await this.transaction(async () => {
        await this.run(`DROP TABLE ${quoteQualified(target)}`);
        await this.run(create);
      });
    }
  }

  async dropRelation(relation: QualifiedName): Promise<void> {
    // Dropping the staging table of the open transaction is rolling it back; a dead attempt's table may remain below it.
    if (this.openStaging && sameRelation(relation, this.openStaging)) await this.rollback();
    if (this.unclearedStaging && sameRelation(relation, this.unclearedStaging)) this.unclearedStaging = undefined;
    // Clean-up is the one thing an interrupted session still does; it never commits what was open.
    if (this.interrupted) await this.rollback();
    else await this.settle();
    await this.dropIfExists(relation);
  }

  private async dropIfExists(relation: QualifiedName): Promise<void> {
    try {
      await this.run(`DROP TABLE IF EXISTS ${quoteQualified(relation)}`);
    } catch (error) {
      // A view of that name refuses DROP TABLE; if DROP VIEW fails too, the first error is the one that explains.
      await this.run(`DROP VIEW IF EXISTS ${quoteQualified(relation)}`).catch(() => {
        throw error;
      });
    }
  }

  /** The kind of a relation from the catalog views: exact, but slow on large warehouses, so only for rare paths. */
  private async relationKind(relation: QualifiedName): Promise<RelationKind | undefined> {
    const rows = await this.read<{ kind: string }>(
      `SELECT table_type AS kind FROM information_schema.tables WHERE table_catalog = current_database() AND table_schema = $1 AND table_name = $2`,
      [relation.schema, relation.name],
    );
    const kind = rows[0]?.kind;
    if (kind === undefined) return undefined;
    return kind === 'VIEW' ? 'VIEW' : 'TABLE';
  }

  async describe(relation: QualifiedName): Promise<ColumnInfo[] | undefined> {
    await this.settle({ inTransaction: true });
    const exact = `${quoteIdentifier(this.database)}.${quoteQualified(relation)}`;
    let rows: { name: string; type: string; not_null: boolean }[] = [];
    try {
      rows = await this.read(`SELECT name, type, "notnull" AS not_null FROM pragma_table_info(${sqlString(exact)}) ORDER BY cid`);
    } catch {
      // Absent (the usual case here), or a view that no longer binds: the catalog views know either way.
    }
    if (rows.length > 0) return rows.map((r) => ({ name: r.name, type: r.type, nullable: !r.not_null }));
    return this.describeFromCatalog(relation);
  }

  private async describeFromCatalog(relation: QualifiedName): Promise<ColumnInfo[] | undefined> {
    const rows = await this.read<{ name: string; type: string; nullable: string }>(
      `SELECT column_name AS name, data_type AS type, is_nullable AS nullable FROM information_schema.columns
       WHERE table_catalog = current_database() AND table_schema = $1 AND table_name = $2 ORDER BY ordinal_position`,
      [relation.schema, relation.name],
    );
    if (rows.length === 0) return undefined;
    return rows.map((r) => ({ name: r.name, type: r.type, nullable: r.nullable === 'YES' }));
  }

  async rowCount(relation: QualifiedName): Promise<number> {
    await this.settle({ inTransaction: true });
    const rows = await this.read<{ n: number }>(`SELECT count(*) AS n FROM ${quoteQualified(relation)}`);
    return Number(rows[0]!.n);
  }

  /** The columns come from the same scan (see duckdb-profile.ts), so `columns` is not needed here. */
  async profile(relation: QualifiedName): Promise<TableProfile> {
    await this.settle({ inTransaction: true });
    return this.profileOf(relation, this.stagedRows && sameRelation(relation, this.stagedRows.relation) ? this.stagedRows.rows : undefined);
  }

  /**
   * `rows`: the relation's row count as this session wrote it, when known (a caller's SQL may have changed it since):
   * a small table is profiled from its rows (unless it holds more now) or without a per-column type test, a large one
   * with its distinct counts planned.
   */
  private async profileOf(relation: QualifiedName, rows: number | undefined): Promise<TableProfile> {
    if (rows !== undefined && rows <= ROW_PROFILE_ROWS) {
      const result = await this.guarded(this.connection.run(rowProfileSql(relation, ROW_PROFILE_ROWS + 1)));
      const read = rowsOf(result);
      const profile = read.length <= ROW_PROFILE_ROWS ? profileFromRows(result.columnNames(), result.columnTypes(), read) : undefined;
      if (profile) return profile;
    }
    // A table whose size is unknown (a merge, an append) is profiled in one statement, as a table below the threshold.
    let distinct: DistinctPlan = [];
    if (rows !== undefined && rows >= PLANNED_DISTINCT_ROWS) {
      const estimates = await this.guarded(this.connection.run(distinctEstimateSql(relation)));
      distinct = planDistinct(estimates.columnNames(), rowsOf(estimates)[0]);
    }
    const result = await this.guarded(this.connection.run(profileSql(relation, { small: rows !== undefined && rows <= SMALL_TABLE_ROWS, distinct })));
    return parseProfile(result.columnNames(), rowsOf(result)[0]!, distinct);
  }

  interrupt(): void {
    this.interrupted = true;
    if (!this.measuringPublished) this.connection.interrupt();
  }

  close(): void {
    if (this.release && this.reusable && !this.interrupted && !this.openStaging && !this.unclearedStaging) this.release(this.connection, this.state);
    // An open staging transaction ends with the connection: DuckDB rolls it back.
    else this.connection.closeSync();
  }

  /**
   * Brings the session to a plain state before a statement: a handed-out staging name's leftovers are dropped (unless
   * the statement replaces that relation: `reuse`), and the open staging transaction is committed (unless the
   * statement only reads: `inTransaction`).
   */
  private async settle(options: { reuse?: QualifiedName; inTransaction?: boolean } = {}): Promise<void> {
    this.refuseIfInterrupted();
    const uncleared = this.unclearedStaging;
    if (uncleared) {
      this.unclearedStaging = undefined;
      if (!options.reuse || !sameRelation(uncleared, options.reuse)) await this.dropIfExists(uncleared);
    }
    if (this.openStaging && !options.inTransaction) {
      this.openStaging = undefined;
      await this.run('COMMIT');
    }
  }

  /**
   * The statement that lets the next table write ignore the order its SELECT produces rows in ('' when it is off
   * already). A table is a set, and DuckDB still honours an ORDER BY in the SQL; but keeping the order makes its
   * parallel write leave partly filled row groups, which the next checkpoint rewrites: 0.5-0.9 s per 3M rows, paid at
   * close. In any order, the same write fills them and the checkpoint has nothing to redo. Only this session's own
   * writes do so: a caller's SQL gets DuckDB's default back first (`prepareForCallerSql`).
   */
  private writeInAnyOrder(): string {
    if (this.state.insertionOrderRelaxed) return '';
    this.state.insertionOrderRelaxed = true;
    return 'SET SESSION preserve_insertion_order = false;\n';
  }

  /**
   * Before a caller's SQL: the connection is no longer as new, the session is settled, and DuckDB's default insertion
   * order (or the database's setting) is back if this session's writes changed it.
   */
  private async prepareForCallerSql(): Promise<void> {
    this.reusable = false;
    await this.settle();
    if (!this.state.insertionOrderRelaxed) return;
    await this.run('RESET SESSION preserve_insertion_order');
    this.state.insertionOrderRelaxed = false;
  }

  private refuseIfInterrupted(): void {
    if (this.interrupted) throw new SluiceError('RUN_CANCELED', 'the statement was not run: this session was interrupted (canceled)');
  }

  private async rollback(): Promise<void> {
    this.openStaging = undefined;
    await this.run('ROLLBACK').catch(() => undefined);
  }

  private async read<T extends Row = Row>(sql: string, params?: readonly unknown[]): Promise<T[]> {
    const reader = await this.guarded(this.connection.runAndReadAll(sql, params ? ([...params] as never) : undefined));
    return reader.getRowObjectsJS().map(plainRow) as T[];
  }

  private async run(sql: string, params?: readonly unknown[]): Promise<void> {
    await this.guarded(this.connection.run(sql, params ? ([...params] as never) : undefined));
  }

  /** The first row of a statement's result. */
  private async firstRow(sql: string, params?: Readonly<Record<string, unknown>>): Promise<readonly unknown[] | undefined> {
    return rowsOf(await this.guarded(this.connection.run(sql, bindable(params))))[0];
  }

  /** A statement that failed may have left the connection in any state (an aborted transaction): it is not handed on. */
  private async guarded<T>(statement: Promise<T>): Promise<T> {
    try {
      return await statement;
    } catch (error) {
      this.reusable = false;
      throw error;
    }
  }
}

function sameRelation(a: QualifiedName, b: QualifiedName): boolean {
  return a.schema === b.schema && a.name === b.name;
}

/** Turns DuckDB's JS values into plain JSON-friendly ones: BIGINTs become numbers when exact. */
function plainValue(value: unknown): unknown {
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  return value;
}

function plainRow(row: Record<string, unknown>): Row {
  const out: Row = {};
  for (const [key, value] of Object.entries(row)) out[key] = plainValue(value);
  return out;
}

/**
 * The rows of a result `run` materialized, read synchronously: fetching them (`getRows`, `fetchChunk`) is an async
 * round trip per chunk plus one for the empty chunk that ends them, and every round trip waits for a thread's turn.
 */
function rowsOf(result: DuckDBMaterializedResult): unknown[][] {
  const rows: unknown[][] = [];
  for (let i = 0; i < result.chunkCount; i++) rows.push(...result.getChunk(i).getRows());
  return rows;
}

/** Named parameters as @duckdb/node-api binds them; none: nothing to bind. */
function bindable(params: Readonly<Record<string, unknown>> | undefined): never | undefined {
  return params && Object.keys(params).length > 0 ? ({ ...params } as never) : undefined;
}

function stripTrailingSemicolon(sql: string): string {
  return sql.trim().replace(/;\s*$/, '');
}
