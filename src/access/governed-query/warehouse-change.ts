// Changing the warehouse by hand (admins only): which statements are refused because they would bypass runs or reach the host.
import { QueryRefusedError } from './query-refused-error.js';

/** Statements an admin may never send by hand: they reach files, extensions, other databases or global settings. */
const HOST_STATEMENTS = /^(ATTACH|DETACH|INSTALL|LOAD|COPY|EXPORT|IMPORT|PRAGMA|SET|RESET|CALL|CHECKPOINT|FORCE)\b/i;
/** Functions that read files, the network or the environment. */
const HOST_FUNCTIONS = /\b(read_\w+|glob|getenv|query_table|query|sniff_csv|parquet_\w+)\s*\(/i;
/** Statements that replace or remove a relation: for an asset, only a run may (staging, then an atomic swap). */
const RELATION_CHANGES = /^(DROP|ALTER|TRUNCATE|CREATE\s+OR\s+REPLACE|COMMENT)\b/i;

/** The SQL without comments and string literals, with quoted identifiers unquoted and lower-cased. */
function normalize(sql: string): string {
  return sql.replace(/--[^\n]*|\/\*[\s\S]*?\*\/|'(?:[^']|'')*'|"((?:[^"]|"")*)"/g, (match, quoted: string | undefined) =>
    quoted !== undefined ? quoted.replaceAll('""', '"').toLowerCase() : match.startsWith("'") ? "''" : ' ',
  );
}

/**
 * Throws QueryRefusedError when a hand-written change would bypass staging (DROP, ALTER, TRUNCATE or
 * CREATE OR REPLACE of a published asset) or reach the host (COPY, ATTACH, INSTALL/LOAD, SET, PRAGMA,
 * file-reading functions). INSERT, UPDATE, DELETE and new tables outside the assets stay possible.
 * @example assertHandChangeAllowed('DROP TABLE gold.x', ['gold/x']) // throws: rematerialize it instead
 */
export function assertHandChangeAllowed(sql: string, assetKeys: Iterable<string>): void {
  const text = normalize(sql);
  const statements = text
    .split(';')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (statements.length === 0) throw new QueryRefusedError('syntax', 'the statement is empty');
  const assets = [...assetKeys].map((key) => ({
    key,
    pattern: new RegExp(`(^|[^\\w.])${key.replace('/', '\\s*\\.\\s*').replace(/[$]/g, '\\$&')}($|[^\\w])`, 'i'),
  }));
  for (const statement of statements) {
    if (HOST_STATEMENTS.test(statement))
      throw new QueryRefusedError(
        'statement',
        `${statement.split(/\s+/)[0]!.toUpperCase()} is refused: it reaches files, extensions, other databases or server settings`,
      );
    const fn = HOST_FUNCTIONS.exec(statement);
    if (fn) throw new QueryRefusedError('function', `${fn[1]}() is refused: it reads files, the network or the environment of the server`);
    if (RELATION_CHANGES.test(statement)) {
      const asset = assets.find((a) => a.pattern.test(statement));
      if (asset)
        throw new QueryRefusedError(
          'relation',
          `"${asset.key}" is a published asset: replacing or removing it by hand would bypass staging and its checks; rematerialize it instead (\`sluice materialize --select ${asset.key}\`)`,
        );
    }
  }
}
