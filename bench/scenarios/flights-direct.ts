// Child: the flights example's statements run directly in one DuckDB connection, the engine's floor (optionally plus
// the per-table profile scan Sluice records, to tell engine work from orchestration).
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { DuckDbWarehouse } from '../../src/engine/duckdb/duckdb-warehouse.js';
import type { DirectStatement } from '../lib/flights-project.js';
import { scratchDir } from '../lib/paths.js';
import { emitResult, scenarioArgs, timed } from '../lib/scenario-io.js';
import { countRows } from './row-counts.js';

interface Args {
  statements: DirectStatement[];
  fileSearchPath: string;
  /** Also run Sluice's own profile query after each table (same code path as a materialization). */
  profile: boolean;
  verify: boolean;
  /** Let DuckDB write rows in any order (`preserve_insertion_order = false`), as Sluice's own table writes do. */
  anyOrder?: boolean;
}

interface Runner {
  exec(sql: string): Promise<void>;
  query(sql: string): Promise<Record<string, unknown>[]>;
  profile(schema: string, name: string): Promise<void>;
  close(): Promise<void>;
}

const { statements, fileSearchPath, profile, verify, anyOrder } = scenarioArgs<Args>();
const dataDir = scratchDir('flights-direct');
const path = join(dataDir, 'warehouse.duckdb');

/** Plain @duckdb/node-api with the options Sluice opens DuckDB with, and nothing of Sluice. */
async function openRaw(): Promise<Runner> {
  const instance = await DuckDBInstance.create(path, { autoinstall_known_extensions: 'false', autoload_known_extensions: 'true' });
  const connection = await instance.connect();
  await connection.run(`SET file_search_path = '${fileSearchPath.replaceAll("'", "''")}'`);
  if (anyOrder) await connection.run('SET preserve_insertion_order = false');
  return {
    exec: async (sql) => void (await connection.run(sql)),
    query: async (sql) => (await connection.runAndReadAll(sql)).getRowObjectsJS(),
    profile: async () => undefined,
    close: async () => {
      connection.closeSync();
      instance.closeSync();
    },
  };
}

/** Sluice's warehouse adapter, one session, used only to run its profile query exactly as a materialization does. */
async function openProfiling(): Promise<Runner> {
  const warehouse = await DuckDbWarehouse.open({ path, fileSearchPath });
  const session = await warehouse.session();
  return {
    exec: (sql) => session.exec(sql),
    query: (sql) => session.query(sql),
    profile: async (schema, name) => void (await session.profile({ schema, name })),
    close: async () => {
      session.close();
      await warehouse.close();
    },
  };
}

try {
  const [openMs, runner] = await timed(() => (profile ? openProfiling() : openRaw()));
  const steps: Record<string, number> = {};
  const [statementsMs] = await timed(async () => {
    for (const schema of new Set(statements.map((s) => s.schema))) await runner.exec(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    for (const s of statements) {
      const [ms] = await timed(async () => {
        await runner.exec(`CREATE ${s.kind === 'view' ? 'VIEW' : 'TABLE'} "${s.schema}"."${s.name}" AS ${s.select}`);
        if (s.kind === 'table') await runner.profile(s.schema, s.name);
      });
      steps[s.key] = ms;
    }
  });
  const rowCounts = verify
    ? await countRows(
        (sql) => runner.query(sql),
        statements.map((s) => s.key),
      )
    : undefined;
  const [closeMs] = await timed(() => runner.close());
  emitResult({ openMs, materializeMs: statementsMs, closeMs, totalMs: openMs + statementsMs + closeMs, steps, rowCounts });
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
