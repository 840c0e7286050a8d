// Temporary fixture files and a DuckDB for ingestion tests, plus table readers that make assertions short.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { after, afterEach, before } from 'node:test';
import { openTestDuckDb } from '../checks/duckdb-test-connection.js';
import type { TestDuckDb } from '../checks/duckdb-test-connection.js';
import type { IngestResult } from '../../src/ingest/quarantine-load.js';

/** A temporary directory that writes fixture files and removes itself. */
export interface FixtureDir {
  path: string;
  /** Writes `content` (text or raw bytes) to `name` and returns its absolute path. */
  write(name: string, content: string | Uint8Array): string;
  remove(): void;
}

/**
 * Creates a fresh fixture directory under the OS temp dir.
 * @example const dir = fixtureDir(); const file = dir.write('a.csv', 'id\n1\n');
 */
export function fixtureDir(): FixtureDir {
  const path = mkdtempSync(join(tmpdir(), 'sluice-ingest-'));
  return {
    path,
    write(name, content) {
      const file = join(path, name);
      writeFileSync(file, content);
      return file;
    },
    remove() {
      rmSync(path, { recursive: true, force: true });
    },
  };
}

/** Concatenates text and raw byte chunks into one file body (for invalid UTF-8 fixtures). */
export function bytes(...parts: (string | number[])[]): Uint8Array {
  return Buffer.concat(parts.map((part) => (typeof part === 'string' ? Buffer.from(part, 'utf8') : Buffer.from(part))));
}

/** A quarantine row reduced to what tests compare. */
export interface QuarantineRow {
  line: number;
  type: string;
  column: string | null;
  raw: string;
}

/** Reads a quarantine table ordered by file and line. */
export async function quarantineRows(db: TestDuckDb, relation: string): Promise<QuarantineRow[]> {
  const rows = await db.query(
    `SELECT _line_number AS line, _error_type AS type, _column AS column, _raw_line AS raw FROM ${relation} ORDER BY _source_file, _line_number`,
  );
  return rows.map((row) => ({ line: Number(row.line), type: String(row.type), column: row.column === null ? null : String(row.column), raw: String(row.raw) }));
}

/** Names of the temporary tables currently alive on the connection. */
export async function temporaryTables(db: TestDuckDb): Promise<string[]> {
  const rows = await db.query(`SELECT table_name FROM duckdb_tables() WHERE temporary`);
  return rows.map((row) => String(row.table_name));
}

/** Whether a table exists (in any schema). */
export async function tableExists(db: TestDuckDb, name: string): Promise<boolean> {
  const rows = await db.query(`SELECT 1 FROM duckdb_tables() WHERE table_name = $1`, [name]);
  return rows.length > 0;
}

/** A connection to `db` that writes down every statement it executes, to tell which load path ran. */
export function recordingConnection(db: TestDuckDb): { connection: Pick<TestDuckDb, 'query' | 'exec'>; statements: string[] } {
  const statements: string[] = [];
  const connection = {
    query: (sql: string, params?: readonly unknown[]) => db.query(sql, params),
    exec: (sql: string) => {
      statements.push(sql);
      return db.exec(sql);
    },
  };
  return { connection, statements };
}

/** An in-memory DuckDB and a fixture folder for one test file; `target` and `target_quarantine` are dropped after each test. */
export interface IngestTestbed {
  readonly db: TestDuckDb;
  readonly dir: FixtureDir;
}

/**
 * Registers the hooks that open and close the testbed; call once at the top of a test file. `setup` runs once the
 * testbed is open (e.g. to write fixture files every test shares).
 * @example const bed = ingestTestbed(); it('...', async () => { await bed.db.query('SELECT 1'); });
 */
export function ingestTestbed(setup?: (bed: IngestTestbed) => void): IngestTestbed {
  let db: TestDuckDb | undefined;
  let dir: FixtureDir | undefined;
  before(async () => {
    db = await openTestDuckDb();
    dir = fixtureDir();
    setup?.({ db, dir });
  });
  after(() => {
    db?.close();
    dir?.remove();
  });
  afterEach(async () => {
    await db?.exec('DROP TABLE IF EXISTS target; DROP TABLE IF EXISTS target_quarantine');
  });
  const opened = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the ingestion testbed is used outside a test');
    return value;
  };
  return {
    get db() {
      return opened(db);
    },
    get dir() {
      return opened(dir);
    },
  };
}

/** What a property test expects of one generated line: its reason (null = accepted) and, when accepted, its values. */
export interface ExpectedLine {
  line: number;
  reason: string | null;
  id?: number;
  label?: string | null;
  score?: number | null;
}

/** How a format reports reasons: which are only counted, and which quarantine types name no column of their own. */
export interface ReasonRules {
  skipped: readonly string[];
  /** Quarantine types whose `_column` is not part of the reason (e.g. `duplicate_key` names the key). */
  unqualified: readonly string[];
}

/**
 * Asserts a property test's load of `prop_target` (columns id, label, score) and `prop_quarantine`: every line is
 * counted, every good line is accepted as written, every other line is quarantined or skipped with its reason.
 */
export async function assertLoadedAsExpected(
  db: TestDuckDb,
  result: IngestResult,
  expected: readonly (ExpectedLine & { file: string })[],
  rules: ReasonRules,
): Promise<void> {
  assert.equal(result.read, expected.length);
  assert.equal(result.accepted + result.quarantined + result.skipped, result.read);
  const accepted = await db.query('SELECT _source_file AS file, _line_number AS line, id, label, score FROM prop_target ORDER BY file, line');
  assert.deepEqual(
    accepted.map((row) => ({ file: row.file, line: Number(row.line), id: row.id, label: row.label, score: row.score })),
    expected.filter((line) => line.reason === null).map((line) => ({ file: line.file, line: line.line, id: line.id, label: line.label, score: line.score })),
  );
  const rejected = await db.query(
    'SELECT _source_file AS file, _line_number AS line, _error_type AS type, _column AS col FROM prop_quarantine ORDER BY file, line',
  );
  assert.deepEqual(
    rejected.map((row) => ({
      file: row.file,
      line: Number(row.line),
      reason: row.col && !rules.unqualified.includes(String(row.type)) ? `${String(row.type)}:${String(row.col)}` : row.type,
    })),
    expected
      .filter((line) => line.reason !== null && !rules.skipped.includes(line.reason))
      .map((line) => ({ file: line.file, line: line.line, reason: line.reason })),
  );
  assert.equal(result.skipped, expected.filter((line) => line.reason !== null && rules.skipped.includes(line.reason)).length);
}
