// SQLite schema migrations, applied in order; `PRAGMA user_version` records how many ran.

/** Each entry is one migration; append, never edit a released one. */
export const SQLITE_MIGRATIONS: readonly string[] = [
  `CREATE TABLE runs (
     id TEXT PRIMARY KEY,
     status TEXT NOT NULL CHECK (status IN ('queued', 'started', 'succeeded', 'failed', 'canceled')),
     selection TEXT NOT NULL,
     asset_keys TEXT NOT NULL,
     parent_run_id TEXT,
     created_at TEXT NOT NULL,
     started_at TEXT,
     ended_at TEXT,
     error TEXT,
     pid INTEGER NOT NULL,
     host TEXT NOT NULL
   );
   CREATE INDEX runs_status ON runs (status);
   CREATE INDEX runs_created ON runs (created_at);
   CREATE TABLE events (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     run_id TEXT NOT NULL REFERENCES runs (id),
     ts TEXT NOT NULL,
     type TEXT NOT NULL,
     asset_key TEXT,
     level TEXT NOT NULL,
     message TEXT NOT NULL,
     data TEXT NOT NULL
   );
   CREATE INDEX events_run ON events (run_id, id);
   CREATE INDEX events_type_asset ON events (type, asset_key);
   CREATE TABLE materializations (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     run_id TEXT NOT NULL REFERENCES runs (id),
     asset_key TEXT NOT NULL,
     partition_key TEXT,
     created_at TEXT NOT NULL,
     row_count INTEGER,
     duration_ms REAL NOT NULL,
     code_version TEXT,
     data_version TEXT,
     schema_json TEXT NOT NULL,
     sql_text TEXT,
     metadata TEXT NOT NULL
   );
   CREATE INDEX materializations_asset ON materializations (asset_key, id);`,
  `CREATE TABLE check_results (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     run_id TEXT NOT NULL REFERENCES runs (id),
     asset_key TEXT NOT NULL,
     check_name TEXT NOT NULL,
     check_type TEXT NOT NULL,
     passed INTEGER NOT NULL,
     severity TEXT NOT NULL,
     blocking INTEGER NOT NULL,
     failing_count INTEGER NOT NULL,
     total_count INTEGER NOT NULL,
     failing_percent REAL NOT NULL,
     sample_json TEXT NOT NULL,
     sql_text TEXT NOT NULL,
     duration_ms REAL NOT NULL,
     error TEXT,
     stage TEXT NOT NULL,
     created_at TEXT NOT NULL
   );
   CREATE INDEX check_results_asset ON check_results (asset_key, check_name, id);
   CREATE INDEX check_results_run ON check_results (run_id);`,
  // Automation: schedule/sensor/condition state, evaluations, backfills. IF NOT EXISTS: migrations were appended in parallel.
  `CREATE TABLE IF NOT EXISTS automation_state (
     name TEXT PRIMARY KEY,
     kind TEXT NOT NULL,
     enabled INTEGER,
     cursor TEXT,
     last_tick_at TEXT,
     last_run_id TEXT,
     updated_at TEXT NOT NULL
   );
   CREATE TABLE IF NOT EXISTS automation_evaluations (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     ts TEXT NOT NULL,
     name TEXT NOT NULL,
     kind TEXT NOT NULL,
     launched INTEGER NOT NULL,
     reason TEXT NOT NULL,
     run_id TEXT,
     data TEXT NOT NULL
   );
   CREATE INDEX IF NOT EXISTS automation_evaluations_name ON automation_evaluations (name, id);
   CREATE TABLE IF NOT EXISTS backfills (
     id TEXT PRIMARY KEY,
     selection TEXT NOT NULL,
     from_key TEXT NOT NULL,
     to_key TEXT NOT NULL,
     status TEXT NOT NULL CHECK (status IN ('running', 'succeeded', 'failed', 'canceled')),
     created_at TEXT NOT NULL,
     updated_at TEXT NOT NULL,
     ended_at TEXT,
     error TEXT,
     pid INTEGER NOT NULL,
     host TEXT NOT NULL
   );
   CREATE TABLE IF NOT EXISTS backfill_partitions (
     backfill_id TEXT NOT NULL REFERENCES backfills (id),
     partition_key TEXT NOT NULL,
     position INTEGER NOT NULL,
     status TEXT NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
     run_id TEXT,
     ended_at TEXT,
     PRIMARY KEY (backfill_id, partition_key)
   );`,
  // A run's record of an asset, found without reading the asset's history (a queue worker asks before each step).
  `CREATE INDEX materializations_run ON materializations (run_id, asset_key, id);`,
];
