/**
 * The ledger's tables for off-site copies: one row per (recording, target) with the key, the size and
 * sha256 the target confirmed, the state, the upload id of a multipart upload in progress (resumed by
 * the next run), attempts, last error and times; the SHA256SUMS last sent per (target, folder); and
 * the time keep-local removed a recording's local file (the targets still hold it).
 */
export const COPIES_MIGRATION = `CREATE TABLE copies (
     recording_id INTEGER NOT NULL REFERENCES recordings (id),
     target TEXT NOT NULL,
     key TEXT NOT NULL,
     size INTEGER,
     sha256 TEXT,
     state TEXT NOT NULL CHECK (state IN ('pending', 'uploading', 'verified', 'failed', 'conflict')),
     upload_id TEXT,
     attempts INTEGER NOT NULL DEFAULT 0,
     last_error TEXT,
     created_ms INTEGER NOT NULL,
     updated_ms INTEGER NOT NULL,
     verified_ms INTEGER,
     ever_verified INTEGER NOT NULL DEFAULT 0,
     PRIMARY KEY (recording_id, target)
   );
   CREATE INDEX copies_target_state ON copies (target, state);
   CREATE TABLE target_sums (
     target TEXT NOT NULL,
     folder TEXT NOT NULL,
     sha256 TEXT NOT NULL,
     sent_ms INTEGER NOT NULL,
     PRIMARY KEY (target, folder)
   );
   ALTER TABLE recordings ADD COLUMN local_removed_ms INTEGER;`;

/** The life of a copy on a target. */
export type CopyState = 'pending' | 'uploading' | 'verified' | 'failed' | 'conflict';

export const COPY_STATES: readonly CopyState[] = ['pending', 'uploading', 'verified', 'failed', 'conflict'];
