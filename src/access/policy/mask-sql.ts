// Column masks as SQL expressions over the masked column (pure): null, redact, hash, partial or the author's SQL.
import type { MaskDefinition } from '../../model/policy-definition.js';
import { quoteIdentifier, sqlString } from '../../model/asset-key.js';

/** The default of `'partial'`: the first two characters stay, the rest becomes `*`. */
const DEFAULT_PARTIAL = { showFirst: 2, showLast: 0, fill: '*' };

/** A placeholder that the policy compiler turns into a bound parameter. */
export const SALT_PLACEHOLDER = '{{ mask.salt }}';

/**
 * The SQL that replaces `column` under `mask`. Values never enter the text: the hash salt is the
 * placeholder {@link SALT_PLACEHOLDER}, bound as a parameter later; `fill` is the project's own constant.
 * @example maskSql('name', 'redact') // CASE WHEN "name" IS NULL THEN NULL ELSE '[redacted]' END
 */
export function maskSql(column: string, mask: MaskDefinition): string {
  const col = quoteIdentifier(column);
  const text = `CAST(${col} AS VARCHAR)`;
  if (mask === 'null') return `(CASE WHEN false THEN ${col} END)`;
  if (mask === 'redact') return `(CASE WHEN ${col} IS NULL THEN NULL ELSE '[redacted]' END)`;
  if (mask === 'hash') return `(CASE WHEN ${col} IS NULL THEN NULL ELSE sha256(${SALT_PLACEHOLDER} || ${text}) END)`;
  if (mask === 'partial' || 'partial' in mask) {
    const { showFirst, showLast, fill } = { ...DEFAULT_PARTIAL, ...(mask === 'partial' ? {} : mask.partial) };
    const kept = showFirst + showLast;
    // A value too short to keep anything is masked whole: showing all of it would defeat the mask.
    return (
      `(CASE WHEN ${col} IS NULL THEN NULL WHEN length(${text}) <= ${kept} THEN repeat(${sqlString(fill)}, length(${text})) ` +
      `ELSE left(${text}, ${showFirst}) || repeat(${sqlString(fill)}, length(${text}) - ${kept}) || right(${text}, ${showLast}) END)`
    );
  }
  return `(${mask.sql})`;
}

/**
 * A readable name of a mask for listings and audit entries.
 * @example maskLabel({ sql: 'round(x)' }) // 'sql: round(x)'
 */
export function maskLabel(mask: MaskDefinition): string {
  if (typeof mask === 'string') return mask;
  return 'partial' in mask ? 'partial' : `sql: ${mask.sql}`;
}
