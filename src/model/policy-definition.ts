// Access policies as project data: row filters, column masks and sensitivity tags per asset (validated by src/access/policy).

/** Whom a rule applies to: anyone holding one of the roles, being one of the users, or in one of the groups. */
export interface PrincipalSelector {
  roles?: readonly string[];
  users?: readonly string[];
  groups?: readonly string[];
}

/** Keeps the first and last characters of a text value and fills the rest (`'partial'` alone keeps the first 2). */
export interface PartialMask {
  partial: { showFirst?: number; showLast?: number; fill?: string };
}

/** A SQL expression over the row's columns that replaces the column, e.g. `round(avg_delay_min)`. */
export interface SqlMask {
  sql: string;
}

/**
 * How a column is masked: `null`, `redact` (the text `[redacted]`), `hash` (salted SHA-256 of the value,
 * stable for one salt), `partial`, or a SQL expression.
 */
export type MaskDefinition = 'null' | 'redact' | 'hash' | 'partial' | PartialMask | SqlMask;

/** What every rule has: whom it applies to (default: everybody) and who is exempt. */
interface RuleScope {
  /** Who the rule applies to; omitted = every principal. */
  appliesTo?: PrincipalSelector;
  /** Principals the rule never applies to (e.g. `{ roles: ['admin'] }`), even when `appliesTo` matches them. */
  unless?: PrincipalSelector;
}

/**
 * Rows a principal sees: a SQL predicate over the asset's columns. `{{ user.<attribute> }}` (and `{{ user.id }}`)
 * become bound parameters, never text in the SQL; a principal without the attribute sees no rows.
 */
export interface RowFilterDefinition extends RuleScope {
  /** Shown in messages and in the audit log. */
  name?: string;
  where: string;
}

/** A column replaced by a masked value for the principals the rule applies to. */
export interface ColumnMaskDefinition extends RuleScope {
  column: string;
  mask: MaskDefinition;
}

/** The policy of one asset. */
export interface AssetPolicyDefinition {
  /** Every filter that applies to a principal narrows the rows (they combine with AND). */
  rowFilters?: readonly RowFilterDefinition[];
  /** The first mask of a column that applies to a principal is the one used. */
  masks?: readonly ColumnMaskDefinition[];
  /** Sensitivity tags per column (e.g. `{ name: ['pii'] }`); they follow column lineage downstream. */
  tags?: Readonly<Record<string, readonly string[]>>;
}

/** Policies of a project, by asset key (`silver/flights`). */
export type PoliciesDefinition = Readonly<Record<string, AssetPolicyDefinition>>;
