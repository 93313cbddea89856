import type { CopyState } from './ledger-copies-schema.js';
import { ledgerInternals, mapRow, type Ledger, type LedgerInternals } from './ledger.js';
import type { SqliteRow } from './sqlite.js';

/** One copy of a recording on one target, as the ledger records it. */
export interface CopyRow {
  recordingId: number;
  target: string;
  /** Archive-relative path; the target adds its own prefix. */
  key: string;
  /** What the target confirmed (verified), or what is being uploaded. */
  size: number | null;
  sha256: string | null;
  state: CopyState;
  /** A multipart upload in progress, resumed by the next run. */
  uploadId: string | null;
  attempts: number;
  lastError: string | null;
  createdMs: number;
  updatedMs: number;
  verifiedMs: number | null;
  /** camdl once made this copy: a later one at the key is camdl's to make again (repair), not a conflict. */
  everVerified: boolean;
}

/** A copy to make, with the recording it copies. */
export interface CopyWork {
  copy: CopyRow;
  camera: string;
  localPath: string;
  /** The ledger's size and sha256 of the local file. */
  size: number;
  sha256: string;
  startMs: number;
}

/** Per camera and target: how many copies are in each state, and since when the oldest unfinished waits. */
export interface CopySummary {
  target: string;
  verified: number;
  pending: number;
  /** Not verified and at least one failed attempt. */
  failing: number;
  conflict: number;
  /** `created_ms` of the oldest copy not yet verified. */
  oldestPendingMs: number | undefined;
}

/** A verified copy with its recording (verify, restore). */
export interface VerifiedCopy extends CopyRow {
  camera: string;
  startMs: number;
  endMs: number;
  /** The recording's sha256 in the ledger (the copy's when verify found the local file damaged): a restored file must match it. */
  recordingSha256: string;
  recordingSize: number;
}

const COPY_COLUMNS = {
  recordingId: ['recording_id', 'integer'],
  target: ['target', 'text'],
  key: ['key', 'text'],
  size: ['size', 'integer?'],
  sha256: ['sha256', 'text?'],
  state: ['state', 'text'],
  uploadId: ['upload_id', 'text?'],
  attempts: ['attempts', 'integer'],
  lastError: ['last_error', 'text?'],
  createdMs: ['created_ms', 'integer'],
  updatedMs: ['updated_ms', 'integer'],
  verifiedMs: ['verified_ms', 'integer?'],
  everVerified: ['ever_verified', 'boolean'],
} as const;

function copyFrom(row: SqliteRow): CopyRow {
  const mapped = mapRow(row, COPY_COLUMNS);
  return { ...mapped, state: mapped.state as CopyState };
}

/** Rows read from the ledger at a time. */
const PAGE = 256;

/** Archived recordings whose local file camdl keeps (keep-local has not removed it). */
const LOCAL = `r.state IN ('verified', 'deleted-on-camera') AND r.local_removed_ms IS NULL AND r.local_path IS NOT NULL AND r.sha256 IS NOT NULL`;

/**
 * The copies part of the ledger: one row per (recording, target). Each state change is one statement,
 * written after the target confirmed what it says (a copy is `verified` only with the size and sha256
 * the target reported).
 */
export class CopyLedger {
  readonly #sql: LedgerInternals;

  constructor(ledger: Ledger) {
    this.#sql = ledgerInternals(ledger);
  }

  /**
   * A `pending` copy on each of `targets` for every archived recording of `camera` that has none yet
   * (new recordings and the backfill of those archived before the target existed), and a verified copy
   * whose content is no longer the recording's is pending again. Returns how many copies were added.
   */
  addPending(camera: string, targets: readonly string[], recordingId?: number): number {
    if (targets.length === 0) return 0;
    const now = this.#sql.now();
    // A copy of other content than the recording's now (fetched again after verify found it damaged) is made again.
    this.#sql
      .statement(
        `UPDATE copies SET state = 'pending', last_error = 'the archived recording changed since this copy was made', verified_ms = NULL, updated_ms = ?
         WHERE state = 'verified' AND recording_id IN (SELECT r.id FROM recordings r WHERE r.camera = ? AND ${LOCAL} AND (? IS NULL OR r.id = ?))
           AND (sha256 IS NOT (SELECT sha256 FROM recordings WHERE id = recording_id) OR size IS NOT (SELECT local_size FROM recordings WHERE id = recording_id))`,
      )
      .run(now, camera, recordingId ?? null, recordingId ?? null);
    return Number(
      this.#sql
        .statement(
          `INSERT OR IGNORE INTO copies (recording_id, target, key, size, sha256, state, created_ms, updated_ms)
           SELECT r.id, t.value, r.local_path, r.local_size, r.sha256, 'pending', ?, ? FROM recordings r, json_each(?) t
           WHERE r.camera = ? AND ${LOCAL} AND (? IS NULL OR r.id = ?)`,
        )
        .run(now, now, JSON.stringify(targets), camera, recordingId ?? null, recordingId ?? null).changes,
    );
  }

