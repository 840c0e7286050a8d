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
];
