// Session statements a PostgreSQL client sends around its queries (SET, SHOW, BEGIN...): answered by the
// connection itself, never run anywhere. Everything else is a query.
import { SETTINGS } from './pg-catalog.js';
import { identifierName, significant, tokenize } from './sql-tokens.js';

/** What a session statement does to the connection. */
export type SessionCommand =
  | { kind: 'set'; tag: string; name?: string; value?: string }
  | { kind: 'show'; name: string }
  | { kind: 'transaction'; tag: 'BEGIN' | 'COMMIT' | 'ROLLBACK' }
  | { kind: 'noop'; tag: string };

const TAGS: Readonly<Record<string, SessionCommand>> = {
  begin: { kind: 'transaction', tag: 'BEGIN' },
  start: { kind: 'transaction', tag: 'BEGIN' },
  commit: { kind: 'transaction', tag: 'COMMIT' },
  end: { kind: 'transaction', tag: 'COMMIT' },
  rollback: { kind: 'transaction', tag: 'ROLLBACK' },
  abort: { kind: 'transaction', tag: 'ROLLBACK' },
  discard: { kind: 'noop', tag: 'DISCARD ALL' },
  deallocate: { kind: 'noop', tag: 'DEALLOCATE' },
  listen: { kind: 'noop', tag: 'LISTEN' },
  unlisten: { kind: 'noop', tag: 'UNLISTEN' },
};

/** Canonical spelling of a setting name (`datestyle` -> `DateStyle`), so SHOW answers as PostgreSQL does. */
function settingName(name: string): string {
  return Object.keys(SETTINGS).find((known) => known.toLowerCase() === name.toLowerCase()) ?? name.toLowerCase();
}

/**
 * The session command a statement is, or undefined for a query.
 * @example sessionCommand("SET DateStyle = 'ISO'") // { kind: 'set', tag: 'SET', name: 'DateStyle', value: 'ISO' }
 */
export function sessionCommand(sql: string): SessionCommand | undefined {
  const words = significant(tokenize(sql));
  const first = words[0] ? identifierName(words[0]) : undefined;
  if (first === undefined) return undefined;
  if (first === 'set' || first === 'reset') {
    const rest = words.slice(1).filter((t) => !['session', 'local'].includes(t.text.toLowerCase()));
    const name = rest[0] ? identifierName(rest[0]) : undefined;
    // SET TRANSACTION ..., SET SESSION CHARACTERISTICS: accepted; every connection is read-only anyway.
    if (first === 'reset' || name === undefined || name === 'transaction' || name === 'characteristics') return { kind: 'set', tag: first.toUpperCase() };
    const valueTokens = rest.slice(1).filter((t, i) => !(i === 0 && (t.text === '=' || t.text.toLowerCase() === 'to')));
    const value = valueTokens.map((t) => (t.kind === 'string' ? t.text.slice(1, -1).replaceAll("''", "'") : t.text)).join(' ');
    return { kind: 'set', tag: 'SET', name: settingName(name), value };
  }
  if (first === 'show') {
    const rest = words.slice(1).map((t) => identifierName(t) ?? t.text);
    if (rest.join(' ') === 'transaction isolation level') return { kind: 'show', name: 'transaction_isolation' };
    return { kind: 'show', name: rest.length === 1 ? settingName(rest[0]!) : rest.join(' ') };
  }
  return TAGS[first];
}
