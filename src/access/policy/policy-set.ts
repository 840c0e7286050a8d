// Compiles a project's policies for one principal: the policy-applied SELECT of an asset, with its bound values.
import type { AssetPolicyDefinition, MaskDefinition, PoliciesDefinition } from '../../model/policy-definition.js';
import { parseAssetKey, quoteIdentifier, quoteQualified, type QualifiedName } from '../../model/asset-key.js';
import { maskLabel, maskSql, SALT_PLACEHOLDER } from './mask-sql.js';
import { ruleApplies, type PolicyPrincipal } from './policy-principal.js';

/** `{{ user.region }}`: an attribute of the principal, bound as a parameter. */
export const USER_PLACEHOLDER = /\{\{\s*user\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

/** An asset as one principal may see it: SQL with `$1..$n` placeholders and their values, in order. */
export interface PolicyRelation {
  /** `SELECT ... FROM "schema"."name" [WHERE ...]`: the rows and columns the principal may see. */
  sql: string;
  params: unknown[];
  /** Names of the row filters that apply (empty: every row). */
  filters: string[];
  /** Masked columns (lower case) and how. */
  masks: Map<string, string>;
}

/** Where `relation()` applies an asset's policy: another table (an asset's side output) with its columns. */
export interface PolicyTarget {
  table: QualifiedName;
  /** The table's columns; masks of columns it does not have are left out (there is nothing to mask). */
  columns: readonly string[];
}

/** Construction options of a PolicySet. */
export interface PolicySetConfig {
  policies: PoliciesDefinition;
  /** Secret salt of `hash` masks: stable for one project, never shown. */
  hashSalt: string;
}

/**
 * The policies of a project, asked per principal and asset. Pure: no I/O, no engine.
 * @example
 * const set = new PolicySet({ policies: project.policies ?? {}, hashSalt });
 * set.relation(analystWest, 'silver/flights').sql // SELECT * FROM "silver"."flights" WHERE (origin IN (...$1...))
 */
export class PolicySet {
  constructor(private readonly config: PolicySetConfig) {}

  /** The policy of one asset (empty when none is declared). */
  policyOf(key: string): AssetPolicyDefinition {
    return this.config.policies[key] ?? {};
  }

  /** The mask of `column` for `principal`, if any (the first that applies). */
  maskFor(principal: PolicyPrincipal, key: string, column: string): MaskDefinition | undefined {
    const name = column.toLowerCase();
    return this.policyOf(key).masks?.find((m) => m.column.toLowerCase() === name && ruleApplies(m, principal))?.mask;
  }

  /** Whether any row filter or mask of `key` applies to `principal` (then raw stored samples must not be shown). */
  restricts(principal: PolicyPrincipal, key: string): boolean {
    const policy = this.policyOf(key);
    return (policy.rowFilters ?? []).some((f) => ruleApplies(f, principal)) || (policy.masks ?? []).some((m) => ruleApplies(m, principal));
  }

  /**
   * The policy-applied SELECT of `key` for `principal`: matching filters ANDed, masked columns replaced by
   * `* REPLACE` (so no column list is needed and the column order stays). A filter naming an attribute the
   * principal lacks lets no row through. With `target`, the same policy is compiled over another table (a side
   * output of the asset); whether it fits that table is the caller's judgement (see side-output-policy.ts).
   * @example set.relation(viewer, 'gold/region_monthly_summary').masks // Map { 'avg_delay_min' => 'sql: round(avg_delay_min)' }
   */
  relation(principal: PolicyPrincipal, key: string, target?: PolicyTarget): PolicyRelation {
    const policy = this.policyOf(key);
    const present = target ? new Set(target.columns.map((c) => c.toLowerCase())) : undefined;
    const params: unknown[] = [];
    const bind = (value: unknown): string => {
      params.push(value);
      return `$${params.length}`;
    };
    const masks = new Map<string, string>();
    const replaced: string[] = [];
    for (const mask of policy.masks ?? []) {
      const name = mask.column.toLowerCase();
      if (masks.has(name) || !ruleApplies(mask, principal) || (present && !present.has(name))) continue;
      masks.set(name, maskLabel(mask.mask));
      replaced.push(`${maskSql(mask.column, mask.mask).replaceAll(SALT_PLACEHOLDER, () => bind(this.config.hashSalt))} AS ${quoteIdentifier(mask.column)}`);
    }
    const filters: string[] = [];
    const predicates: string[] = [];
    for (const [i, filter] of (policy.rowFilters ?? []).entries()) {
      if (!ruleApplies(filter, principal)) continue;
      filters.push(filter.name ?? `row filter ${i + 1}`);
      const missing = [...filter.where.matchAll(USER_PLACEHOLDER)].some((m) => attributeOf(principal, m[1]!) === undefined);
      predicates.push(missing ? 'false' : `(${filter.where.replace(USER_PLACEHOLDER, (_m, attr: string) => bind(attributeOf(principal, attr)))})`);
    }
    const select = replaced.length > 0 ? `* REPLACE (${replaced.join(', ')})` : '*';
    const where = predicates.length > 0 ? ` WHERE ${predicates.join(' AND ')}` : '';
    return { sql: `SELECT ${select} FROM ${quoteQualified(target?.table ?? parseAssetKey(key))}${where}`, params, filters, masks };
  }
}

/** An attribute of the principal; `id` and `name` are always there. */
export function attributeOf(principal: PolicyPrincipal, attribute: string): string | undefined {
  if (attribute === 'id') return principal.id;
  if (attribute === 'name') return principal.name;
  return Object.prototype.hasOwnProperty.call(principal.attributes, attribute) ? principal.attributes[attribute] : undefined;
}
