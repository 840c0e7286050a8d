// Profiles a published or staged table in one scan: row count, order-independent content hash, column statistics.
import type pg from 'pg';
import { quoteIdentifier, quoteQualified, type QualifiedName } from '../../model/asset-key.js';
import type { ColumnInfo, TableProfile } from '../warehouse.js';

/** Types with a useful min/max in PostgreSQL (booleans, JSON, arrays and geometry have none). */
const ORDERABLE = /^(SMALLINT|INTEGER|BIGINT|NUMERIC|REAL|DOUBLE PRECISION|TEXT|CHARACTER|"CHAR"|DATE|TIME|TIMESTAMP|INTERVAL|MONEY)/;

/**
 * One scan for counts, hash and min/max; distinct counts from ANALYZE's sample (approximate, as the field says).
 * @example const profile = await profileTable(client, { schema: 'silver', name: 'flights' }, columns);
 */
export async function profileTable(client: pg.ClientBase, relation: QualifiedName, columns: readonly ColumnInfo[]): Promise<TableProfile> {
  const name = quoteQualified(relation);
  // hashtextextended over each row's text form, summed: equal content gives an equal hash in any row order.
  const selects = ['count(*) AS n', 'sum(hashtextextended(t::text, 0)::numeric)::text AS h'];
  columns.forEach((c, i) => {
    const col = `t.${quoteIdentifier(c.name)}`;
    selects.push(`count(*) - count(${col}) AS nulls_${i}`);
    if (ORDERABLE.test(c.type)) selects.push(`min(${col})::text AS min_${i}`, `max(${col})::text AS max_${i}`);
  });
  const { rows } = await client.query<Record<string, unknown>>(`SELECT ${selects.join(', ')} FROM ${name} AS t`);
  const stats = rows[0]!;
  const rowCount = Number(stats.n);
  await client.query(`ANALYZE ${name}`);
  const distinct = await client.query<{ name: string; n_distinct: number }>(
    `SELECT attname AS name, n_distinct FROM pg_stats WHERE schemaname = $1 AND tablename = $2`,
    [relation.schema, relation.name],
  );
  const distincts = new Map(distinct.rows.map((r) => [r.name, r.n_distinct < 0 ? Math.round(-r.n_distinct * rowCount) : Math.round(r.n_distinct)]));
  return {
    rowCount,
    contentHash: String(stats.h ?? 'empty'),
    columns: columns.map((c, i) => ({
      name: c.name,
      type: c.type,
      nullCount: Number(stats[`nulls_${i}`]),
      distinctApprox: rowCount === 0 ? 0 : (distincts.get(c.name) ?? null),
      distinctExact: rowCount === 0,
      min: stats[`min_${i}`] == null ? null : String(stats[`min_${i}`]),
      max: stats[`max_${i}`] == null ? null : String(stats[`max_${i}`]),
    })),
  };
}
