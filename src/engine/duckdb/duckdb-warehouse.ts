// The embedded warehouse: one DuckDB file owned by this process, one connection per running step.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { SluiceError } from '../../errors.js';
import { quoteIdentifier, quoteQualified, sqlString, type QualifiedName } from '../../model/asset-key.js';
import type { Row } from '../../model/asset-definition.js';
import {
  STAGING_PREFIX,
  type ColumnInfo,
  type PartitionFilter,
  type PublishRejects,
  type TableProfile,
  type Warehouse,
  type WarehouseSession,
} from '../warehouse.js';
import { DuckDbSqlParser } from './duckdb-sql-parser.js';

/** Construction options of the DuckDB warehouse. */
export interface DuckDbWarehouseConfig {
  /** Database file, or ':memory:'. */
  path: string;
  /** Relative file paths in SQL (read_parquet('x.parquet')) resolve against this directory. */
  fileSearchPath?: string;
  threads?: number;
}

/**
 * Opens (creating if needed) a DuckDB warehouse file.
 * @example const warehouse = await DuckDbWarehouse.open({ path: 'data/warehouse.duckdb' });
 */
export class DuckDbWarehouse implements Warehouse {
  readonly dialect = 'duckdb' as const;
  private readonly parser: DuckDbSqlParser;

  private constructor(
    private readonly instance: DuckDBInstance,
    readonly location: string,
    /** The file's catalog name, so catalog look-ups name relations exactly (never a temp table of the same name). */
    private readonly database: string,
  ) {
    this.parser = new DuckDbSqlParser(instance);
  }

  static async open(config: DuckDbWarehouseConfig): Promise<DuckDbWarehouse> {
    if (config.path !== ':memory:') mkdirSync(dirname(config.path), { recursive: true });
    // Extensions would be downloaded on first use, which fails offline: only built-in ones may load.
    const options: Record<string, string> = { autoinstall_known_extensions: 'false', autoload_known_extensions: 'true' };
    if (config.threads) options.threads = String(config.threads);
    // The database-wide default, so no session pays a SET for it (a session may still SET its own).
    if (config.fileSearchPath) options.file_search_path = config.fileSearchPath;
    let instance: DuckDBInstance;
    try {
      instance = await DuckDBInstance.create(config.path, options);
    } catch (cause) {
      const message = cause instanceof Error ? cause.message : String(cause);
      const hint = /lock/i.test(message)
        ? 'another process (probably `sluice dev`) holds it; stop that process or send the command to it with --url'
        : 'check that the path is writable';
      throw new SluiceError('SQL_ERROR', `cannot open the warehouse "${config.path}": ${message.split('\n')[0]}; ${hint}`, { cause });
    }
    const probe = await instance.connect();
    try {
      const reader = await probe.runAndReadAll('SELECT current_database() AS name');
      return new DuckDbWarehouse(instance, config.path, String(reader.getRowObjectsJS()[0]!.name));
    } finally {
      probe.closeSync();
    }
  }

  async session(): Promise<WarehouseSession> {
    return new DuckDbSession(await this.instance.connect(), this.database);
  }

  parseTree(sql: string): Promise<unknown> {
    return this.parser.parseTree(sql);
  }

  async sqlParameters(sql: string): Promise<string[]> {
    return [...(await this.parser.analyse(sql)).parameters];
  }

  async tableReferences(sql: string): Promise<QualifiedName[]> {
    return (await this.parser.analyse(sql)).tables.map((table) => ({ ...table }));
  }

  async dropAbandonedStaging(): Promise<string[]> {
    const session = await this.session();
    try {
      const rows = await session.query<{ schema: string; name: string; kind: string }>(
        `SELECT table_schema AS schema, table_name AS name, table_type AS kind FROM information_schema.tables
         WHERE table_catalog = current_database() AND starts_with(table_name, $1)`,
        [STAGING_PREFIX],
      );
      for (const row of rows) await session.dropRelation({ schema: row.schema, name: row.name });
      return rows.map((r) => `${r.schema}.${r.name}`);
    } finally {
      session.close();
    }
  }

  async close(): Promise<void> {
    await this.parser.close();
    this.instance.closeSync();
  }
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

type RelationKind = 'TABLE' | 'VIEW';

/**
 * Catalog look-ups stay off information_schema on the hot path: its views enumerate every relation of the
 * file (cost grows with the warehouse: ~3 ms per look-up at 100 tables, ~25 ms at 3,000), while
 * pragma_table_info and `DROP ... IF EXISTS` resolve one name (under 1 ms at any size).
 */
class DuckDbSession implements WarehouseSession {
  /** Set once a statement was interrupted (cancel): the slow fallbacks below must not retry a publish then. */
  private interrupted = false;

  constructor(
    private readonly connection: DuckDBConnection,
    private readonly database: string,
  ) {}

  async query<T extends Row = Row>(sql: string, params?: readonly unknown[]): Promise<T[]> {
    const reader = await this.connection.runAndReadAll(sql, params ? ([...params] as never) : undefined);
    return reader.getRowObjectsJS().map(plainRow) as T[];
  }

