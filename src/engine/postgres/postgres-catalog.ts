// Catalog look-ups on one PostgreSQL connection: a relation's kind and columns, and the views that depend on it.
import type pg from 'pg';
import { quoteQualified, type QualifiedName } from '../../model/asset-key.js';
import type { ColumnInfo } from '../warehouse.js';

export type RelationKind = 'TABLE' | 'VIEW' | 'MATERIALIZED VIEW';

/** A view to re-create after the relation it reads was replaced. */
export interface DependentView {
  relation: QualifiedName;
  definition: string;
}

/**
 * The kind of a relation, or undefined when it does not exist.
 * @example await relationKind(client, { schema: 'gold', name: 'x' }) // 'VIEW'
 */
export async function relationKind(client: pg.ClientBase, relation: QualifiedName): Promise<RelationKind | undefined> {
  const { rows } = await client.query<{ kind: string }>(`SELECT relkind AS kind FROM pg_class WHERE oid = to_regclass($1)`, [quoteQualified(relation)]);
  const kind = rows[0]?.kind;
  if (kind === undefined) return undefined;
  return kind === 'v' ? 'VIEW' : kind === 'm' ? 'MATERIALIZED VIEW' : 'TABLE';
}

/** Columns of a relation (types as PostgreSQL spells them, upper-cased), or undefined when it does not exist. */
export async function describeRelation(client: pg.ClientBase, relation: QualifiedName): Promise<ColumnInfo[] | undefined> {
  const { rows } = await client.query<{ name: string; type: string; nullable: boolean }>(
    `SELECT a.attname AS name, upper(format_type(a.atttypid, a.atttypmod)) AS type, NOT a.attnotnull AS nullable
     FROM pg_attribute AS a WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`,
    [quoteQualified(relation)],
  );
  return rows.length > 0 ? rows : undefined;
}

/**
 * Every view that reads `relation`, directly or through other views, in an order that can re-create them.
 * PostgreSQL refuses to drop a table a view reads (DuckDB does not track this), so a swap drops them with the
 * old table and re-creates them on the new one in the same transaction.
 */
export async function dependentViews(client: pg.ClientBase, relation: QualifiedName): Promise<DependentView[]> {
  const { rows } = await client.query<{ schema: string; name: string; kind: string; definition: string }>(
    `WITH RECURSIVE deps (oid, depth) AS (
       SELECT DISTINCT r.ev_class, 1 FROM pg_depend AS d JOIN pg_rewrite AS r ON r.oid = d.objid
       WHERE d.refobjid = to_regclass($1) AND r.ev_class <> d.refobjid
       UNION ALL
       SELECT DISTINCT r.ev_class, deps.depth + 1 FROM deps JOIN pg_depend AS d ON d.refobjid = deps.oid JOIN pg_rewrite AS r ON r.oid = d.objid
       WHERE r.ev_class <> d.refobjid AND deps.depth < 50
     )
     SELECT n.nspname AS schema, c.relname AS name, c.relkind AS kind, pg_get_viewdef(c.oid) AS definition
     FROM (SELECT oid, max(depth) AS depth FROM deps GROUP BY oid) AS ordered
     JOIN pg_class AS c ON c.oid = ordered.oid JOIN pg_namespace AS n ON n.oid = c.relnamespace
     ORDER BY ordered.depth, n.nspname, c.relname`,
    [quoteQualified(relation)],
  );
  const other = rows.find((r) => r.kind !== 'v');
  if (other) {
    throw new Error(
      `${other.schema}.${other.name} (a materialized view) reads ${relation.schema}.${relation.name}; drop it or turn it into a view, then run again`,
    );
  }
  return rows.map((r) => ({ relation: { schema: r.schema, name: r.name }, definition: r.definition }));
}
