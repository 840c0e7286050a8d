// Rewrites DuckDB-style named parameters ($name) into PostgreSQL's positional ones ($1), outside strings and comments.

/** A statement with positional parameters and the values in their order. */
export interface PositionalStatement {
  sql: string;
  values: unknown[];
}

/**
 * Replaces each `$name` with `$n` (the same name, the same number) and orders the values to match.
 * Strings ('...', E'...'), quoted identifiers, dollar-quoted bodies and comments are left alone.
 * @example toPositional('SELECT * FROM t WHERE d >= $start AND d < $end', { start: 'a', end: 'b' })
 * // { sql: 'SELECT * FROM t WHERE d >= $1 AND d < $2', values: ['a', 'b'] }
 */
export function toPositional(sql: string, params: Readonly<Record<string, unknown>>): PositionalStatement {
  const numbers = new Map<string, number>();
  const values: unknown[] = [];
  let out = '';
  let i = 0;
  while (i < sql.length) {
    const rest = sql.slice(i);
    const skipped = skippable(rest);
    if (skipped > 0) {
      out += rest.slice(0, skipped);
      i += skipped;
      continue;
    }
    const named = /^\$([A-Za-z_][A-Za-z0-9_]*)/.exec(rest);
    if (named && Object.hasOwn(params, named[1]!)) {
      const name = named[1]!;
      let n = numbers.get(name);
      if (n === undefined) {
        values.push(params[name]);
        n = values.length;
        numbers.set(name, n);
      }
      out += `$${n}`;
      i += named[0].length;
      continue;
    }
    out += sql[i];
    i++;
  }
  return { sql: out, values };
}

/** Length of a string, quoted identifier, comment or dollar-quoted body at the start of `text`, or 0. */
function skippable(text: string): number {
  const first = text[0];
  if (first === "'") return quoted(text, "'", false);
  if ((first === 'E' || first === 'e') && text[1] === "'") return 1 + quoted(text.slice(1), "'", true);
  if (first === '"') return quoted(text, '"', false);
  if (text.startsWith('--')) {
    const end = text.indexOf('\n');
    return end === -1 ? text.length : end + 1;
  }
  if (text.startsWith('/*')) return blockComment(text);
  const dollar = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(text);
  if (dollar) {
    const end = text.indexOf(dollar[0], dollar[0].length);
    return end === -1 ? text.length : end + dollar[0].length;
  }
  return 0;
}

function quoted(text: string, quote: string, backslashEscapes: boolean): number {
  for (let i = 1; i < text.length; i++) {
    if (backslashEscapes && text[i] === '\\') i++;
    else if (text[i] === quote) {
      if (text[i + 1] === quote) i++;
      else return i + 1;
    }
  }
  return text.length;
}

/** PostgreSQL block comments nest. */
function blockComment(text: string): number {
  let depth = 0;
  for (let i = 0; i < text.length - 1; i++) {
    if (text[i] === '/' && text[i + 1] === '*') {
      depth++;
      i++;
    } else if (text[i] === '*' && text[i + 1] === '/') {
      depth--;
      i++;
      if (depth === 0) return i + 1;
    }
  }
  return text.length;
}
