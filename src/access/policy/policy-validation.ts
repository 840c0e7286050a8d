// Validates a project's policies at load: assets, columns, attributes, selectors and SQL, with a did-you-mean for each slip.
import { SluiceError } from '../../errors.js';
import { didYouMean } from '../../model/did-you-mean.js';
import { parseAssetKey, quoteQualified } from '../../model/asset-key.js';
import type { ColumnMaskDefinition, PoliciesDefinition, PrincipalSelector, RowFilterDefinition } from '../../model/policy-definition.js';
import { maskSql, SALT_PLACEHOLDER } from './mask-sql.js';
import { USER_PLACEHOLDER } from './policy-set.js';

/** What validation checks the policies against; each `known*` left out is not checked. */
export interface PolicyValidationContext {
  assetKeys: Iterable<string>;
  /** Columns of an asset from its published or declared schema; undefined when unknown (not built, not analysable). */
  columnsOf: (key: string) => readonly string[] | undefined;
  /** Parses one SELECT with the warehouse's parser (rejects when it does not parse). */
  parseTree: (sql: string) => Promise<unknown>;
  roles: readonly string[];
  /** Attributes users may carry (from the access configuration); `id` and `name` always exist. */
  attributes?: ReadonlySet<string>;
  users?: ReadonlySet<string>;
  groups?: ReadonlySet<string>;
}

