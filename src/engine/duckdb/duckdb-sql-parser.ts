// DuckDB's own parser (json_serialize_sql) for the warehouse: requests batched into one query, analyses remembered.
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { duckdb } from './duckdb-module.js';
import { SluiceError } from '../../errors.js';
import type { QualifiedName } from '../../model/asset-key.js';
import { collectParameters, collectTableReferences } from './parse-tree.js';

/** What the runtime reads out of a statement's parse tree. */
export interface SqlAnalysis {
  tables: readonly QualifiedName[];
  parameters: readonly string[];
}

interface PendingParse {
  sql: string;
  resolve: (tree: unknown) => void;
  reject: (error: unknown) => void;
}

/** Bounds the memory of remembered analyses (a few short strings each) in a long-lived process. */
const MAX_REMEMBERED_ANALYSES = 50_000;
/** Statements per parse query: big enough to amortize the round trip, small enough to bound one result. */
const MAX_BATCH = 500;

/**
 * Parses SQL on a connection of its own. Requests made together (a project load asks for every asset at once)
 * go to DuckDB as one query over a list: ~0.06 ms per statement instead of a ~0.9 ms round trip each.
 * @example const parser = new DuckDbSqlParser(instance); await parser.analyse('SELECT * FROM a.b') // { tables: [{ schema: 'a', name: 'b' }], parameters: [] }
 */
export class DuckDbSqlParser {
  private connection: Promise<DuckDBConnection> | undefined;
  private pending: PendingParse[] = [];
  private readonly analyses = new Map<string, Promise<SqlAnalysis>>();

  constructor(private readonly instance: DuckDBInstance) {}

  /** The statement's parse tree; rejects with the parser's message when it does not parse. */
  parseTree(sql: string): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.pending.push({ sql, resolve, reject });
      // Everything requested in the same synchronous stretch (e.g. a Promise.all over assets) joins this batch.
      if (this.pending.length === 1) queueMicrotask(() => void this.flush());
    });
  }

  /** One parse per distinct SQL text serves both table references and parameters, here and in every later run. */
  analyse(sql: string): Promise<SqlAnalysis> {
    let analysis = this.analyses.get(sql);
    if (!analysis) {
      analysis = this.parseTree(sql).then((tree) => ({ tables: collectTableReferences(tree), parameters: collectParameters(tree) }));
      // A failed parse is not remembered: the error is reported now, and the text may parse after an edit.
      analysis.catch(() => this.analyses.delete(sql));
      if (this.analyses.size >= MAX_REMEMBERED_ANALYSES) this.analyses.clear();
      this.analyses.set(sql, analysis);
    }
    return analysis;
  }

  async close(): Promise<void> {
    const connection = this.connection;
    this.connection = undefined;
    if (connection) (await connection).closeSync();
  }

  private async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    for (let start = 0; start < batch.length; start += MAX_BATCH) {
      const chunk = batch.slice(start, start + MAX_BATCH);
      try {
        this.connection ??= this.instance.connect().catch((error: unknown) => {
          this.connection = undefined;
          throw error;
        });
        const reader = await (
          await this.connection
        ).runAndReadAll(
          'SELECT json_serialize_sql(s) AS tree FROM unnest($1::VARCHAR[]) WITH ORDINALITY AS u(s, i) ORDER BY i',
          [duckdb.listValue(chunk.map((p) => p.sql))],
          [duckdb.LIST(duckdb.VARCHAR)],
        );
        const rows = reader.getRowObjectsJS();
        if (rows.length !== chunk.length) throw new SluiceError('SQL_ERROR', `the parser answered ${rows.length} of ${chunk.length} statements`);
        rows.forEach((row, i) => settle(chunk[i]!, String(row.tree)));
      } catch (error) {
        for (const request of chunk) request.reject(error);
      }
    }
  }
}

/** Each statement's own outcome: one that does not parse fails alone, not its batch. */
function settle(request: PendingParse, json: string): void {
  const tree = JSON.parse(json) as { error?: boolean; error_message?: string };
  if (tree.error) request.reject(new SluiceError('SQL_ERROR', `cannot parse SQL: ${tree.error_message ?? 'syntax error'}`));
  else request.resolve(tree);
}
