/**
 * The ledger's record of what each camera still holds, per run and channel (the overwrite horizon's
 * history), and why a recording was lost. Oldest and newest are the camera's own times of the
 * recordings it listed; total and used bytes are the card's, where the camera says.
 */
export const HORIZON_MIGRATION = `CREATE TABLE camera_holdings (
     run_id INTEGER NOT NULL REFERENCES runs (id),
     camera TEXT NOT NULL,
     channel INTEGER NOT NULL,
     observed_ms INTEGER NOT NULL,
     count INTEGER NOT NULL,
     oldest_ms INTEGER,
     newest_ms INTEGER,
     window_start_ms INTEGER,
     total_bytes INTEGER,
     used_bytes INTEGER,
     retention_ms INTEGER,
     PRIMARY KEY (run_id, camera, channel)
   );
   CREATE INDEX camera_holdings_camera ON camera_holdings (camera, channel, observed_ms);
   ALTER TABLE recordings ADD COLUMN lost_reason TEXT;
   ALTER TABLE run_cameras ADD COLUMN kind TEXT;`;

/** Why a recording vanished before it was archived. */
export type LostReason = 'overwritten' | 'deleted';
