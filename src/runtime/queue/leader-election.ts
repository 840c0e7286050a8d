// One automation leader per project across processes: the holder of a session advisory lock in the metadata database.
import type pg from 'pg';
import { openPostgresPool } from '../../postgres/postgres-pool.js';

const LEADER_LOCK_SPACE = 0x51_1c_e0_07;

/**
 * Asks, before each automation evaluation, whether this process leads. The lock lives on one dedicated connection:
 * when the leader's process dies, PostgreSQL ends its session and a standby takes over at its next evaluation.
 * @example const leadership = await Leadership.open({ url, project: 'flights' }); if (await leadership.holds()) evaluate();
 */
export class Leadership {
  private client: pg.PoolClient | undefined;
  private leading = false;

  private constructor(
    private readonly pool: pg.Pool,
    private readonly project: string,
  ) {}

  static async open(config: { url: string; project: string }): Promise<Leadership> {
    return new Leadership(await openPostgresPool({ url: config.url, role: 'metadata', max: 1 }), config.project);
  }

  /** True while this process holds the lock; tries to take it when it does not. */
  async holds(): Promise<boolean> {
    try {
      this.client ??= await this.pool.connect();
      if (this.leading) {
        // Still our session? A dropped connection took the lock with it.
        await this.client.query('SELECT 1');
        return true;
      }
      const { rows } = await this.client.query<{ ok: boolean }>(`SELECT pg_try_advisory_lock(${LEADER_LOCK_SPACE}, hashtext($1)) AS ok`, [this.project]);
      this.leading = rows[0]!.ok;
      return this.leading;
    } catch {
      this.leading = false;
      this.client?.release(true);
      this.client = undefined;
      return false;
    }
  }

  /** Steps down (the session ends, so a standby may lead at once). */
  async close(): Promise<void> {
    this.client?.release(true);
    this.client = undefined;
    this.leading = false;
    await this.pool.end();
  }
}
