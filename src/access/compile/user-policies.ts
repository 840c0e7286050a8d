// The policies of a project resolved per configured user: which assets each may read, the row filter with the
// user's attribute values as SQL literals, and the mask of each column. Pure: the input for every engine compiler.
import type { MaskDefinition, PoliciesDefinition } from '../../model/policy-definition.js';
import type { AccessControl } from '../grants/access-control.js';
import { ruleApplies } from '../policy/policy-principal.js';
import { attributeOf, USER_PLACEHOLDER } from '../policy/policy-set.js';
import { mayPreview, type Principal } from '../principal.js';

/** A column of a published asset. */
export interface CompileColumn {
  name: string;
  /** DuckDB type. */
  type: string;
}

/** A published asset the compilers write rules for. */
export interface CompileAsset {
  key: string;
  schema: string;
  name: string;
  kind: 'table' | 'view';
  columns: readonly CompileColumn[];
}

/** What one user may see of one asset. */
export interface UserAssetPolicy {
  asset: CompileAsset;
  /** A SQL predicate (the filters ANDed, attributes as literals), or undefined for every row. */
  filter?: string;
  /** Names of the filters it comes from. */
  filterNames: string[];
  /** Masked columns (as declared) and their masks. */
  masks: Map<string, MaskDefinition>;
}

/** One configured user and what they may read. */
export interface UserPolicies {
  user: string;
  principal: Principal;
  assets: UserAssetPolicy[];
}

/** A SQL string literal: the quote doubled, which every target engine reads the same way. */
export function sqlLiteral(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/**
 * Resolves the project's policies for each user of the access configuration, as Sluice itself applies them
 * (the same `appliesTo`/`unless` rules and first-mask-wins), with attribute values as literals.
 * @example const plans = userPolicies({ access, policies: project.definition.policies ?? {}, assets });
 */
export function userPolicies(input: { access: AccessControl; policies: PoliciesDefinition; assets: readonly CompileAsset[] }): UserPolicies[] {
  return Object.keys(input.access.config.users)
    .sort()
    .map((user) => {
      const principal = input.access.principalFor(user)!;
      const assets = input.assets
        .filter((asset) => mayPreview(principal, asset.key))
        .map((asset): UserAssetPolicy => {
          const policy = input.policies[asset.key] ?? {};
          const predicates: string[] = [];
          const filterNames: string[] = [];
          (policy.rowFilters ?? []).forEach((filter, i) => {
            if (!ruleApplies(filter, principal)) return;
            filterNames.push(filter.name ?? `row filter ${i + 1}`);
            const missing = [...filter.where.matchAll(USER_PLACEHOLDER)].some((m) => attributeOf(principal, m[1]!) === undefined);
            // A user without the attribute sees no rows, as in Sluice's own read path.
            predicates.push(missing ? 'false' : `(${filter.where.replace(USER_PLACEHOLDER, (_m, attr: string) => sqlLiteral(attributeOf(principal, attr)!))})`);
          });
          const masks = new Map<string, MaskDefinition>();
          for (const mask of policy.masks ?? []) {
            const column = asset.columns.find((c) => c.name.toLowerCase() === mask.column.toLowerCase())?.name ?? mask.column;
            if (!masks.has(column) && ruleApplies(mask, principal)) masks.set(column, mask.mask);
          }
          return { asset, ...(predicates.length > 0 ? { filter: predicates.join(' AND ') } : {}), filterNames, masks };
        });
      return { user, principal, assets };
    });
}
