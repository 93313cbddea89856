import { ALERT_STATE_MIGRATION } from './alerts/monitoring-store.js';
import { COPIES_MIGRATION } from './ledger-copies-schema.js';
import { HORIZON_MIGRATION } from './ledger-horizon-schema.js';

/** One step of the ledger's schema: a stable name (what it adds) and the SQL that adds it. */
export interface LedgerMigration {
  readonly name: string;
  readonly sql: string;
}

/**
 * The ledger's schema as the migrations that build it, oldest first; `PRAGMA user_version` is the number applied.
 * A new schema is a new entry at the end (never an edit of one that shipped: ledgers in the field have run it).
 */
export const LEDGER_MIGRATIONS: readonly LedgerMigration[] = [
  {
    name: 'recordings and runs',
    sql: `CREATE TABLE recordings (
     id INTEGER PRIMARY KEY,
     camera TEXT NOT NULL,
     channel INTEGER NOT NULL,
     remote_key TEXT NOT NULL,
     start_ms INTEGER NOT NULL,
     end_ms INTEGER NOT NULL,
     camera_start TEXT NOT NULL,
     remote_size INTEGER,
     local_path TEXT,
     local_size INTEGER,
     sha256 TEXT,
     state TEXT NOT NULL CHECK (state IN ('listed', 'downloaded', 'verified', 'deleted-on-camera', 'lost')),
     first_seen_ms INTEGER NOT NULL,
     last_seen_ms INTEGER NOT NULL,
     downloaded_ms INTEGER,
     verified_ms INTEGER,
     deleted_ms INTEGER,
     lost_ms INTEGER,
     attempts INTEGER NOT NULL DEFAULT 0,
     last_error TEXT,
     UNIQUE (camera, channel, remote_key)
   );
   CREATE UNIQUE INDEX recordings_local_path ON recordings (local_path) WHERE local_path IS NOT NULL;
   CREATE INDEX recordings_camera_start ON recordings (camera, channel, start_ms);
   CREATE TABLE runs (
     id INTEGER PRIMARY KEY,
     started_ms INTEGER NOT NULL,
     finished_ms INTEGER,
     status TEXT NOT NULL,
     pid INTEGER NOT NULL,
     host TEXT NOT NULL,
     dry_run INTEGER NOT NULL DEFAULT 0,
     exit_code INTEGER
   );
   CREATE TABLE run_cameras (
     run_id INTEGER NOT NULL REFERENCES runs (id),
     camera TEXT NOT NULL,
     started_ms INTEGER NOT NULL,
     finished_ms INTEGER,
     status TEXT NOT NULL,
     listed INTEGER NOT NULL DEFAULT 0,
     downloaded INTEGER NOT NULL DEFAULT 0,
     bytes INTEGER NOT NULL DEFAULT 0,
     failed INTEGER NOT NULL DEFAULT 0,
     lost INTEGER NOT NULL DEFAULT 0,
     deleted INTEGER NOT NULL DEFAULT 0,
     error TEXT,
     PRIMARY KEY (run_id, camera)
   );`,
  },
  { name: 'off-site copies', sql: COPIES_MIGRATION },
  { name: 'alert state', sql: ALERT_STATE_MIGRATION },
  { name: 'camera holdings and lost reasons', sql: HORIZON_MIGRATION },
];

/** The schema version this build writes and reads: a ledger with a higher one is refused (upgrade camdl). */
export const LEDGER_SCHEMA_VERSION = LEDGER_MIGRATIONS.length;

/** The tables every camdl ledger has, by which a database is told to be one. */
export const LEDGER_TABLES = ['recordings', 'runs', 'run_cameras'] as const;
