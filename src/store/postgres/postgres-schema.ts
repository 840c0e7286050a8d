// PostgreSQL schema migrations of the metadata store, applied in order; `schema_migrations` records each one.

/** One migration: a version, a name for the record, and its SQL (`{schema}` is replaced by the quoted schema). */
export interface PostgresMigration {
  version: number;
  name: string;
  sql: string;
}

/** Append, never edit a released one. */
export const POSTGRES_MIGRATIONS: readonly PostgresMigration[] = [
  {
    version: 1,
    name: 'runs, events, materializations, check results',
    sql: `
      CREATE TABLE {schema}.runs (
        id TEXT PRIMARY KEY,
        status TEXT NOT NULL CHECK (status IN ('queued', 'started', 'succeeded', 'failed', 'canceled')),
        selection TEXT NOT NULL,
        asset_keys JSONB NOT NULL,
        parent_run_id TEXT,
        created_at TIMESTAMPTZ NOT NULL,
        started_at TIMESTAMPTZ,
        ended_at TIMESTAMPTZ,
        error JSONB,
        pid INTEGER NOT NULL,
        host TEXT NOT NULL
      );
      CREATE INDEX runs_status ON {schema}.runs (status);
      CREATE INDEX runs_created ON {schema}.runs (created_at DESC, id DESC);
      CREATE TABLE {schema}.events (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        run_id TEXT NOT NULL REFERENCES {schema}.runs (id),
        ts TIMESTAMPTZ NOT NULL,
        type TEXT NOT NULL,
        asset_key TEXT,
        level TEXT NOT NULL,
        message TEXT NOT NULL,
        data JSONB NOT NULL
      );
      CREATE INDEX events_run ON {schema}.events (run_id, id);
      CREATE INDEX events_failures ON {schema}.events (asset_key, ts) WHERE type = 'asset_failed';
      CREATE TABLE {schema}.materializations (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        run_id TEXT NOT NULL REFERENCES {schema}.runs (id),
        asset_key TEXT NOT NULL,
        partition_key TEXT,
        created_at TIMESTAMPTZ NOT NULL,
        row_count BIGINT,
        duration_ms DOUBLE PRECISION NOT NULL,
        code_version TEXT,
        data_version TEXT,
        schema_json JSONB NOT NULL,
        sql_text TEXT,
        metadata JSONB NOT NULL
      );
      CREATE INDEX materializations_asset ON {schema}.materializations (asset_key, id DESC);
      CREATE INDEX materializations_partitions ON {schema}.materializations (asset_key, partition_key) WHERE partition_key IS NOT NULL;
      -- Identity values are handed out before commit, so with concurrent writers "newest id" cannot be read from the
      -- log incrementally; each write moves this pointer instead (in its own transaction, never backwards).
      CREATE TABLE {schema}.latest_materializations (
        asset_key TEXT PRIMARY KEY,
        materialization_id BIGINT NOT NULL REFERENCES {schema}.materializations (id)
      );
      CREATE TABLE {schema}.check_results (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        run_id TEXT NOT NULL REFERENCES {schema}.runs (id),
        asset_key TEXT NOT NULL,
        check_name TEXT NOT NULL,
        check_type TEXT NOT NULL,
        passed BOOLEAN NOT NULL,
        severity TEXT NOT NULL,
        blocking BOOLEAN NOT NULL,
        failing_count BIGINT NOT NULL,
        total_count BIGINT NOT NULL,
        failing_percent DOUBLE PRECISION NOT NULL,
        sample_json JSONB NOT NULL,
        sql_text TEXT NOT NULL,
        duration_ms DOUBLE PRECISION NOT NULL,
        error JSONB,
        stage TEXT NOT NULL,
        created_at TIMESTAMPTZ NOT NULL
      );
      CREATE INDEX check_results_latest ON {schema}.check_results (asset_key, check_name, id DESC);
      CREATE INDEX check_results_run ON {schema}.check_results (run_id, id);`,
  },
  {
    version: 2,
    name: 'automation state, evaluations, backfills',
    sql: `
      CREATE TABLE {schema}.automation_state (
        name TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        enabled BOOLEAN,
        cursor TEXT,
        last_tick_at TEXT,
        last_run_id TEXT,
        updated_at TIMESTAMPTZ NOT NULL
      );
      CREATE TABLE {schema}.automation_evaluations (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        ts TIMESTAMPTZ NOT NULL,
        name TEXT NOT NULL,
        kind TEXT NOT NULL,
        launched BOOLEAN NOT NULL,
        reason TEXT NOT NULL,
        run_id TEXT,
        data JSONB NOT NULL
      );
      CREATE INDEX automation_evaluations_name ON {schema}.automation_evaluations (name, id DESC);
      CREATE TABLE {schema}.backfills (
        id TEXT PRIMARY KEY,
        selection TEXT NOT NULL,
        from_key TEXT NOT NULL,
        to_key TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('running', 'succeeded', 'failed', 'canceled')),
        created_at TIMESTAMPTZ NOT NULL,
        updated_at TIMESTAMPTZ NOT NULL,
        ended_at TIMESTAMPTZ,
        error JSONB,
        pid INTEGER NOT NULL,
        host TEXT NOT NULL
      );
      CREATE INDEX backfills_created ON {schema}.backfills (created_at DESC, id DESC);
      CREATE TABLE {schema}.backfill_partitions (
        backfill_id TEXT NOT NULL REFERENCES {schema}.backfills (id),
        partition_key TEXT NOT NULL,
        position INTEGER NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
        run_id TEXT,
        ended_at TIMESTAMPTZ,
        PRIMARY KEY (backfill_id, partition_key)
      );`,
  },
  {
    version: 3,
    name: "a run's materialization of an asset, by index",
    // A queue worker asks before each step whether its run recorded it already; without the index, that reads the asset's history.
    sql: `CREATE INDEX materializations_run ON {schema}.materializations (run_id, asset_key, id DESC);`,
  },
];
