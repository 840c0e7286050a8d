// What a project load reads out of each SQL asset (tables it reads, named parameters), remembered in a file under the
// project's data/ folder. A load whose SQL did not change answers from the file and never starts DuckDB (importing
// it alone costs ~300 ms); a statement it has not seen is parsed by DuckDB, opened in memory on the first one.
//
// An entry is keyed by the SHA-256 of the SQL text; the whole file by DuckDB's version and the code that reads the
// parse tree (parse-tree.ts), so an upgrade of either starts the file over. An unreadable file counts as empty.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { QualifiedName } from '../../model/asset-key.js';
import type { DuckDbSqlParser, SqlAnalysis } from './duckdb-sql-parser.js';

/** Bumped when the file's layout changes. */
const FORMAT = 1;

interface CacheFile {
  format: number;
  key: string;
  /** SQL hash -> [tables read, parameters]. */
  entries: Record<string, [QualifiedName[], string[]]>;
}

/**
 * Table references and parameters of SQL statements, from the cache file or DuckDB's parser.
 * @example
 * const parser = CachedSqlParser.open('examples/flights/data/.cache/sql-analyses.json');
 * await parser.tableReferences('SELECT * FROM silver.flights'); // [{ schema: 'silver', name: 'flights' }]
 * await parser.close(); // writes what it parsed
 */
export class CachedSqlParser {
  private readonly used = new Map<string, SqlAnalysis>();
  private readonly byText = new Map<string, Promise<SqlAnalysis>>();
  private parsed = 0;
  private duckdb: Promise<{ parser: DuckDbSqlParser; close: () => void }> | undefined;

  private constructor(
    private readonly file: string | undefined,
    private readonly key: string,
    private readonly known: ReadonlyMap<string, SqlAnalysis>,
  ) {}

  /** Reads the cache file (none: analyses are kept in memory only). */
  static open(file?: string): CachedSqlParser {
    const key = cacheKey();
    // Without a key (Sluice bundled, its parse-tree code not at hand) nothing is remembered: a stale entry could not be told.
    if (file === undefined || key === undefined) return new CachedSqlParser(undefined, '', new Map());
    return new CachedSqlParser(file, key, readEntries(file, key));
  }

  async tableReferences(sql: string): Promise<QualifiedName[]> {
    return (await this.analyse(sql)).tables.map((table) => ({ ...table }));
  }

  async sqlParameters(sql: string): Promise<string[]> {
    return [...(await this.analyse(sql)).parameters];
  }

  /** Writes the analyses this load used (so entries of deleted or edited SQL go), when anything changed; closes DuckDB. */
  async close(): Promise<void> {
    const duckdb = this.duckdb;
    this.duckdb = undefined;
    if (duckdb) (await duckdb.catch(() => undefined))?.close();
    if (this.file && (this.parsed > 0 || this.used.size < this.known.size)) writeEntries(this.file, this.key, this.used);
  }

  private analyse(sql: string): Promise<SqlAnalysis> {
    // Projects repeat statements (and each is asked for tables, then parameters): hashed once per text.
    const seen = this.byText.get(sql);
    if (seen) return seen;
    const hash = createHash('sha256').update(sql).digest('base64url');
    const known = this.used.get(hash) ?? this.known.get(hash);
    if (known) {
      this.used.set(hash, known);
      const answer = Promise.resolve(known);
      this.byText.set(sql, answer);
      return answer;
    }
    // Misses asked together reach DuckDB together: its parser sends them as one batch.
    return (this.duckdb ??= openParser()).then(async ({ parser }) => {
      const analysis = await parser.analyse(sql);
      this.parsed++;
      this.used.set(hash, analysis);
      return analysis;
    });
  }
}

/** DuckDB in memory, imported only now: most loads never get here. */
async function openParser(): Promise<{ parser: DuckDbSqlParser; close: () => void }> {
  const [{ duckdb }, { DuckDbSqlParser }] = await Promise.all([import('./duckdb-module.js'), import('./duckdb-sql-parser.js')]);
  // Extensions would be downloaded on first use, which fails offline; parsing needs none.
  const instance = await duckdb.DuckDBInstance.create(':memory:', { autoinstall_known_extensions: 'false' });
  const parser = new DuckDbSqlParser(instance);
  return {
    parser,
    close: () => {
      void parser.close();
      instance.closeSync();
    },
  };
}

/** DuckDB's version (its package, read without loading DuckDB) and a hash of the code that reads parse trees (undefined: unreadable). */
function cacheKey(): string | undefined {
  const require = createRequire(import.meta.url);
  let duckdb = 'unknown';
  try {
    let dir = dirname(require.resolve('@duckdb/node-api'));
    for (let depth = 0; depth < 3; depth++, dir = dirname(dir)) {
      if (!existsSync(join(dir, 'package.json'))) continue;
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string } | null;
      if (manifest?.name === '@duckdb/node-api') {
        duckdb = String(manifest.version);
        break;
      }
    }
  } catch {
    // Left 'unknown': the key still changes with the parse-tree code, and DuckDB itself fails clearly if it is missing.
  }
  try {
    const here = fileURLToPath(import.meta.url);
    const reader = readFileSync(join(dirname(here), `parse-tree${extname(here)}`));
    return `${FORMAT}:${duckdb}:${createHash('sha256').update(reader).digest('base64url')}`;
  } catch {
    return undefined;
  }
}

function readEntries(file: string, key: string): Map<string, SqlAnalysis> {
  try {
    const content = JSON.parse(readFileSync(file, 'utf8')) as CacheFile;
    if (content.key !== key || typeof content.entries !== 'object' || content.entries === null) return new Map();
    const entries = new Map<string, SqlAnalysis>();
    for (const [hash, value] of Object.entries(content.entries)) {
      if (!isEntry(value)) return new Map();
      entries.set(hash, { tables: value[0], parameters: value[1] });
    }
    return entries;
  } catch {
    return new Map();
  }
}

/** A hand-edited or truncated entry makes the whole file count as empty, never a wrong dependency. */
function isEntry(value: unknown): value is [QualifiedName[], string[]] {
  return (
    Array.isArray(value) &&
    value.length === 2 &&
    Array.isArray(value[0]) &&
    value[0].every((t: unknown) => typeof (t as QualifiedName)?.schema === 'string' && typeof (t as QualifiedName).name === 'string') &&
    Array.isArray(value[1]) &&
    value[1].every((p: unknown) => typeof p === 'string')
  );
}

/** Written whole (temporary file, then rename) or not at all: a cache that cannot be written is only slower. */
function writeEntries(file: string, key: string, entries: ReadonlyMap<string, SqlAnalysis>): void {
  const content: CacheFile = {
    format: FORMAT,
    key,
    entries: Object.fromEntries([...entries].map(([hash, a]) => [hash, [a.tables.map(({ schema, name }) => ({ schema, name })), [...a.parameters]]])),
  };
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(temporary, JSON.stringify(content));
    renameSync(temporary, file);
  } catch {
    // A read-only project folder: the next load parses again.
  }
}
