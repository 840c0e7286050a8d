// Trino's file-based access-control rules from Sluice's policies: per user, read-only access to the catalog and a
// SELECT rule per readable table with its row filter and column masks. Validated against Trino's documented format.
import { engineType } from '../export/external-ddl.js';
import { engineMask } from './engine-masks.js';
import { TrinoRulesFile, type TrinoRules, type TrinoTableRuleEntry } from './trino-rules-schema.js';
import { sqlLiteral, type UserPolicies } from './user-policies.js';

/** Where the exported tables live in Trino, and the salt of `hash` masks. */
export interface TrinoCompileOptions {
  /** The Hive connector catalog `sluice ddl --engine trino` created the tables in. */
  catalog: string;
  hashSalt: string;
}

/** A name as a regular expression matching exactly it (Trino matches rules against the whole name). */
function exactly(name: string): string {
  return name.replace(/[\\^$.*+?()[\]{}|-]/g, '\\$&');
}

/** Trino quotes identifiers with double quotes. */
const quote = (name: string): string => `"${name.replaceAll('"', '""')}"`;

/**
 * The rules file for a Trino cluster reading Sluice's exports: what each user may SELECT, which rows, which masks.
 * Anything not listed is denied (Trino's rule: no matching rule, no access).
 * @example const rules = compileTrinoRules(userPolicies({ access, policies, assets }), { catalog: 'hive', hashSalt });
 */
export function compileTrinoRules(plans: readonly UserPolicies[], options: TrinoCompileOptions): TrinoRules {
  const catalog = exactly(options.catalog);
  const readers = plans.filter((plan) => plan.assets.length > 0);
  const tables: TrinoTableRuleEntry[] = readers.flatMap((plan) =>
    plan.assets.map(({ asset, filter, masks }) => {
      const columns = [...masks].map(([name, mask]) => {
        const column = asset.columns.find((c) => c.name === name);
        const type = column ? engineType(column.type, 'trino') : 'varchar';
        return { name, mask: engineMask('trino', { column: quote(name), type, isText: type === 'varchar', salt: sqlLiteral(options.hashSalt) }, mask) };
      });
      return {
        user: exactly(plan.user),
        catalog,
        schema: exactly(asset.schema),
        table: exactly(asset.name),
        privileges: ['SELECT' as const],
        ...(filter ? { filter } : {}),
        ...(columns.length > 0 ? { columns } : {}),
      };
    }),
  );
  const rules: TrinoRules = {
    catalogs: readers.map((plan) => ({ user: exactly(plan.user), catalog, allow: 'read-only' as const })),
    // Nobody owns a schema: Sluice publishes them, Trino only reads.
    schemas: [{ owner: false }],
    tables,
  };
  // What Trino would reject at start-up must not leave Sluice.
  return TrinoRulesFile.parse(rules);
}
