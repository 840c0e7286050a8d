// One pooled PostgreSQL connection used by one step: stage, audit and publish, each publish one transaction.
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { SluiceError } from '../../errors.js';
import { quoteIdentifier, quoteQualified, type QualifiedName } from '../../model/asset-key.js';
import type { Row } from '../../model/asset-definition.js';
import { STAGING_PREFIX, type ColumnInfo, type PartitionFilter, type PublishRejects, type TableProfile, type WarehouseSession } from '../warehouse.js';
import { describeRelation, relationKind, replacementOf, replaceStatements } from './postgres-catalog.js';
import { profileTable } from './postgres-profile.js';
import { csvLine, inferColumns } from './postgres-values.js';
import { toPositional } from './named-parameters.js';
import { DUCKDB_BRIDGE, type DuckDbBridge } from './duckdb-compute.js';
import { DuckDbFileEngine } from './postgres-file-engine.js';

/** First key of the session-level advisory locks that mark a staging table as in use (the second is its name's hash). */
export const STAGING_LOCK_SPACE = 0x51_1c_e0_03;

/**
 * A step's connection. Staging tables it creates are marked with an advisory lock held until the session closes,
 * so cleanup in another process drops only staging tables whose process died.
 * @example const session = await warehouse.session(); try { ... } finally { session.close(); }
 */
export class PostgresSession implements WarehouseSession {
  private closed = false;
  private readonly files: DuckDbFileEngine;
  /** Runs computes marked `duckDbCompute` on the file engine (see duckdb-compute.ts). */
  readonly [DUCKDB_BRIDGE]: DuckDbBridge = { runCompute: (context, compute) => this.files.runCompute(context, compute) };

  /** Set by `interrupt()`: later statements are refused (see `client`). */
  private interrupted = false;
  /** The cancel sent by `interrupt()`: clean-up waits for it, so it does not stop the clean-up instead. */
  private canceling: Promise<void> | undefined;

  constructor(
    private readonly connection: pg.PoolClient,
    /** Cancels this connection's running statement from another connection; settles once the cancel was sent. */
    private readonly cancel: (backendPid: number) => Promise<void>,
    /** Whether a SELECT reads files only (DuckDB table functions such as read_csv), so the file engine runs it. */
    private readonly readsFiles: (sql: string) => Promise<boolean> = () => Promise.resolve(false),
    /** Where the file engine resolves relative file paths (the project folder). */
    fileSearchPath?: string,
  ) {
    this.files = new DuckDbFileEngine(connection, fileSearchPath);
  }

  /**
   * The connection, for every statement but clean-up. Once interrupted it is refused: a cancel that lands between two
   * statements (pg_cancel_backend stops only the running one) must still stop the work.
   */
  private get client(): pg.PoolClient {
    if (this.interrupted) throw new SluiceError('RUN_CANCELED', 'the statement was not run: this session was interrupted (canceled)');
    return this.connection;
  }

  async query<T extends Row = Row>(sql: string, params?: readonly unknown[]): Promise<T[]> {
    return (await this.client.query<T>(sql, params ? [...params] : undefined)).rows;
  }

  async exec(sql: string, params?: readonly unknown[]): Promise<void> {
    await this.client.query(sql, params ? [...params] : undefined);
  }

  async ensureSchema(schema: string): Promise<void> {
    try {
      await this.exec(`CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(schema)}`);
    } catch (error) {
      // Two processes creating it at once: one wins with a unique violation for the other, which is fine.
      if ((error as { code?: string }).code !== '23505') throw error;
    }
  }

  async stagingName(target: QualifiedName, runId: string): Promise<QualifiedName> {
    const suffix = runId.replace(/[^A-Za-z0-9]/g, '').slice(0, 12);
    const staging = { schema: target.schema, name: `${STAGING_PREFIX}${target.name}_${suffix}`.slice(0, 63) };
    await this.exec(`SELECT pg_advisory_lock(${STAGING_LOCK_SPACE}, hashtext($1))`, [stagingLockKey(staging)]);
    await this.dropRelation(staging);
    return staging;
  }

