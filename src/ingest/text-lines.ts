// Splitting text files (CSV, JSON lines) into numbered physical lines inside DuckDB, one bad byte costing one line.
import { sqlString } from '../model/asset-key.js';
import type { SourceFormat } from './ingest-columns.js';
import { fileList, readingFiles } from './quarantine-load.js';
import type { IngestConnection } from './quarantine-load.js';

const INVALID_TEXT = /could not read content of file .* as valid UTF-8/;

/**
 * A CTE chain ending in `lines(file_index, line_number, text, escaped)`: every physical line of every file, numbered
 * from 1, with CRLF endings and byte-order marks stripped (framing, not data). The empty piece after a final newline
 * is not a line; lines up to `firstLine - 1` (a header) are left out.
 * Files in `escapedFiles` (1-based indexes of files that are not valid UTF-8) are split on their escaped BLOB form
 * (`\xNN`, unambiguous) and each line is decoded on its own: `text` is NULL for a line that is not UTF-8 and `escaped`
 * keeps its raw bytes, each byte that is not printable ASCII (and the backslash) escaped as `\xNN`. Other files are
 * read as text, which validates them far faster.
 */
export function textLinesCte(files: readonly string[], escapedFiles: ReadonlySet<number>, firstLine: number): string {
  const list = fileList(files);
  const textFiles = files.filter((_, i) => !escapedFiles.has(i + 1));
  const blobFiles = files.filter((_, i) => escapedFiles.has(i + 1));
  const sources: string[] = [];
  if (textFiles.length > 0) {
    sources.push(
      `SELECT list_position(${list}, filename) AS file_index, true AS utf8, string_split(content, chr(10)) AS pieces FROM read_text(${fileList(textFiles)})`,
    );
  }
  if (blobFiles.length > 0) {
    sources.push(
      `SELECT list_position(${list}, filename) AS file_index, false AS utf8, string_split(CAST(content AS VARCHAR), '\\x0A') AS pieces FROM read_blob(${fileList(blobFiles)})`,
    );
  }
  return `split AS (
  ${sources.join('\n  UNION ALL\n  ')}
), pieces AS (
  SELECT file_index, utf8, unnest(pieces) AS piece, generate_subscripts(pieces, 1) AS line_number, len(pieces) AS piece_count
  FROM split
), decoded AS (
  SELECT file_index, line_number, CASE WHEN utf8 THEN piece ELSE try(decode(CAST(piece AS BLOB))) END AS decoded_line,
    -- DuckDB escapes quotes too; only the backslash (\x5C) must stay escaped for the text to stay unambiguous.
    CASE WHEN NOT utf8 THEN replace(replace(piece, '\\x22', '"'), '\\x27', '''') END AS escaped
  FROM pieces
  WHERE line_number >= ${firstLine} AND (line_number < piece_count OR piece <> '')
), lines AS (
  SELECT file_index, line_number, ${trimFraming('decoded_line')} AS text, escaped FROM decoded
)`;
}

/** SQL stripping CRLF endings and byte-order marks (also of files appended mid-file). */
function trimFraming(text: string): string {
  // The tests are cheap; the trim copies the string, so only lines that need it pay for it.
  return `CASE WHEN ends_with(${text}, chr(13)) OR starts_with(${text}, chr(65279)) THEN ltrim(rtrim(${text}, chr(13)), chr(65279)) ELSE ${text} END`;
}

/** Files DuckDB cannot read as UTF-8 text; each is checked alone, which only happens once one has failed. */
async function filesNotUtf8(connection: IngestConnection, files: readonly string[]): Promise<Set<number>> {
  const invalid = new Set<number>();
  for (const [index, file] of files.entries()) {
    try {
      await connection.query(`SELECT octet_length(encode(content)) AS n FROM read_text(${sqlString(file)})`);
    } catch (error) {
      if (!INVALID_TEXT.test((error as Error).message)) throw error;
      invalid.add(index + 1);
    }
  }
  return invalid;
}

/**
 * Runs a statement built over `textLinesCte`, first reading every file as text; when one is not valid UTF-8 the
 * statement runs again with the offending files read as bytes (a failed CREATE leaves no table behind).
 */
export async function execOverTextLines(
  connection: IngestConnection,
  format: SourceFormat,
  files: readonly string[],
  statement: (escapedFiles: ReadonlySet<number>) => string,
): Promise<void> {
  await readingFiles(format, files, async () => {
    try {
      await connection.exec(statement(new Set()));
    } catch (error) {
      if (!INVALID_TEXT.test((error as Error).message)) throw error;
      await connection.exec(statement(await filesNotUtf8(connection, files)));
    }
  });
}
