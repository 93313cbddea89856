import { existsSync, mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { acquireCameraLock, type CameraLock } from './camera-lock.js';
import { SyncError, isSyncError } from './errors.js';
import { openSqlite, type SqliteDatabase, type SqliteStatement, type SqliteValue } from './sqlite.js';

/**
 * The life of a remote recording in the ledger: `listed` → `downloaded` → `verified` →
 * `deleted-on-camera`; `lost` when it vanished from the camera before a verified copy existed.
 */
export type RecordingState = 'listed' | 'downloaded' | 'verified' | 'deleted-on-camera' | 'lost';

export const RECORDING_STATES: readonly RecordingState[] = ['listed', 'downloaded', 'verified', 'deleted-on-camera', 'lost'];

/** One row of the ledger: a remote recording ever seen. */
export interface LedgerRecording {
  id: number;
  camera: string;
  channel: number;
  /** The camera's unique key (Timelapse filename, Amcrest FilePath). */
  remoteKey: string;
  /** Start and end, ms since the epoch. */
  startMs: number;
  endMs: number;
  /** Start in camera wall-clock time `YYYY-MM-DD HH:MM:SS`. */
  cameraStart: string;
  /** The real size as the camera reports it, when it does. */
  remoteSize: number | null;
  /** Archive-relative path, `/`-separated. */
  localPath: string | null;
  localSize: number | null;
  sha256: string | null;
  state: RecordingState;
  firstSeenMs: number;
  lastSeenMs: number;
  verifiedMs: number | null;
  deletedMs: number | null;
  lostMs: number | null;
  attempts: number;
  lastError: string | null;
}

/** What a listing says about one recording. */
export interface ListedRecording {
  channel: number;
  remoteKey: string;
  startMs: number;
  endMs: number;
  cameraStart: string;
  remoteSize: number | undefined;
}

export interface LedgerRun {
  id: number;
  startedMs: number;
  finishedMs: number | null;
  status: string;
  dryRun: boolean;
  exitCode: number | null;
}

export interface LedgerCameraRun {
  runId: number;
  camera: string;
  startedMs: number;
  finishedMs: number | null;
  status: string;
  listed: number;
  downloaded: number;
  bytes: number;
  failed: number;
  lost: number;
  deleted: number;
  error: string | null;
}

/** Schema migrations; `PRAGMA user_version` is the index of the last one applied + 1. */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE recordings (
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
];

/** The schema version this build writes. */
export const LEDGER_SCHEMA_VERSION = MIGRATIONS.length;

export interface OpenLedgerOptions {
  /** Wait this long for another process's write lock, in ms. @default 10000 */
  busyTimeoutMs?: number;
  /** Open an existing ledger only (status, verify, report): no file is created. @default false */
  readOnly?: boolean;
  /** Clock, ms since the epoch. @default Date.now */
  now?: () => number;
}

/**
 * The ledger: an SQLite index of every remote recording ever seen and of every run, inside the
 * archive. This module is the only one that claims cameras and records states (the seam where a
 * shared database engine would take over). Every state change is one statement, written after the
 * disk already holds what it says.
 */
export class Ledger {
  readonly path: string;
  readonly #db: SqliteDatabase;
  readonly #now: () => number;
  readonly #statements = new Map<string, SqliteStatement>();

  private constructor(path: string, db: SqliteDatabase, now: () => number) {
    this.path = path;
    this.#db = db;
    this.#now = now;
  }

  /** Opens (creating it and its folder unless `readOnly`) and migrates the ledger. */
  static open(path: string, options: OpenLedgerOptions = {}): Ledger {
    if (!options.readOnly) mkdirSync(dirname(path), { recursive: true });
    else if (!existsSync(path)) throw new SyncError(`no ledger at ${path} yet: run camdl sync first`, { code: 'ERR_SYNC_LEDGER' });
    let db: SqliteDatabase;
    try {
      db = openSqlite(path, { timeout: options.busyTimeoutMs ?? 10_000 });
    } catch (error) {
      if (isSyncError(error)) throw error;
      throw new SyncError(`cannot open the ledger ${path}: ${error instanceof Error ? error.message : String(error)}`, { code: 'ERR_SYNC_LEDGER', cause: error });
    }
    const ledger = new Ledger(path, db, options.now ?? Date.now);
    try {
      ledger.#migrate();
    } catch (error) {
      db.close();
      throw error;
    }
    return ledger;
  }

  #migrate(): void {
    this.#db.exec('PRAGMA journal_mode = WAL');
    this.#db.exec('PRAGMA synchronous = FULL');
    this.#db.exec('PRAGMA foreign_keys = ON');
    const version = Number(this.#db.prepare('PRAGMA user_version').get()?.['user_version'] ?? 0);
    if (version > MIGRATIONS.length) {
      throw new SyncError(`the ledger ${this.path} has schema version ${version}, newer than this camdl understands (${MIGRATIONS.length}): upgrade camdl`, { code: 'ERR_SYNC_LEDGER' });
    }
    if (version === MIGRATIONS.length) return;
    this.#db.exec('BEGIN IMMEDIATE');
    try {
      // Another process may have migrated while this one waited for the lock.
      const current = Number(this.#db.prepare('PRAGMA user_version').get()?.['user_version'] ?? 0);
      for (let index = current; index < MIGRATIONS.length; index += 1) this.#db.exec(MIGRATIONS[index]!);
      this.#db.exec(`PRAGMA user_version = ${MIGRATIONS.length}`);
      this.#db.exec('COMMIT');
    } catch (error) {
      this.#db.exec('ROLLBACK');
      throw new SyncError(`cannot migrate the ledger ${this.path}: ${error instanceof Error ? error.message : String(error)}`, { code: 'ERR_SYNC_LEDGER', cause: error });
    }
  }

  /** The schema version of the open database. */
  get schemaVersion(): number {
    return Number(this.#db.prepare('PRAGMA user_version').get()?.['user_version'] ?? 0);
  }

  #statement(sql: string): SqliteStatement {
    let statement = this.#statements.get(sql);
    if (!statement) {
      statement = this.#db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  #transaction<T>(work: () => T): T {
    this.#db.exec('BEGIN IMMEDIATE');
    try {
      const result = work();
      this.#db.exec('COMMIT');
      return result;
    } catch (error) {
      this.#db.exec('ROLLBACK');
      throw error;
    }
  }

  // ---- claims -------------------------------------------------------------------------------

  /**
   * Claims a camera for this process: a lock file per camera beside the ledger. Throws
   * `ERR_SYNC_CAMERA_BUSY` while another live process holds it; a lock left by a dead process on
   * this host is taken over.
   */
  claimCamera(camera: string): Promise<CameraLock> {
    return acquireCameraLock(`${dirname(this.path)}/locks`, camera);
  }

  // ---- runs ---------------------------------------------------------------------------------

  /** Marks runs left `running` by a process that is gone (SIGKILL, power loss) as `abandoned`. */
  abandonDeadRuns(isAlive: (pid: number) => boolean): number {
    const host = hostname();
    const rows = this.#statement(`SELECT id, pid FROM runs WHERE status = 'running' AND host = ?`).all(host);
    let count = 0;
    for (const row of rows) {
      if (isAlive(Number(row['pid']))) continue;
      this.#statement(`UPDATE runs SET status = 'abandoned' WHERE id = ?`).run(Number(row['id']));
      this.#statement(`UPDATE run_cameras SET status = 'abandoned' WHERE run_id = ? AND finished_ms IS NULL`).run(Number(row['id']));
      count += 1;
    }
    return count;
  }

  startRun(options: { dryRun: boolean }): number {
    const result = this.#statement(`INSERT INTO runs (started_ms, status, pid, host, dry_run) VALUES (?, 'running', ?, ?, ?)`).run(
      this.#now(),
      process.pid,
      hostname(),
      options.dryRun ? 1 : 0,
    );
    return Number(result.lastInsertRowid);
  }

  finishRun(runId: number, status: 'ok' | 'failed' | 'interrupted', exitCode: number): void {
    this.#statement(`UPDATE runs SET finished_ms = ?, status = ?, exit_code = ? WHERE id = ?`).run(this.#now(), status, exitCode, runId);
  }

  startCameraRun(runId: number, camera: string): void {
    this.#statement(`INSERT OR REPLACE INTO run_cameras (run_id, camera, started_ms, status) VALUES (?, ?, ?, 'running')`).run(runId, camera, this.#now());
  }

  finishCameraRun(
    runId: number,
    camera: string,
    outcome: { status: 'ok' | 'failed' | 'busy' | 'interrupted'; listed: number; downloaded: number; bytes: number; failed: number; lost: number; deleted: number; error?: string | undefined },
  ): void {
    this.#statement(
      `UPDATE run_cameras SET finished_ms = ?, status = ?, listed = ?, downloaded = ?, bytes = ?, failed = ?, lost = ?, deleted = ?, error = ? WHERE run_id = ? AND camera = ?`,
    ).run(this.#now(), outcome.status, outcome.listed, outcome.downloaded, outcome.bytes, outcome.failed, outcome.lost, outcome.deleted, outcome.error ?? null, runId, camera);
  }

  runs(limit = 20): LedgerRun[] {
    return this.#statement(`SELECT * FROM runs ORDER BY id DESC LIMIT ?`)
      .all(limit)
      .map((row) => ({
        id: Number(row['id']),
        startedMs: Number(row['started_ms']),
        finishedMs: row['finished_ms'] === null ? null : Number(row['finished_ms']),
        status: String(row['status']),
        dryRun: Number(row['dry_run']) === 1,
        exitCode: row['exit_code'] === null ? null : Number(row['exit_code']),
      }));
  }

  /** Per-camera results of the runs, newest first. */
  cameraRuns(camera: string, limit = 50): LedgerCameraRun[] {
    return this.#statement(`SELECT rc.* FROM run_cameras rc JOIN runs r ON r.id = rc.run_id WHERE rc.camera = ? AND r.dry_run = 0 ORDER BY rc.run_id DESC LIMIT ?`)
      .all(camera, limit)
      .map((row) => ({
        runId: Number(row['run_id']),
        camera: String(row['camera']),
        startedMs: Number(row['started_ms']),
        finishedMs: row['finished_ms'] === null ? null : Number(row['finished_ms']),
        status: String(row['status']),
        listed: Number(row['listed']),
        downloaded: Number(row['downloaded']),
        bytes: Number(row['bytes']),
        failed: Number(row['failed']),
        lost: Number(row['lost']),
        deleted: Number(row['deleted']),
        error: row['error'] === null ? null : String(row['error']),
      }));
  }

  // ---- recordings ---------------------------------------------------------------------------

  /**
   * Records a listing: new recordings become `listed`, known ones get `last_seen` and the camera's
   * current size and times. One transaction for the whole listing. Returns the camera's rows.
   */
  recordListing(camera: string, listed: readonly ListedRecording[]): void {
    const now = this.#now();
    const upsert = this.#statement(
      `INSERT INTO recordings (camera, channel, remote_key, start_ms, end_ms, camera_start, remote_size, state, first_seen_ms, last_seen_ms)
       VALUES (?, ?, ?, ?, ?, ?, ?, 'listed', ?, ?)
       ON CONFLICT (camera, channel, remote_key) DO UPDATE SET
         last_seen_ms = excluded.last_seen_ms,
         start_ms = excluded.start_ms,
         end_ms = excluded.end_ms,
         camera_start = excluded.camera_start,
         remote_size = COALESCE(excluded.remote_size, recordings.remote_size)`,
    );
    this.#transaction(() => {
      for (const item of listed) {
        upsert.run(camera, item.channel, item.remoteKey, item.startMs, item.endMs, item.cameraStart, item.remoteSize ?? null, now, now);
      }
    });
  }

  /** Every row of a camera (all channels), oldest first. */
  recordingsOf(camera: string): LedgerRecording[] {
    return this.#statement(`SELECT * FROM recordings WHERE camera = ? ORDER BY start_ms, channel, remote_key`).all(camera).map(toRecording);
  }

  /** Every row, oldest first, for status, verify and the report. */
  allRecordings(): LedgerRecording[] {
    return this.#statement(`SELECT * FROM recordings ORDER BY camera, channel, start_ms, remote_key`).all().map(toRecording);
  }

  /** Rows that should have a file in the archive (`verified`, `deleted-on-camera`). */
  archivedRecordings(cameras?: readonly string[]): LedgerRecording[] {
    const rows = this.#statement(`SELECT * FROM recordings WHERE state IN ('verified', 'deleted-on-camera') ORDER BY camera, channel, start_ms`).all().map(toRecording);
    return cameras ? rows.filter((row) => cameras.includes(row.camera)) : rows;
  }

  /**
   * Gives a row its archive-relative path: `desired`, or `name~2.ext`, `name~3.ext`… when another
   * recording already holds it (two remote names that map to one safe local name).
   */
  assignLocalPath(id: number, desired: string): string {
    return this.#transaction(() => {
      const current = this.#statement(`SELECT local_path FROM recordings WHERE id = ?`).get(id);
      const existing = current?.['local_path'];
      if (typeof existing === 'string' && existing !== '') return existing;
      const holder = this.#statement(`SELECT id FROM recordings WHERE local_path = ?`);
      const dot = desired.lastIndexOf('.');
      const slash = desired.lastIndexOf('/');
      const stem = dot > slash + 1 ? desired.slice(0, dot) : desired;
      const extension = dot > slash + 1 ? desired.slice(dot) : '';
      let candidate = desired;
      for (let n = 2; holder.get(candidate) !== undefined; n += 1) candidate = `${stem}~${n}${extension}`;
      this.#statement(`UPDATE recordings SET local_path = ? WHERE id = ?`).run(candidate, id);
      return candidate;
    });
  }

  /** The file is complete on disk (in staging), not yet hashed and in place. */
  markDownloaded(id: number, size: number): void {
    this.#statement(`UPDATE recordings SET state = 'downloaded', local_size = ?, downloaded_ms = ?, last_error = NULL WHERE id = ? AND state IN ('listed', 'downloaded', 'lost')`).run(
      size,
      this.#now(),
      id,
    );
  }

  /** Called only after the file is fsynced, renamed into place and hashed. */
  markVerified(id: number, file: { localPath: string; size: number; sha256: string }): void {
    this.#statement(`UPDATE recordings SET state = 'verified', local_path = ?, local_size = ?, sha256 = ?, verified_ms = ?, last_error = NULL WHERE id = ?`).run(
      file.localPath,
      file.size,
      file.sha256,
      this.#now(),
      id,
    );
  }

  markFailed(id: number, error: string): void {
    this.#statement(`UPDATE recordings SET attempts = attempts + 1, last_error = ? WHERE id = ?`).run(error.slice(0, 500), id);
  }

  /** Recordings gone from the camera before a verified copy existed. */
  markLost(ids: readonly number[], reason: string): void {
    const now = this.#now();
    const statement = this.#statement(`UPDATE recordings SET state = 'lost', lost_ms = ?, last_error = ? WHERE id = ? AND state IN ('listed', 'downloaded')`);
    this.#transaction(() => {
      for (const id of ids) statement.run(now, reason, id);
    });
  }

  /** The camera deleted the recording at camdl's request (only ever after `verified`). */
  markDeletedOnCamera(id: number): void {
    this.#statement(`UPDATE recordings SET state = 'deleted-on-camera', deleted_ms = ? WHERE id = ? AND state = 'verified'`).run(this.#now(), id);
  }

  /**
   * The archived copy is missing or changed (found by verify): the ledger must not say more than the
   * disk. A recording the camera still has goes back to `listed` (the next sync fetches it again);
   * one already deleted on the camera is `lost`.
   */
  markDamaged(id: number, reason: string): void {
    const now = this.#now();
    this.#statement(
      `UPDATE recordings SET
         state = CASE state WHEN 'deleted-on-camera' THEN 'lost' ELSE 'listed' END,
         lost_ms = CASE state WHEN 'deleted-on-camera' THEN ? ELSE lost_ms END,
         sha256 = NULL, local_size = NULL, verified_ms = NULL, last_error = ?
       WHERE id = ? AND state IN ('verified', 'deleted-on-camera')`,
    ).run(now, reason, id);
  }

  /** Verified rows of one archive folder, for its `SHA256SUMS`. */
  verifiedIn(folderPrefix: string): Array<{ localPath: string; sha256: string }> {
    return this.#statement(`SELECT local_path, sha256 FROM recordings WHERE state IN ('verified', 'deleted-on-camera') AND local_path LIKE ? ESCAPE '\\' ORDER BY local_path`)
      .all(`${folderPrefix.replace(/[\\%_]/g, (char) => `\\${char}`)}/%`)
      .map((row) => ({ localPath: String(row['local_path']), sha256: String(row['sha256']) }))
      .filter((row) => !row.localPath.slice(folderPrefix.length + 1).includes('/'));
  }

  close(): void {
    this.#statements.clear();
    this.#db.close();
  }
}

function num(value: SqliteValue | undefined): number | null {
  return value === null || value === undefined ? null : Number(value);
}

function toRecording(row: Record<string, SqliteValue>): LedgerRecording {
  return {
    id: Number(row['id']),
    camera: String(row['camera']),
    channel: Number(row['channel']),
    remoteKey: String(row['remote_key']),
    startMs: Number(row['start_ms']),
    endMs: Number(row['end_ms']),
    cameraStart: String(row['camera_start']),
    remoteSize: num(row['remote_size']),
    localPath: row['local_path'] === null ? null : String(row['local_path']),
    localSize: num(row['local_size']),
    sha256: row['sha256'] === null ? null : String(row['sha256']),
    state: String(row['state']) as RecordingState,
    firstSeenMs: Number(row['first_seen_ms']),
    lastSeenMs: Number(row['last_seen_ms']),
    verifiedMs: num(row['verified_ms']),
    deletedMs: num(row['deleted_ms']),
    lostMs: num(row['lost_ms']),
    attempts: Number(row['attempts']),
    lastError: row['last_error'] === null ? null : String(row['last_error']),
  };
}