  async stageQuery(staging: QualifiedName, selectSql: string, params?: Readonly<Record<string, unknown>>): Promise<void> {
    if (await this.readsFiles(selectSql)) return this.files.stageQuery(staging, selectSql, params);
    const { sql, values } = toPositional(stripTrailingSemicolon(selectSql), params ?? {});
    await this.exec(`CREATE TABLE ${quoteQualified(staging)} AS ${sql}`, values);
  }

  async stageRows(staging: QualifiedName, rows: readonly Row[]): Promise<void> {
    if (rows.length === 0) {
      throw new SluiceError(
        'COMPUTE_ERROR',
        'the compute function returned no rows, so no columns can be inferred; create the table yourself with ctx.target, or return at least one row',
      );
    }
    const columns = inferColumns(rows);
    await this.exec(`CREATE TABLE ${quoteQualified(staging)} (${columns.map((c) => `${quoteIdentifier(c.name)} ${c.type}`).join(', ')})`);
    // COPY streams the rows in one statement: ~100x faster than row-by-row inserts.
    const copy = this.client.query(
      copyFrom(`COPY ${quoteQualified(staging)} (${columns.map((c) => quoteIdentifier(c.name)).join(', ')}) FROM STDIN (FORMAT csv)`),
    );
    await pipeline(Readable.from(rows.map((row) => csvLine(row, columns))), copy);
  }

  async publishTable(staging: QualifiedName, target: QualifiedName): Promise<void> {
    await this.publishTables([{ staging, target }]);
  }

  async publishTables(swaps: readonly { staging: QualifiedName; target: QualifiedName }[]): Promise<void> {
    const statements: string[] = [];
    for (const { staging, target } of swaps) {
      const rename = `ALTER TABLE ${quoteQualified(staging)} RENAME TO ${quoteIdentifier(target.name)}`;
      statements.push(...replaceStatements(target, await replacementOf(this.client, target), rename));
    }
    // One message without parameters: PostgreSQL runs its statements as one implicit transaction, all or (on any
    // error) none, in one round trip. Everything in it is a quoted identifier or a view definition from the catalog.
    await this.exec(statements.join(';\n'));
  }

  async publishPartition(staging: QualifiedName, target: QualifiedName, filter: PartitionFilter): Promise<void> {
    const column = quoteIdentifier(filter.column);
    const [outside] = await this.query<{ n: number }>(
      'equals' in filter
        ? `SELECT count(*) AS n FROM ${quoteQualified(staging)} WHERE ${column}::text IS DISTINCT FROM $1`
        : `SELECT count(*) AS n FROM ${quoteQualified(staging)} WHERE ${column} IS NULL OR ${column} < $1::timestamp OR ${column} >= $2::timestamp`,
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
        ? { where: `${column}::text = $1`, params: [filter.equals] }
        : { where: `${column} >= $1::timestamp AND ${column} < $2::timestamp`, params: [filter.start, filter.end] },
    );
  }

  async publishMerge(staging: QualifiedName, target: QualifiedName, uniqueKey: readonly string[], rejects?: PublishRejects): Promise<void> {
    const keys = uniqueKey.map(quoteIdentifier);
    // Rejected rows may share a key (several untypeable versions); only the published ones must be unique.
    const published = rejects ? ` WHERE ${publishable(rejects)}` : '';
    const [dupes] = await this.query<{ n: number }>(
      `SELECT count(*) AS n FROM (SELECT 1 FROM ${quoteQualified(staging)}${published} GROUP BY ${keys.join(', ')} HAVING count(*) > 1) AS d`,
    );
    if (Number(dupes!.n) > 0) {
      throw new SluiceError(
        'COMPUTE_ERROR',
        `the batch holds ${dupes!.n} key(s) of (${uniqueKey.join(', ')}) more than once; make the SQL return each key once (e.g. DISTINCT ON (${uniqueKey.join(', ')}) ... ORDER BY ...)`,
      );
    }
    const targetColumns = await this.describe(target);
    const [nullKeys] = await this.query<{ n: number }>(
      `SELECT count(*) AS n FROM ${quoteQualified(staging)} WHERE ${keys.map((k) => `${k} IS NULL`).join(' OR ')}`,
    );
    // Plain equality lets PostgreSQL hash-join; null keys need IS NOT DISTINCT FROM, which it cannot.
    const equal = Number(nullKeys!.n) === 0 ? '=' : 'IS NOT DISTINCT FROM';
    const on = keys.map((k) => `t.${k} ${equal} s.${k}`).join(' AND ');
    if (!targetColumns || rejects) {
      const where = `EXISTS (SELECT 1 FROM ${quoteQualified(staging)} AS s WHERE ${on})`;
      return this.mergeInto(staging, target, targetColumns ? { where, params: [] } : undefined, rejects);
    }
    const columns = await this.stagedColumns(staging, target, targetColumns, undefined);
    const updates = columns.filter((c) => !keys.includes(c));
    await this.transaction(async () => {
      await this.exec(
        `MERGE INTO ${quoteQualified(target)} AS t USING ${quoteQualified(staging)} AS s ON ${on}
         ${updates.length > 0 ? `WHEN MATCHED THEN UPDATE SET ${updates.map((c) => `${c} = s.${c}`).join(', ')}` : ''}
         WHEN NOT MATCHED THEN INSERT (${columns.join(', ')}) VALUES (${columns.map((c) => `s.${c}`).join(', ')})`,
      );
      await this.exec(`DROP TABLE ${quoteQualified(staging)}`);
    });
  }