  async exec(sql: string, params?: readonly unknown[]): Promise<void> {
    await this.connection.run(sql, params ? ([...params] as never) : undefined);
  }

  async ensureSchema(schema: string): Promise<void> {
    await this.exec(`CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(schema)}`);
  }

  async stagingName(target: QualifiedName, runId: string): Promise<QualifiedName> {
    const suffix = runId.replace(/[^A-Za-z0-9]/g, '').slice(0, 12);
    const staging = { schema: target.schema, name: `${STAGING_PREFIX}${target.name}_${suffix}`.slice(0, 63) };
    await this.dropRelation(staging);
    return staging;
  }

  async stageQuery(staging: QualifiedName, selectSql: string, params?: Readonly<Record<string, unknown>>): Promise<void> {
    const sql = `CREATE TABLE ${quoteQualified(staging)} AS ${stripTrailingSemicolon(selectSql)}`;
    await this.connection.run(sql, params && Object.keys(params).length > 0 ? ({ ...params } as never) : undefined);
  }

  async stageRows(staging: QualifiedName, rows: readonly Row[]): Promise<void> {
    if (rows.length === 0) {
      throw new SluiceError(
        'COMPUTE_ERROR',
        'the compute function returned no rows, so no columns can be inferred; create the table yourself with ctx.target, or return at least one row',
      );
    }
    // DuckDB's JSON reader infers types and loads fast; row-by-row inserts through the binding are ~50x slower.
    const dir = mkdtempSync(join(tmpdir(), 'sluice-rows-'));
    try {
      const file = join(dir, 'rows.ndjson');
      writeFileSync(file, rows.map((r) => JSON.stringify(r, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))).join('\n'));
      await this.exec(`CREATE TABLE ${quoteQualified(staging)} AS SELECT * FROM read_json_auto(${sqlString(file)}, format = 'newline_delimited')`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  async publishTable(staging: QualifiedName, target: QualifiedName): Promise<void> {
    await this.publishTables([{ staging, target }]);
  }

  async publishTables(swaps: readonly { staging: QualifiedName; target: QualifiedName }[]): Promise<void> {
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
      await this.exec(['BEGIN TRANSACTION', ...statements, 'COMMIT'].join(';\n'));
    } catch (error) {
      await this.exec('ROLLBACK').catch(() => undefined);
      throw error;
    }
  }

  private async transaction(body: () => Promise<void>): Promise<void> {
    await this.exec('BEGIN TRANSACTION');
    try {
      await body();
      await this.exec('COMMIT');
    } catch (error) {
      await this.exec('ROLLBACK').catch(() => undefined);
      throw error;
    }
  }

  async publishPartition(staging: QualifiedName, target: QualifiedName, filter: PartitionFilter): Promise<void> {
    const column = quoteIdentifier(filter.column);
    const [outside] = await this.query<{ n: number }>(
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
    const keys = uniqueKey.map(quoteIdentifier);
    // Rejected rows may share a key (several untypeable versions); only the published ones must be unique.
    const published = rejects ? ` WHERE ${quoteIdentifier(rejects.column)} IS NULL OR ${quoteIdentifier(rejects.column)}::VARCHAR = 'false'` : '';
    const [dupes] = await this.query<{ n: number }>(
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
          await this.exec(`DELETE FROM ${quoteQualified(target)}${replace.alias ? ` AS ${replace.alias}` : ''} WHERE ${replace.where}`, replace.params);
        await this.exec(`INSERT INTO ${quoteQualified(target)} BY NAME SELECT * FROM ${quoteQualified(staging)}`);
        await this.exec(`DROP TABLE ${quoteQualified(staging)}`);
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
      if (!hasTarget) await this.exec(`CREATE TABLE ${quoteQualified(target)} AS SELECT * EXCLUDE (${column}) FROM ${quoteQualified(staging)} LIMIT 0`);
      if (replace && hasTarget)
        await this.exec(`DELETE FROM ${quoteQualified(target)}${replace.alias ? ` AS ${replace.alias}` : ''} WHERE ${replace.where}`, replace.params);
      await this.exec(`INSERT INTO ${quoteQualified(target)} BY NAME SELECT * EXCLUDE (${column}) FROM ${quoteQualified(staging)} WHERE ${publishable}`);
      if (rejects.quarantine) {
        const rejected = `SELECT *, now()::TIMESTAMP AS _quarantined_at FROM ${quoteQualified(staging)}`;
        if (!hasQuarantine) await this.exec(`CREATE TABLE ${quoteQualified(rejects.quarantine)} AS ${rejected} LIMIT 0`);
        await this.exec(`INSERT INTO ${quoteQualified(rejects.quarantine)} BY NAME ${rejected} WHERE NOT (${publishable})`);
      }
      await this.exec(`DROP TABLE ${quoteQualified(staging)}`);
    });
  }

  async publishView(target: QualifiedName, selectSql: string): Promise<void> {
    const create = `CREATE OR REPLACE VIEW ${quoteQualified(target)} AS ${stripTrailingSemicolon(selectSql)}`;
    try {
      await this.exec(create);
    } catch (error) {
      // A table of that name refuses CREATE OR REPLACE VIEW: replace it in one transaction.
      if (this.interrupted || (await this.relationKind(target)) !== 'TABLE') throw error;
      await this.transaction(async () => {
        await this.exec(`DROP TABLE ${quoteQualified(target)}`);
        await this.exec(create);
      });
    }
  }

  async dropRelation(relation: QualifiedName): Promise<void> {
    try {
      await this.exec(`DROP TABLE IF EXISTS ${quoteQualified(relation)}`);
    } catch (error) {
      // A view of that name refuses DROP TABLE; if DROP VIEW fails too, the first error is the one that explains.
      await this.exec(`DROP VIEW IF EXISTS ${quoteQualified(relation)}`).catch(() => {
        throw error;
      });
    }
  }

  /** The kind of a relation from the catalog views: exact, but slow on large warehouses, so only for rare paths. */
  private async relationKind(relation: QualifiedName): Promise<RelationKind | undefined> {
    const rows = await this.query<{ kind: string }>(
      `SELECT table_type AS kind FROM information_schema.tables WHERE table_catalog = current_database() AND table_schema = $1 AND table_name = $2`,
      [relation.schema, relation.name],
    );
    const kind = rows[0]?.kind;
    if (kind === undefined) return undefined;
    return kind === 'VIEW' ? 'VIEW' : 'TABLE';
  }

  async describe(relation: QualifiedName): Promise<ColumnInfo[] | undefined> {
    const exact = `${quoteIdentifier(this.database)}.${quoteQualified(relation)}`;
    let rows: { name: string; type: string; not_null: boolean }[] = [];
    try {
      rows = await this.query(`SELECT name, type, "notnull" AS not_null FROM pragma_table_info(${sqlString(exact)}) ORDER BY cid`);
    } catch {
      // Absent (the usual case here), or a view that no longer binds: the catalog views know either way.
    }
    if (rows.length > 0) return rows.map((r) => ({ name: r.name, type: r.type, nullable: !r.not_null }));
    return this.describeFromCatalog(relation);
  }

  private async describeFromCatalog(relation: QualifiedName): Promise<ColumnInfo[] | undefined> {
    const rows = await this.query<{ name: string; type: string; nullable: string }>(
      `SELECT column_name AS name, data_type AS type, is_nullable AS nullable FROM information_schema.columns
       WHERE table_catalog = current_database() AND table_schema = $1 AND table_name = $2 ORDER BY ordinal_position`,
      [relation.schema, relation.name],
    );
    if (rows.length === 0) return undefined;
    return rows.map((r) => ({ name: r.name, type: r.type, nullable: r.nullable === 'YES' }));
  }

  async rowCount(relation: QualifiedName): Promise<number> {
    const rows = await this.query<{ n: number }>(`SELECT count(*) AS n FROM ${quoteQualified(relation)}`);
    return Number(rows[0]!.n);
  }

  async profile(relation: QualifiedName, columns?: readonly ColumnInfo[]): Promise<TableProfile> {
    columns ??= (await this.describe(relation)) ?? [];
    // SUMMARIZE also computes quantiles and is ~15x slower on 3M rows; this is one light scan.
    const selects = ['count(*) AS n', 'sum(hash(t))::VARCHAR AS h'];
    columns.forEach((c, i) => {
      const col = `t.${quoteIdentifier(c.name)}`;
      selects.push(`count(*) - count(${col}) AS nulls_${i}`, `approx_count_distinct(${col}) AS distinct_${i}`);
      if (isOrderable(c.type)) selects.push(`min(${col})::VARCHAR AS min_${i}`, `max(${col})::VARCHAR AS max_${i}`);
    });
    const [row] = await this.query(`SELECT ${selects.join(', ')} FROM ${quoteQualified(relation)} AS t`);
    const stats = row!;
    return {
      rowCount: Number(stats.n),
      contentHash: String(stats.h ?? 'empty'),
      columns: columns.map((c, i) => ({
        name: c.name,
        type: c.type,
        nullCount: Number(stats[`nulls_${i}`]),
        distinctApprox: stats[`distinct_${i}`] == null ? null : Number(stats[`distinct_${i}`]),
        min: stats[`min_${i}`] == null ? null : String(stats[`min_${i}`]),
        max: stats[`max_${i}`] == null ? null : String(stats[`max_${i}`]),
      })),
    };
  }

  interrupt(): void {
    this.interrupted = true;
    this.connection.interrupt();
  }

  close(): void {
    this.connection.closeSync();
  }
}

/** Nested types have no useful min/max. */
function isOrderable(type: string): boolean {
  return !/[[\]]|^(STRUCT|MAP|UNION|LIST|BLOB|BIT)/i.test(type);
}

function stripTrailingSemicolon(sql: string): string {
  return sql.trim().replace(/;\s*$/, '');
}
