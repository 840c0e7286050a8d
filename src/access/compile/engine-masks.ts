// Column masks as Trino and PostgreSQL expressions, computing what Sluice's own masks compute (same hash, same
// partial rendering). An engine mask keeps the column's type: text masks on other types become NULL.
import type { MaskDefinition } from '../../model/policy-definition.js';

/** The engines masks are compiled for. */
export type MaskEngine = 'trino' | 'postgres';

/** How a masked column is written and typed in the engine. */
export interface MaskTarget {
  /** The quoted column reference. */
  column: string;
  /** The engine's type name of the column. */
  type: string;
  isText: boolean;
  /** SQL yielding the hash salt (a literal for Trino's private rules file, a private table read for PostgreSQL). */
  salt: string;
}

const DEFAULT_PARTIAL = { showFirst: 2, showLast: 0, fill: '*' };

const literal = (text: string): string => `'${text.replaceAll("'", "''")}'`;

/**
 * The expression replacing a masked column in `engine`.
 * @example engineMask('postgres', { column: '"name"', type: 'text', isText: true, salt: "'s'" }, 'partial')
 */
export function engineMask(engine: MaskEngine, target: MaskTarget, mask: MaskDefinition): string {
  const { column: c, type } = target;
  const nullOfType = `CAST(NULL AS ${type})`;
  if (typeof mask === 'object' && 'sql' in mask) return `CAST((${mask.sql}) AS ${type})`;
  if (mask === 'null' || !target.isText) return nullOfType;
  if (mask === 'redact') return `CASE WHEN ${c} IS NULL THEN NULL ELSE '[redacted]' END`;
  if (mask === 'hash') {
    const digest =
      engine === 'trino' ? `lower(to_hex(sha256(to_utf8(${target.salt} || ${c}))))` : `encode(sha256(convert_to(${target.salt} || ${c}, 'UTF8')), 'hex')`;
    return `CASE WHEN ${c} IS NULL THEN NULL ELSE ${digest} END`;
  }
  const { showFirst, showLast, fill } = { ...DEFAULT_PARTIAL, ...(mask === 'partial' ? {} : mask.partial) };
  const kept = showFirst + showLast;
  const fillTo = (length: string): string => (engine === 'trino' ? `rpad('', ${length}, ${literal(fill)})` : `repeat(${literal(fill)}, ${length})`);
  const head = engine === 'trino' ? `substr(${c}, 1, ${showFirst})` : `left(${c}, ${showFirst})`;
  const tail = engine === 'trino' ? `substr(${c}, length(${c}) - ${showLast} + 1, ${showLast})` : `right(${c}, ${showLast})`;
  // A value too short to keep anything is masked whole, as Sluice does.
  return `CASE WHEN ${c} IS NULL THEN NULL WHEN length(${c}) <= ${kept} THEN ${fillTo(`length(${c})`)} ELSE ${head} || ${fillTo(`length(${c}) - ${kept}`)} || ${tail} END`;
}
