// Row counts of published relations, read after the timed part to check that every variant built the same data.

/** `count(*)` of each `schema/name`, through whatever SQL runner the variant has. */
export async function countRows(query: (sql: string) => Promise<Record<string, unknown>[]>, keys: readonly string[]): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const key of keys) {
    const [schema, name] = key.split('/') as [string, string];
    const rows = await query(`SELECT count(*) AS n FROM "${schema}"."${name}"`);
    counts[key] = Number(rows[0]!.n);
  }
  return counts;
}