  /** Copies of some cameras still to make on `target` (pending, uploading, failed; conflicts are looked at again, never overwritten), oldest recording first, a page at a time. */
  toUpload(target: string, cameras: readonly string[], after: { startMs: number; id: number } | undefined, limit: number): Array<CopyWork & { cursor: { startMs: number; id: number } }> {
    return this.#sql
      .statement(
        `SELECT c.*, r.camera, r.local_path AS local_path, r.local_size AS local_size, r.sha256 AS local_sha256, r.start_ms FROM copies c JOIN recordings r ON r.id = c.recording_id
         WHERE c.target = ? AND c.state IN ('pending', 'uploading', 'failed', 'conflict') AND ${LOCAL} AND r.camera IN (SELECT value FROM json_each(?))
           AND (r.start_ms, r.id) > (?, ?)
         ORDER BY r.start_ms, r.id LIMIT ?`,
      )
      .all(target, JSON.stringify(cameras), after?.startMs ?? Number.MIN_SAFE_INTEGER, after?.id ?? 0, limit)
      .map((row) => {
        const extra = mapRow(row, { camera: ['camera', 'text'], localPath: ['local_path', 'text'], size: ['local_size', 'integer'], sha256: ['local_sha256', 'text'], startMs: ['start_ms', 'integer'] });
        const copy = copyFrom(row);
        return { copy, ...extra, cursor: { startMs: extra.startMs, id: copy.recordingId } };
      });
  }

  copy(recordingId: number, target: string): CopyRow | undefined {
    const row = this.#sql.statement(`SELECT * FROM copies WHERE recording_id = ? AND target = ?`).get(recordingId, target);
    return row === undefined ? undefined : copyFrom(row);
  }

