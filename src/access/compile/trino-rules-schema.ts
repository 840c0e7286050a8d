// The structure of Trino's system-level file-based access-control rules (trino.io/docs/current/security/
// file-system-access-control.html): catalog, schema and table rules, column constraints, filters and masks.
import { z } from 'zod';

/** A field holding a regular expression (Trino matches it against the whole name). */
const Pattern = z.string().refine((text) => {
  try {
    new RegExp(text);
    return true;
  } catch {
    return false;
  }
}, 'must be a valid regular expression');

/** Who a rule applies to: each a regex, `.*` when left out. */
const Subject = { user: Pattern.optional(), role: Pattern.optional(), group: Pattern.optional() };

const Environment = z.strictObject({ user: z.string().optional() });

const TrinoCatalogRule = z.strictObject({
  ...Subject,
  catalog: Pattern.optional(),
  /** `all`, `read-only` or `none`; booleans are the legacy spelling. */
  allow: z.union([z.enum(['all', 'read-only', 'none']), z.boolean()]),
});

const TrinoSchemaRule = z.strictObject({
  ...Subject,
  catalog: Pattern.optional(),
  schema: Pattern.optional(),
  owner: z.boolean(),
});

const TrinoColumnConstraint = z.strictObject({
  name: z.string().min(1),
  allow: z.boolean().optional(),
  mask: z.string().min(1).optional(),
  mask_environment: Environment.optional(),
});

const TrinoTableRule = z.strictObject({
  ...Subject,
  catalog: Pattern.optional(),
  schema: Pattern.optional(),
  table: Pattern.optional(),
  privileges: z.array(z.enum(['SELECT', 'INSERT', 'DELETE', 'UPDATE', 'OWNERSHIP', 'GRANT_SELECT'])),
  columns: z.array(TrinoColumnConstraint).optional(),
  filter: z.string().min(1).optional(),
  filter_environment: Environment.optional(),
});

/** A rules file: each section is optional; a present section denies what none of its rules allows. */
export const TrinoRulesFile = z.strictObject({
  catalogs: z.array(TrinoCatalogRule).optional(),
  schemas: z.array(TrinoSchemaRule).optional(),
  tables: z.array(TrinoTableRule).optional(),
});

export type TrinoRules = z.infer<typeof TrinoRulesFile>;
export type TrinoTableRuleEntry = z.infer<typeof TrinoTableRule>;