  async publishAppend(staging: QualifiedName, target: QualifiedName, rejects?: PublishRejects): Promise<void> {
    await this.mergeInto(staging, target, undefined, rejects);
  }

  /**
   * In one transaction: delete the target rows `replace` matches, insert the staged rows by column name (rejected
   * ones into the quarantine instead), drop staging. Creates the target from the batch's shape when it is missing.
   */
  private async mergeInto(
    staging: QualifiedName,
    target: QualifiedName,
    replace: { where: string; params: unknown[] } | undefined,
    rejects?: PublishRejects,
  ): Promise<void> {
    const targetColumns = await this.describe(target);
    if (!targetColumns && !rejects) return this.publishTable(staging, target);
    const staged = (await this.describe(staging)) ?? [];
    if (rejects && !staged.some((c) => c.name === rejects.column)) {
      throw new SluiceError(
        'COMPUTE_ERROR',
        `the batch has no column "${rejects.column}" (the reject column): return it, NULL for rows to publish and the reason for rows to quarantine`,
      );
    }
    const hasQuarantine = rejects?.quarantine ? await this.describe(rejects.quarantine) : undefined;
    await this.transaction(async () => {
      const kept = staged.filter((c) => c.name !== rejects?.column).map((c) => quoteIdentifier(c.name));
      if (!targetColumns) await this.exec(`CREATE TABLE ${quoteQualified(target)} AS SELECT ${kept.join(', ')} FROM ${quoteQualified(staging)} WITH NO DATA`);
      const columns = targetColumns ? await this.stagedColumns(staging, target, targetColumns, rejects?.column) : kept;
      if (replace) await this.exec(`DELETE FROM ${quoteQualified(target)} AS t WHERE ${replace.where}`, replace.params);
      const filter = rejects ? ` WHERE ${publishable(rejects)}` : '';
      await this.exec(`INSERT INTO ${quoteQualified(target)} (${columns.join(', ')}) SELECT ${columns.join(', ')} FROM ${quoteQualified(staging)}${filter}`);
      if (rejects?.quarantine) {
        const all = staged.map((c) => quoteIdentifier(c.name));
        const rejected = `SELECT ${all.join(', ')}, (now() AT TIME ZONE 'UTC') AS _quarantined_at FROM ${quoteQualified(staging)}`;
        if (!hasQuarantine) await this.exec(`CREATE TABLE ${quoteQualified(rejects.quarantine)} AS ${rejected} WITH NO DATA`);
        await this.exec(
          `INSERT INTO ${quoteQualified(rejects.quarantine)} (${all.join(', ')}, _quarantined_at) ${rejected} WHERE NOT (${publishable(rejects)})`,
        );
      }
      await this.exec(`DROP TABLE ${quoteQualified(staging)}`);
    });
  }