  /** A multipart upload started (its id is kept for the next run) or ended (undefined). */
  setUploadId(recordingId: number, target: string, uploadId: string | undefined): void {
    this.#sql
      .statement(`UPDATE copies SET upload_id = ?, state = CASE WHEN ? IS NULL THEN state ELSE 'uploading' END, updated_ms = ? WHERE recording_id = ? AND target = ? AND state <> 'verified'`)
      .run(uploadId ?? null, uploadId ?? null, this.#sql.now(), recordingId, target);
  }

  /** Only with the size and sha256 the target confirmed. */
  markVerified(recordingId: number, target: string, confirmed: { key: string; size: number; sha256: string }): void {
    const now = this.#sql.now();
    this.#sql
      .statement(`UPDATE copies SET state = 'verified', key = ?, size = ?, sha256 = ?, upload_id = NULL, last_error = NULL, verified_ms = ?, updated_ms = ?, ever_verified = 1 WHERE recording_id = ? AND target = ?`)
      .run(confirmed.key, confirmed.size, confirmed.sha256, now, now, recordingId, target);
  }

  markFailed(recordingId: number, target: string, error: string): void {
    this.#sql
      .statement(`UPDATE copies SET state = 'failed', attempts = attempts + 1, last_error = ?, updated_ms = ? WHERE recording_id = ? AND target = ? AND state <> 'verified'`)
      .run(error.slice(0, 500), this.#sql.now(), recordingId, target);
  }

  /** Other content at the key that camdl never put there: left alone until a person decides. */
  markConflict(recordingId: number, target: string, error: string): void {
    this.#sql
      .statement(`UPDATE copies SET state = 'conflict', attempts = attempts + 1, upload_id = NULL, last_error = ?, updated_ms = ? WHERE recording_id = ? AND target = ?`)
      .run(error.slice(0, 500), this.#sql.now(), recordingId, target);
  }

  /** A verified copy found missing or changed: the ledger must not say more than the target. */
  markDamaged(recordingId: number, target: string, reason: string): void {
    this.#sql
      .statement(`UPDATE copies SET state = 'failed', verified_ms = NULL, last_error = ?, updated_ms = ? WHERE recording_id = ? AND target = ? AND state = 'verified'`)
      .run(reason.slice(0, 500), this.#sql.now(), recordingId, target);
  }

  /** Whether every one of `targets` holds the recording verified with the ledger's sha256. */
  heldEverywhere(recordingId: number, targets: readonly string[]): boolean {
    if (targets.length === 0) return true;
    const row = this.#sql
      .statement(
        `SELECT COUNT(*) AS held FROM copies c JOIN recordings r ON r.id = c.recording_id
         WHERE c.recording_id = ? AND c.state = 'verified' AND c.sha256 = r.sha256 AND c.size = r.local_size AND c.target IN (SELECT value FROM json_each(?))`,
      )
      .get(recordingId, JSON.stringify(targets));
    return mapRow(row ?? {}, { held: ['held', 'integer'] }).held === targets.length;
  }

  /** Per target, the copies of a camera's recordings, counted in SQL. */
  summary(camera: string): CopySummary[] {
    return this.#sql
      .statement(
        `SELECT c.target,
                SUM(c.state = 'verified') AS verified,
                SUM(c.state IN ('pending', 'uploading', 'failed')) AS pending,
                SUM(c.state IN ('pending', 'uploading', 'failed') AND c.attempts > 0) AS failing,
                SUM(c.state = 'conflict') AS conflict,
                MIN(CASE WHEN c.state <> 'verified' THEN c.created_ms END) AS oldest
         FROM copies c JOIN recordings r ON r.id = c.recording_id WHERE r.camera = ? GROUP BY c.target ORDER BY c.target`,
      )
      .all(camera)
      .map((row) => {
        const mapped = mapRow(row, { target: ['target', 'text'], verified: ['verified', 'integer'], pending: ['pending', 'integer'], failing: ['failing', 'integer'], conflict: ['conflict', 'integer'], oldest: ['oldest', 'integer?'] });
        return { target: mapped.target, verified: mapped.verified, pending: mapped.pending, failing: mapped.failing, conflict: mapped.conflict, oldestPendingMs: mapped.oldest ?? undefined };
      });
  }

  /** Copies of a camera's recordings not verified (pending, uploading, failed) and in conflict, on the camera's current targets. */
  unfinished(camera: string, targets: readonly string[]): { pending: number; conflict: number } {
    const row = this.#sql
      .statement(
        `SELECT COALESCE(SUM(c.state IN ('pending', 'uploading', 'failed')), 0) AS pending, COALESCE(SUM(c.state = 'conflict'), 0) AS conflict
         FROM copies c JOIN recordings r ON r.id = c.recording_id WHERE r.camera = ? AND c.target IN (SELECT value FROM json_each(?))`,
      )
      .get(camera, JSON.stringify(targets));
    return mapRow(row ?? {}, { pending: ['pending', 'integer'], conflict: ['conflict', 'integer'] });
  }

  /** Copies of some cameras on `target` still to make (pending, uploading, failed; conflicts are counted apart). */
  unfinishedOn(target: string, cameras: readonly string[]): number {
    const row = this.#sql
      .statement(`SELECT COUNT(*) AS n FROM copies c JOIN recordings r ON r.id = c.recording_id WHERE c.target = ? AND c.state IN ('pending', 'uploading', 'failed') AND r.camera IN (SELECT value FROM json_each(?))`)
      .get(target, JSON.stringify(cameras));
    return mapRow(row ?? {}, { n: ['n', 'integer'] }).n;
  }

  /** Verified copies on `target` with `recording_id > afterId`, a page at a time; optionally of some cameras and recordings overlapping a span. */
  verifiedPage(target: string, afterId: number, limit: number, filter: { cameras?: readonly string[] | undefined; fromMs?: number | undefined; toMs?: number | undefined } = {}): VerifiedCopy[] {
    return this.#sql
      .statement(
        `SELECT c.*, r.camera, r.start_ms, r.end_ms, COALESCE(r.sha256, c.sha256) AS recording_sha256, COALESCE(r.local_size, c.size) AS recording_size FROM copies c JOIN recordings r ON r.id = c.recording_id
         WHERE c.target = ? AND c.state = 'verified' AND c.recording_id > ? AND c.sha256 IS NOT NULL
           AND (? IS NULL OR r.camera IN (SELECT value FROM json_each(?))) AND (? IS NULL OR r.end_ms > ?) AND (? IS NULL OR r.start_ms < ?)
         ORDER BY c.recording_id LIMIT ?`,
      )
      .all(
        target,
        afterId,
        filter.cameras ? 1 : null,
        JSON.stringify(filter.cameras ?? []),
        filter.fromMs ?? null,
        filter.fromMs ?? null,
        filter.toMs ?? null,
        filter.toMs ?? null,
        limit,
      )
      .map((row) => ({
        ...copyFrom(row),
        ...mapRow(row, { camera: ['camera', 'text'], startMs: ['start_ms', 'integer'], endMs: ['end_ms', 'integer'], recordingSha256: ['recording_sha256', 'text'], recordingSize: ['recording_size', 'integer'] }),
      }));
  }

  /** Verified copies on `target`, by key (for its SHA256SUMS files), one at a time. Consume it before the next ledger call. */
  *verifiedKeys(target: string): Generator<{ key: string; sha256: string }> {
    for (const row of this.#sql.statement(`SELECT key, sha256 FROM copies WHERE target = ? AND state = 'verified' AND sha256 IS NOT NULL ORDER BY key`).iterate(target)) {
      yield mapRow(row, { key: ['key', 'text'], sha256: ['sha256', 'text'] });
    }
  }

  /** The sha256 of the SHA256SUMS last sent to a target folder. */
  sumsSent(target: string, folder: string): string | undefined {
    const row = this.#sql.statement(`SELECT sha256 FROM target_sums WHERE target = ? AND folder = ?`).get(target, folder);
    return row === undefined ? undefined : mapRow(row, { sha256: ['sha256', 'text'] }).sha256;
  }

  setSumsSent(target: string, folder: string, sha256: string): void {
    this.#sql.statement(`INSERT OR REPLACE INTO target_sums (target, folder, sha256, sent_ms) VALUES (?, ?, ?, ?)`).run(target, folder, sha256, this.#sql.now());
  }

  /**
   * Local files of a camera keep-local may remove: archived, started before `beforeMs`, held verified by
   * every one of `targets`; a recording still on a camera that deletes after archiving is kept (its
   * delete checks the local file). A page at a time by id.
   */
  keepLocalCandidates(camera: string, targets: readonly string[], beforeMs: number, keepUntilDeleted: boolean, afterId: number, limit: number): Array<{ id: number; localPath: string }> {
    if (targets.length === 0) return [];
    return this.#sql
      .statement(
        `SELECT r.id, r.local_path FROM recordings r WHERE r.camera = ? AND ${LOCAL} AND r.start_ms < ? AND r.id > ? AND (? = 0 OR r.state = 'deleted-on-camera')
           AND (SELECT COUNT(*) FROM copies c WHERE c.recording_id = r.id AND c.state = 'verified' AND c.sha256 = r.sha256 AND c.size = r.local_size
                AND c.target IN (SELECT value FROM json_each(?))) = ?
         ORDER BY r.id LIMIT ?`,
      )
      .all(camera, beforeMs, afterId, keepUntilDeleted ? 1 : 0, JSON.stringify(targets), targets.length, limit)
      .map((row) => mapRow(row, { id: ['id', 'integer'], localPath: ['local_path', 'text'] }));
  }

  /** The local file was restored from a target's copy (checked against that copy's sha256). */
  markRestored(recordingId: number, file: { size: number; sha256: string }): boolean {
    const now = this.#sql.now();
    return (
      Number(
        this.#sql
          .statement(
            `UPDATE recordings SET state = CASE WHEN deleted_ms IS NOT NULL THEN 'deleted-on-camera' ELSE 'verified' END, local_size = ?, sha256 = ?, verified_ms = ?, lost_ms = NULL, last_error = NULL, local_removed_ms = NULL
             WHERE id = ? AND state = 'lost'`,
          )
          .run(file.size, file.sha256, now, recordingId).changes,
      ) === 1
    );
  }

  /** The state of a recording (restore checks it has not been restored meanwhile). */
  recordingState(recordingId: number): string | undefined {
    const row = this.#sql.statement(`SELECT state FROM recordings WHERE id = ?`).get(recordingId);
    return row === undefined ? undefined : mapRow(row, { state: ['state', 'text'] }).state;
  }

  /** Every verified copy on `target` (see {@link verifiedPage}), read a page at a time as it is consumed: no statement stays open between pages. */
  *verifiedOn(target: string, filter: { cameras?: readonly string[] | undefined; fromMs?: number | undefined; toMs?: number | undefined } = {}): Generator<VerifiedCopy> {
    for (let page = this.verifiedPage(target, 0, PAGE, filter); page.length > 0; page = this.verifiedPage(target, page[page.length - 1]!.recordingId, PAGE, filter)) yield* page;
  }

  /** Verified copies on `target` in one folder (`''`: the target's root), for its SHA256SUMS. */
  verifiedKeysIn(target: string, folder: string): Array<{ key: string; sha256: string }> {
    const rows = folder === ''
      ? this.#sql.statement(`SELECT key, sha256 FROM copies WHERE target = ? AND state = 'verified' AND sha256 IS NOT NULL AND instr(key, '/') = 0 ORDER BY key`).all(target)
      : this.#sql
          .statement(`SELECT key, sha256 FROM copies WHERE target = ? AND state = 'verified' AND sha256 IS NOT NULL AND key >= ? AND key < ? AND instr(substr(key, ?), '/') = 0 ORDER BY key`)
          .all(target, `${folder}/`, `${folder}0`, folder.length + 2);
    return rows.map((row) => mapRow(row, { key: ['key', 'text'], sha256: ['sha256', 'text'] }));
  }

  /** Every camera the ledger knows, with its kind as its latest run recorded it. */
  cameras(): Array<{ name: string; kind: string }> {
    return this.#sql
      .statement(
        `SELECT r.camera, MAX(r.channel) > 0 AS multi,
                (SELECT rc.kind FROM run_cameras rc WHERE rc.camera = r.camera AND rc.kind IS NOT NULL ORDER BY rc.run_id DESC LIMIT 1) AS kind
           FROM recordings r GROUP BY r.camera ORDER BY r.camera`,
      )
      .all()
      .map((row) => mapRow(row, { name: ['camera', 'text'], multi: ['multi', 'boolean'], kind: ['kind', 'text?'] }))
      // Ledgers written before runs kept the kind: channels above 0 are an Amcrest/Dahua recorder's.
      .map((row) => ({ name: row.name, kind: row.kind ?? (row.multi ? 'amcrest' : 'timelapse') }));
  }

  /** keep-local removed the local file (every target holds it verified). */
  markLocalRemoved(recordingId: number): void {
    this.#sql.statement(`UPDATE recordings SET local_removed_ms = ? WHERE id = ? AND local_removed_ms IS NULL`).run(this.#sql.now(), recordingId);
  }

  /** Per camera: how many archived recordings are kept on the targets only. */
  localRemoved(camera: string): number {
    const row = this.#sql.statement(`SELECT COUNT(*) AS n FROM recordings WHERE camera = ? AND local_removed_ms IS NOT NULL AND state IN ('verified', 'deleted-on-camera')`).get(camera);
    return mapRow(row ?? {}, { n: ['n', 'integer'] }).n;
  }

  /**
   * Recordings whose local file verify found damaged after the camera had deleted them (`lost`) while
   * a target still holds a verified copy with a known sha256: the local archive is restored from that
   * copy (a recording the camera still has is fetched from the camera again).
   */
  restorable(camera: string, targets: readonly string[]): Array<{ recordingId: number; localPath: string; target: string; key: string; size: number; sha256: string }> {
    if (targets.length === 0) return [];
    return this.#sql
      .statement(
        `SELECT r.id AS recording_id, r.local_path, c.target, c.key, c.size, c.sha256 FROM recordings r JOIN copies c ON c.recording_id = r.id
         WHERE r.camera = ? AND r.state = 'lost' AND r.local_path IS NOT NULL AND c.state = 'verified' AND c.sha256 IS NOT NULL AND c.size IS NOT NULL
           AND c.target IN (SELECT value FROM json_each(?))
         GROUP BY r.id ORDER BY r.start_ms, r.id`,
      )
      .all(camera, JSON.stringify(targets))
      .map((row) => mapRow(row, { recordingId: ['recording_id', 'integer'], localPath: ['local_path', 'text'], target: ['target', 'text'], key: ['key', 'text'], size: ['size', 'integer'], sha256: ['sha256', 'text'] }));
  }

  /** Upload ids of unfinished copies that can no longer finish on `target` (the recording is no longer archived here, or its target was removed from the camera). */
  orphanedUploads(target: string, cameraTargets: ReadonlyMap<string, readonly string[]>): Array<{ recordingId: number; key: string; uploadId: string }> {
    return this.#sql
      .statement(`SELECT c.recording_id, c.key, c.upload_id, r.camera, (${LOCAL}) AS archived FROM copies c JOIN recordings r ON r.id = c.recording_id WHERE c.target = ? AND c.upload_id IS NOT NULL AND c.state <> 'verified'`)
      .all(target)
      .map((row) => mapRow(row, { recordingId: ['recording_id', 'integer'], key: ['key', 'text'], uploadId: ['upload_id', 'text'], camera: ['camera', 'text'], archived: ['archived', 'boolean'] }))
      .filter((row) => !row.archived || !(cameraTargets.get(row.camera) ?? []).includes(target))
      .map(({ recordingId, key, uploadId }) => ({ recordingId, key, uploadId }));
  }
}