/** Thrown when policies do not validate; lists every problem, each with its place and fix. */
export class PolicyValidationError extends SluiceError {
  constructor(readonly problems: readonly string[]) {
    super('INVALID_CONFIG', `the project's policies are invalid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

const TAG = /^[a-z][a-z0-9_-]{0,62}$/;

const hint = (name: string, candidates: Iterable<string>): string => {
  const best = didYouMean(name, candidates);
  return best ? `; did you mean "${best}"?` : '';
};

/** Column names a parse tree references outside subqueries (those may read other relations). */
function columnRefs(tree: unknown): string[] {
  const found: string[] = [];
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) return value.forEach(visit);
    if (typeof value !== 'object' || value === null) return;
    const node = value as Record<string, unknown>;
    if (node.class === 'SUBQUERY') return;
    if (node.class === 'COLUMN_REF' && Array.isArray(node.column_names)) found.push(String(node.column_names.at(-1)));
    // Lambda parameters (x -> x + 1) are not columns.
    if (node.class === 'LAMBDA') return;
    Object.values(node).forEach(visit);
  };
  visit(tree);
  return found;
}

/**
 * Every problem of `policies` against the project, as readable sentences (empty when valid).
 * @example await policyProblems(project.policies ?? {}, context) // ['silver/flights: row filter "west": unknown column "orign"; did you mean "origin"?']
 */
async function policyProblems(policies: PoliciesDefinition, context: PolicyValidationContext): Promise<string[]> {
  const problems: string[] = [];
  const keys = [...context.assetKeys];
  const selectorProblems = (where: string, selector: PrincipalSelector | undefined): void => {
    if (!selector) return;
    for (const role of selector.roles ?? [])
      if (!context.roles.includes(role)) problems.push(`${where}: unknown role "${role}"${hint(role, context.roles)} (roles: ${context.roles.join(', ')})`);
    if (context.users)
      for (const user of selector.users ?? []) if (!context.users.has(user)) problems.push(`${where}: unknown user "${user}"${hint(user, context.users)}`);
    if (context.groups)
      for (const group of selector.groups ?? [])
        if (!context.groups.has(group)) problems.push(`${where}: unknown group "${group}"${hint(group, context.groups)}`);
  };
  const sqlProblems = async (where: string, sql: string, columns: readonly string[] | undefined): Promise<void> => {
    let tree: unknown;
    try {
      tree = await context.parseTree(sql);
    } catch (error) {
      problems.push(`${where}: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    const statements = (tree as { statements?: unknown[] }).statements ?? [];
    if (statements.length !== 1) return void problems.push(`${where}: must be one expression, not several statements`);
    if (!columns) return;
    const known = new Set(columns.map((c) => c.toLowerCase()));
    for (const ref of columnRefs(statements)) {
      if (!known.has(ref.toLowerCase())) problems.push(`${where}: unknown column "${ref}"${hint(ref, columns)}`);
    }
  };

  for (const [key, policy] of Object.entries(policies)) {
    if (!keys.includes(key)) {
      problems.push(`policy for "${key}": no such asset${hint(key, keys)}`);
      continue;
    }
    const columns = context.columnsOf(key);
    const relation = quoteQualified(parseAssetKey(key));
    const columnProblem = (where: string, column: string): boolean => {
      if (!columns || columns.some((c) => c.toLowerCase() === column.toLowerCase())) return false;
      problems.push(`${where}: "${key}" has no column "${column}"${hint(column, columns)}`);
      return true;
    };
    for (const [i, filter] of (policy.rowFilters ?? []).entries()) {
      const where = `${key}: row filter "${filter.name ?? i + 1}"`;
      await filterProblems(where, filter, relation, columns);
    }
    for (const [i, mask] of (policy.masks ?? []).entries()) {
      const where = `${key}: mask ${i + 1} on "${mask.column}"`;
      selectorProblems(where, mask.appliesTo);
      selectorProblems(where, mask.unless);
      if (!maskShapeProblem(where, mask) && !columnProblem(where, mask.column)) {
        await sqlProblems(where, `SELECT ${maskSql(mask.column, mask.mask).replaceAll(SALT_PLACEHOLDER, "'salt'")} FROM ${relation}`, columns);
      }
    }
    for (const [column, tags] of Object.entries(policy.tags ?? {})) {
      columnProblem(`${key}: tags of "${column}"`, column);
      for (const tag of tags) if (!TAG.test(tag)) problems.push(`${key}: tag "${tag}" of "${column}": use lower-case letters, digits, "_" or "-" (e.g. "pii")`);
    }
  }
  return problems;

  async function filterProblems(where: string, filter: RowFilterDefinition, relation: string, columns: readonly string[] | undefined): Promise<void> {
    selectorProblems(where, filter.appliesTo);
    selectorProblems(where, filter.unless);
    if (typeof filter.where !== 'string' || filter.where.trim() === '')
      return void problems.push(`${where}: \`where\` must be a SQL predicate, e.g. "origin_region = {{ user.region }}"`);
    for (const match of filter.where.matchAll(USER_PLACEHOLDER)) {
      const attribute = match[1]!;
      const known = new Set(['id', 'name', ...(context.attributes ?? [])]);
      if (context.attributes && !known.has(attribute))
        problems.push(`${where}: unknown attribute "user.${attribute}"${hint(attribute, known)}; users carry: ${[...known].join(', ')}`);
    }
    const rest = filter.where.replace(USER_PLACEHOLDER, '');
    if (rest.includes('{{') || rest.includes('}}')) return void problems.push(`${where}: placeholders look like {{ user.<attribute> }}`);
    await sqlProblems(where, `SELECT * FROM ${relation} WHERE (${filter.where.replace(USER_PLACEHOLDER, 'NULL')})`, columns);
  }

  function maskShapeProblem(where: string, mask: ColumnMaskDefinition): boolean {
    const m = mask.mask as unknown;
    if (m === 'null' || m === 'redact' || m === 'hash' || m === 'partial') return false;
    if (typeof m === 'object' && m !== null && 'sql' in m && typeof m.sql === 'string' && m.sql.trim() !== '') return false;
    if (typeof m === 'object' && m !== null && 'partial' in m && typeof m.partial === 'object' && m.partial !== null) {
      const p = m.partial as { showFirst?: unknown; showLast?: unknown; fill?: unknown };
      const count = (v: unknown): boolean => v === undefined || (Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 1000);
      if (count(p.showFirst) && count(p.showLast) && (p.fill === undefined || (typeof p.fill === 'string' && p.fill.length > 0 && p.fill.length <= 4)))
        return false;
      problems.push(`${where}: partial needs whole numbers showFirst/showLast >= 0 and a short fill, e.g. { partial: { showFirst: 2, fill: '*' } }`);
      return true;
    }
    const label = typeof m === 'string' ? `"${m}"` : JSON.stringify(m);
    problems.push(
      `${where}: unknown mask ${label}${typeof m === 'string' ? hint(m, ['null', 'redact', 'hash', 'partial']) : ''}; use null, redact, hash, partial, { partial: {...} } or { sql: '...' }`,
    );
    return true;
  }
}

/**
 * Throws PolicyValidationError listing every problem of `policies`.
 * @example await assertValidPolicies(project.policies ?? {}, context);
 */
export async function assertValidPolicies(policies: PoliciesDefinition, context: PolicyValidationContext): Promise<void> {
  const problems = await policyProblems(policies, context);
  if (problems.length > 0) throw new PolicyValidationError(problems);
}