  /** The staged columns (quoted; without the reject column), each of which the target must have. */
  private async stagedColumns(
    staging: QualifiedName,
    target: QualifiedName,
    targetColumns: readonly ColumnInfo[],
    rejectColumn: string | undefined,
  ): Promise<string[]> {
    const staged = ((await this.describe(staging)) ?? []).filter((c) => c.name !== rejectColumn);
    const known = new Set(targetColumns.map((c) => c.name));
    const missing = staged.filter((c) => !known.has(c.name)).map((c) => c.name);
    if (missing.length > 0) {
      throw new SluiceError(
        'COMPUTE_ERROR',
        `${target.schema}.${target.name} has no column(s) ${missing.join(', ')} that this batch adds; add them (ALTER TABLE ... ADD COLUMN) or rebuild the table fully`,
      );
    }
    return staged.map((c) => quoteIdentifier(c.name));
  }

  async publishView(target: QualifiedName, selectSql: string): Promise<void> {
    if (await this.readsFiles(selectSql)) {
      throw new SluiceError(
        'SQL_ERROR',
        `${target.schema}.${target.name} is a view that reads files, which PostgreSQL cannot do (Sluice loads files into tables through DuckDB); make it a table (-- @kind table)`,
      );
    }
    const create = `CREATE VIEW ${quoteQualified(target)} AS ${stripTrailingSemicolon(selectSql)}`;
    await this.transaction(() => this.replace(target, create));
  }

  /**
   * Inside the caller's transaction: drops `target` (of whatever kind) with the views that read it, runs `create`,
   * and re-creates those views, so readers never see the target or its views missing.
   */
  private async replace(target: QualifiedName, create: string): Promise<void> {
    // One statement at a time: `create` holds the asset's own SQL, which must not be joined to other statements.
    for (const statement of replaceStatements(target, await replacementOf(this.client, target), create)) await this.exec(statement);
  }

  private async transaction(body: () => Promise<void>): Promise<void> {
    await this.exec('BEGIN');
    try {
      await body();
      await this.exec('COMMIT');
    } catch (error) {
      // On the raw connection: an interrupted session must still end what it opened.
      await this.connection.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  }

  /** Clean-up: runs on an interrupted session too, so a canceled step leaves no staging table behind. */
  async dropRelation(relation: QualifiedName): Promise<void> {
    await this.canceling;
    const drop = async (): Promise<void> => {
      const kind = await relationKind(this.connection, relation);
      if (kind) await this.connection.query(`DROP ${kind} IF EXISTS ${quoteQualified(relation)}`);
    };
    try {
      await drop();
    } catch (error) {
      // The cancel was sent, but its signal reached the backend only now (57014: canceled on user request): once more.
      if (!this.interrupted || (error as { code?: string }).code !== '57014') throw error;
      await drop();
    }
  }

  describe(relation: QualifiedName): Promise<ColumnInfo[] | undefined> {
    return describeRelation(this.client, relation);
  }

  async rowCount(relation: QualifiedName): Promise<number> {
    const rows = await this.query<{ n: number }>(`SELECT count(*) AS n FROM ${quoteQualified(relation)}`);
    return Number(rows[0]!.n);
  }

  async profile(relation: QualifiedName, columns?: readonly ColumnInfo[]): Promise<TableProfile> {
    return profileTable(this.client, relation, columns ?? (await this.describe(relation)) ?? []);
  }

  interrupt(): void {
    this.interrupted = true;
    this.files.interrupt();
    this.canceling = this.cancel((this.connection as unknown as { processID: number }).processID);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    // Staging marks end with the session; a connection that cannot be reset is discarded instead of reused.
    this.connection.query('SELECT pg_advisory_unlock_all()').then(
      () => this.connection.release(),
      (error: Error) => this.connection.release(error),
    );
  }
}

/** The text whose hash names a staging table's advisory lock (the cleanup computes the same from the catalog). */
export function stagingLockKey(relation: QualifiedName): string {
  return `${relation.schema}.${relation.name}`;
}

/** Rows to publish: the reject column is NULL (or false, for a boolean tombstone flag). */
function publishable(rejects: PublishRejects): string {
  const column = quoteIdentifier(rejects.column);
  return `(${column} IS NULL OR ${column}::text = 'false')`;
}

function stripTrailingSemicolon(sql: string): string {
  return sql.trim().replace(/;\s*$/, '');
}
