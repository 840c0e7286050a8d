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
  return kind === undefined ? undefined : kindOf(kind);
}

function kindOf(relkind: string): RelationKind {
  return relkind === 'v' ? 'VIEW' : relkind === 'm' ? 'MATERIALIZED VIEW' : 'TABLE';
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

/** What replacing a relation involves: its kind (undefined when absent) and the views to re-create on its successor. */
export interface Replacement {
  kind: RelationKind | undefined;
  views: DependentView[];
}

/**
 * The kind of `relation` and every view that reads it, directly or through other views, in an order that can
 * re-create them; one round trip. PostgreSQL refuses to drop a table a view reads (DuckDB does not track this), so a
 * swap drops them with the old table and re-creates them on the new one in the same transaction.
 */
export async function replacementOf(client: pg.ClientBase, relation: QualifiedName): Promise<Replacement> {
  const { rows } = await client.query<{ kind: string | null; views: { schema: string; name: string; kind: string; definition: string }[] | null }>(
    `WITH RECURSIVE deps (oid, depth) AS (
       SELECT DISTINCT r.ev_class, 1 FROM pg_depend AS d JOIN pg_rewrite AS r ON r.oid = d.objid
       WHERE d.refobjid = to_regclass($1) AND r.ev_class <> d.refobjid
       UNION ALL
       SELECT DISTINCT r.ev_class, deps.depth + 1 FROM deps JOIN pg_depend AS d ON d.refobjid = deps.oid JOIN pg_rewrite AS r ON r.oid = d.objid
       WHERE r.ev_class <> d.refobjid AND deps.depth < 50
     ), views AS (
       SELECT n.nspname AS schema, c.relname AS name, c.relkind AS kind, pg_get_viewdef(c.oid) AS definition, ordered.depth
       FROM (SELECT oid, max(depth) AS depth FROM deps GROUP BY oid) AS ordered
       JOIN pg_class AS c ON c.oid = ordered.oid JOIN pg_namespace AS n ON n.oid = c.relnamespace
     )
     SELECT (SELECT relkind FROM pg_class WHERE oid = to_regclass($1)) AS kind,
            (SELECT json_agg(json_build_object('schema', schema, 'name', name, 'kind', kind, 'definition', definition) ORDER BY depth, schema, name) FROM views) AS views`,
    [quoteQualified(relation)],
  );
  const { kind, views } = rows[0]!;
  const other = views?.find((r) => r.kind !== 'v');
  if (other) {
    throw new Error(
      `${other.schema}.${other.name} (a materialized view) reads ${relation.schema}.${relation.name}; drop it or turn it into a view, then run again`,
    );
  }
  return {
    kind: kind === null ? undefined : kindOf(kind),
    views: (views ?? []).map((r) => ({ relation: { schema: r.schema, name: r.name }, definition: r.definition })),
  };
}

/**
 * The statements that replace `target` (as `replacementOf` found it) by what `create` makes, keeping its views.
 * @example replaceStatements(target, await replacementOf(client, target), 'ALTER TABLE s.stage RENAME TO t')
 */
export function replaceStatements(target: QualifiedName, replacement: Replacement, create: string): string[] {
  const { kind, views } = replacement;
  return [
    ...(kind ? [`DROP ${kind} ${quoteQualified(target)}${views.length > 0 ? ' CASCADE' : ''}`] : []),
    create,
    ...views.map((view) => `CREATE VIEW ${quoteQualified(view.relation)} AS ${view.definition}`),
  ];
}
