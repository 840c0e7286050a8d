// The PostgreSQL warehouse's file engine: DuckDB, in process, reads files (and runs DuckDB computes); COPY lands the result.
import type pg from 'pg';
import { SluiceError } from '../../errors.js';
import { quoteQualified, type QualifiedName } from '../../model/asset-key.js';
import type { AssetContext, ComputeFunction, Row } from '../../model/asset-definition.js';
import { DuckDbWarehouse } from '../duckdb/duckdb-warehouse.js';
import type { WarehouseSession } from '../warehouse.js';
import { copyDuckDbRelation } from './postgres-duckdb-copy.js';

/** DuckDB table functions that read files; a statement whose FROM uses only these runs on the file engine. */
const FILE_FUNCTIONS = new Set([
  'read_csv',
  'read_csv_auto',
  'read_parquet',
  'parquet_scan',
  'read_json',
  'read_json_auto',
  'read_json_objects',
  'read_ndjson',
  'read_ndjson_auto',
  'read_ndjson_objects',
  'read_text',
  'read_blob',
]);

/**
 * The file-reading table functions a parse tree (DuckDB's json_serialize_sql) calls, lower-cased.
 * @example fileFunctionsIn(tree) // ['read_csv']
 */
export function fileFunctionsIn(tree: unknown): string[] {
  const found = new Set<string>();
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) return value.forEach(visit);
    if (typeof value !== 'object' || value === null) return;
    const node = value as { type?: unknown; function?: { function_name?: unknown } };
    const name = typeof node.function?.function_name === 'string' ? node.function.function_name.toLowerCase() : undefined;
    if (node.type === 'TABLE_FUNCTION' && name !== undefined && FILE_FUNCTIONS.has(name)) found.add(name);
    for (const child of Object.values(value)) visit(child);
  };
  visit(tree);
  return [...found];
}

/** `"schema"."name"` back into its parts (the form the runtime gives computes as ctx.target and side outputs). */
function parseQuoted(relation: string): QualifiedName {
  const match = /^"((?:[^"]|"")+)"\."((?:[^"]|"")+)"$/.exec(relation);
  if (!match) throw new SluiceError('COMPUTE_ERROR', `cannot read the relation name ${relation}; expected "schema"."name"`);
  return { schema: match[1]!.replaceAll('""', '"'), name: match[2]!.replaceAll('""', '"') };
}

/**
 * Runs DuckDB work for one PostgreSQL session. Each use gets a fresh in-memory DuckDB (nothing shared between steps,
 * memory returned at the end); only the tables the step must publish travel to PostgreSQL, by COPY.
 */
export class DuckDbFileEngine {
  private active: WarehouseSession | undefined;

  constructor(
    private readonly client: pg.ClientBase,
    /** Relative file paths resolve against it (the project folder); default: the working directory. */
    private readonly fileSearchPath: string | undefined,
  ) {}

  /** `CREATE TABLE staging AS <select>` for a statement that reads files only. */
  async stageQuery(staging: QualifiedName, selectSql: string, params: Readonly<Record<string, unknown>> | undefined): Promise<void> {
    await this.withDuckDb(this.fileSearchPath, async (duck) => {
      await duck.ensureSchema(staging.schema);
      await duck.stageQuery(staging, selectSql, params);
      await copyDuckDbRelation(duck, quoteQualified(staging), this.client, quoteQualified(staging));
    });
  }

  /** Runs a DuckDB compute in process, then loads the target and side outputs it created into the same names here. */
  async runCompute(context: AssetContext, compute: ComputeFunction): Promise<Row[] | void> {
    return this.withDuckDb(context.projectDir, async (duck) => {
      await duck.ensureSchema(parseQuoted(context.target).schema);
      const created = [context.target];
      const sideOutput = (name: string): string => {
        const relation = context.sideOutput(name);
        created.push(relation);
        return relation;
      };
      const rows = await compute({ ...context, sql: duck, sideOutput });
      // Returned rows are staged by the runtime, through the PostgreSQL session, as for any compute.
      if (Array.isArray(rows)) return rows;
      for (const relation of created) {
        // What was not created is reported by the runtime, which knows what the compute was asked for.
        if (await duck.describe(parseQuoted(relation))) await copyDuckDbRelation(duck, relation, this.client, relation);
      }
      return undefined;
    });
  }

  /** Interrupts the DuckDB statement running for this session, if any. */
  interrupt(): void {
    this.active?.interrupt();
  }

  private async withDuckDb<T>(fileSearchPath: string | undefined, work: (duck: WarehouseSession) => Promise<T>): Promise<T> {
    const warehouse = await DuckDbWarehouse.open({ path: ':memory:', ...(fileSearchPath ? { fileSearchPath } : {}) });
    const duck = await warehouse.session();
    this.active = duck;
    try {
      return await work(duck);
    } finally {
      this.active = undefined;
      duck.close();
      await warehouse.close();
    }
  }
}
