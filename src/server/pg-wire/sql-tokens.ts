// A PostgreSQL-dialect SQL tokenizer: enough to split statements, classify them and rewrite catalog queries
// without ever touching the inside of strings, quoted identifiers or comments.

/** One token; joining every token's text gives back the input exactly. */
export interface SqlToken {
  kind: 'space' | 'comment' | 'string' | 'quoted' | 'word' | 'number' | 'param' | 'symbol';
  text: string;
}

const WORD = /[A-Za-z_\u0080-\uffff][A-Za-z0-9_$\u0080-\uffff]*/y;
const NUMBER = /(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/y;
const SPACE = /\s+/y;
const PARAM = /\$\d+/y;
const DOLLAR_TAG = /\$([A-Za-z_][A-Za-z0-9_]*)?\$/y;
const OPERATOR = /::|<>|!=|<=|>=|!~\*?|~\*|\|\||->>?|[-+*/%^<>=~!@#&|`?()[\],;.:{}]/y;

function matchAt(pattern: RegExp, sql: string, at: number): string | undefined {
  pattern.lastIndex = at;
  return pattern.exec(sql)?.[0];
}

/** The end of a quoted run starting at `at` (the opening quote), `''`-style doubling escapes the quote. */
function quotedEnd(sql: string, at: number, quote: string, backslashEscapes: boolean): number {
  let i = at + 1;
  while (i < sql.length) {
    const c = sql[i]!;
    if (backslashEscapes && c === '\\') i += 2;
    else if (c === quote) {
      if (sql[i + 1] === quote) i += 2;
      else return i + 1;
    } else i++;
  }
  throw new Error(`unterminated ${quote === "'" ? 'string' : 'quoted identifier'} in the SQL`);
}

function blockCommentEnd(sql: string, at: number): number {
  let depth = 0;
  for (let i = at; i < sql.length - 1; i++) {
    if (sql[i] === '/' && sql[i + 1] === '*') {
      depth++;
      i++;
    } else if (sql[i] === '*' && sql[i + 1] === '/') {
      depth--;
      i++;
      if (depth === 0) return i + 1;
    }
  }
  throw new Error('unterminated /* comment in the SQL');
}

/**
 * Splits SQL into tokens. Throws on an unterminated string, identifier or comment.
 * @example tokenize("SELECT 'a;b'") // word, space, string
 */
export function tokenize(sql: string): SqlToken[] {
  const tokens: SqlToken[] = [];
  let at = 0;
  const push = (kind: SqlToken['kind'], end: number): void => {
    tokens.push({ kind, text: sql.slice(at, end) });
    at = end;
  };
  while (at < sql.length) {
    const c = sql[at]!;
    const next = sql[at + 1];
    let m: string | undefined;
    if ((m = matchAt(SPACE, sql, at))) push('space', at + m.length);
    else if (c === '-' && next === '-') {
      const end = sql.indexOf('\n', at);
      push('comment', end < 0 ? sql.length : end);
    } else if (c === '/' && next === '*') push('comment', blockCommentEnd(sql, at));
    else if ((c === 'E' || c === 'e') && next === "'") push('string', quotedEnd(sql, at + 1, "'", true));
    else if (c === "'") push('string', quotedEnd(sql, at, "'", false));
    else if (c === '"') push('quoted', quotedEnd(sql, at, '"', false));
    else if ((m = matchAt(DOLLAR_TAG, sql, at))) {
      const end = sql.indexOf(m, at + m.length);
      if (end < 0) throw new Error(`unterminated dollar-quoted string ${m} in the SQL`);
      push('string', end + m.length);
    } else if ((m = matchAt(PARAM, sql, at))) push('param', at + m.length);
    else if ((m = matchAt(WORD, sql, at))) push('word', at + m.length);
    else if ((m = matchAt(NUMBER, sql, at))) push('number', at + m.length);
    else if ((m = matchAt(OPERATOR, sql, at))) push('symbol', at + m.length);
    else push('symbol', at + 1);
  }
  return tokens;
}

/** Tokens that carry meaning (no spaces or comments). */
export function significant(tokens: readonly SqlToken[]): SqlToken[] {
  return tokens.filter((t) => t.kind !== 'space' && t.kind !== 'comment');
}

/**
 * Splits a simple-query message into statements at top-level semicolons; empty statements are dropped.
 * @example splitStatements('SET x = 1; SELECT 1') // ['SET x = 1', ' SELECT 1']
 */
export function splitStatements(sql: string): string[] {
  const statements: string[] = [];
  let current = '';
  for (const token of tokenize(sql)) {
    if (token.kind === 'symbol' && token.text === ';') {
      statements.push(current);
      current = '';
    } else current += token.text;
  }
  statements.push(current);
  return statements.filter((s) => significant(tokenize(s)).length > 0);
}

/** An identifier token's name as the engine sees it: unquoted ones folded to lower case. */
export function identifierName(token: SqlToken): string | undefined {
  if (token.kind === 'word') return token.text.toLowerCase();
  if (token.kind === 'quoted') return token.text.slice(1, -1).replaceAll('""', '"');
  return undefined;
}
