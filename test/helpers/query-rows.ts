// Reads rows from an opened project's warehouse in tests, on a session of its own.
import type { Row, Sluice } from '../../src/index.js';

/** Runs `sql` on a fresh warehouse session and closes it. */
export async function queryRows(sluice: Sluice, sql: string): Promise<Row[]> {
  const session = await sluice.warehouse.session();
  try {
    return await session.query(sql);
  } finally {
    session.close();
  }
}
