import { closeSync, existsSync, openSync, readSync, statfsSync, statSync } from 'node:fs';
import { makeFolderSync } from './archive-writable.js';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isCamdlFileName } from './archive-files.js';
import { MonitoringStore } from './alerts/monitoring-store.js';
import { acquireCameraLock, type CameraLock } from './camera-lock.js';
import { SyncError, isSyncError } from './errors.js';
import { LEDGER_MIGRATIONS, LEDGER_SCHEMA_VERSION, LEDGER_TABLES } from './ledger-schema.js';
import { RUN_RECORD, type SyncOutcome } from './run-outcome.js';
import type { LostReason } from './ledger-horizon-schema.js';
import type { RemoteRecording } from './sources/camera-source.js';
import { openSqlite, type SqliteDatabase, type SqliteRow, type SqliteStatement, type SqliteValue } from './sqlite.js';

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
  /** Why it was lost: the camera overwrote it as its oldest, or it vanished from the middle; null otherwise. */
  lostReason: LostReason | null;
  attempts: number;
  lastError: string | null;
}

export interface LedgerRun {
  id: number;
  startedMs: number;
  finishedMs: number | null;
  status: string;
  dryRun: boolean;
  exitCode: number | null;
}

/** What one camera's run did, counted: the ledger keeps these per camera run and the fleet reports them per camera. */
export interface CameraRunCounts {
  listed: number;
  downloaded: number;
  bytes: number;
  failed: number;
  lost: number;
  deleted: number;
}

export interface LedgerCameraRun extends CameraRunCounts {
  runId: number;
  camera: string;
  startedMs: number;
  finishedMs: number | null;
  status: string;
  error: string | null;
}

/** What the copies module of the same package uses of an open ledger (not exported from the package). */
export interface LedgerInternals {
  statement(sql: string): SqliteStatement;
  transaction<T>(work: () => T): T;
  exec(sql: string): void;
  now(): number;
}

const internals = new WeakMap<Ledger, LedgerInternals>();

/** The statements and transactions of an open ledger, for the modules that keep their own tables in it. */
export function ledgerInternals(ledger: Ledger): LedgerInternals {
  const found = internals.get(ledger);
  if (!found) throw new SyncError('the ledger is closed', { code: 'ERR_SYNC_LEDGER' });
  return found;
}

export { LEDGER_SCHEMA_VERSION };

export interface OpenLedgerOptions {
  /** Wait this long for another process's write lock, in ms. @default 10000 */
  busyTimeoutMs?: number;
  /**
   * Read an existing ledger only (status, report, film): a read-only connection that never creates,
   * migrates or switches the file's journal, and leaves no `-wal`/`-shm` files behind where none were.
   * @default false
   */
  readOnly?: boolean;
  /**
   * Write to an existing ledger of this schema only (verify records its findings): never creates the
   * file, migrates it or switches its journal. Ignored with `readOnly`. @default false
   */
  existingOnly?: boolean;
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
    internals.set(this, {
      statement: (sql) => this.#statement(sql),
      transaction: (work) => this.#transaction(work),
      exec: (sql) => this.#db.exec(sql),
      now: () => this.#now(),
    });
  }

  /**
   * Opens the ledger. By default (sync) creates it and its folder and migrates it; `readOnly` and
   * `existingOnly` open an existing camdl ledger only. A file that is not a camdl ledger (another
   * application's database, garbage; for the two, also an empty file) is refused naming it, untouched.
   */
  static open(path: string, options: OpenLedgerOptions = {}): Ledger {
    const existing = options.readOnly === true || options.existingOnly === true;
    const kind = inspectLedgerFile(path, existing);
    if (!existing) makeFolderSync(dirname(path));
    let db: SqliteDatabase;
    try {
      // Without a `-wal` file no writer is at work: an immutable read then creates no `-wal`/`-shm`
      // files (files another user's read would leave, which the owner's next sync could not open).
      const sqliteOptions = { timeout: options.busyTimeoutMs ?? 10_000, readOnly: options.readOnly === true };
      db = options.readOnly && !existsSync(`${path}-wal`) ? openImmutable(path, sqliteOptions) : openSqlite(path, sqliteOptions);
    } catch (error) {
      if (isSyncError(error)) throw error;
      throw noRoomFor(path, error) ?? ledgerError(path, 'cannot open it', error);
    }
    const ledger = new Ledger(path, db, options.now ?? Date.now);
    try {
      if (existing) {
        ledger.#checkSchema();
        // A per-connection setting: verify's findings are as durable as a sync's writes.
        if (!options.readOnly) db.exec('PRAGMA synchronous = FULL');
      } else {
        if (kind === 'database') ledger.#checkSchema({ allowEmpty: true });
        ledger.#migrate();
        db.exec(TEMP_TABLES);
      }
    } catch (error) {
      db.close();
      throw isSyncError(error) ? error : (noRoomFor(path, error) ?? ledgerError(path, 'cannot read it', error));
    }
    return ledger;
  }

  /**
   * Refuses a database that is not a camdl ledger of a schema this build reads, before anything is
   * written. `allowEmpty`: a database with no table at all (what an interrupted first sync leaves).
   */
  #checkSchema(options: { allowEmpty?: boolean } = {}): void {
    const version = Number(this.#db.prepare('PRAGMA user_version').get()?.['user_version'] ?? 0);
    const tables = new Set(this.#db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).all().map((row) => String(row['name'])));
    if (version > LEDGER_SCHEMA_VERSION) {
      throw new SyncError(`the ledger ${this.path} has schema version ${version}, newer than this camdl understands (${LEDGER_SCHEMA_VERSION}): upgrade camdl`, { code: 'ERR_SYNC_LEDGER' });
    }
    if (version === 0 && tables.size === 0 && options.allowEmpty) return;
    const missing = LEDGER_TABLES.filter((table) => !tables.has(table));
    if (version === 0 || missing.length > 0) {
      throw new SyncError(
        `${this.path} is not a camdl ledger (${tables.size === 0 ? 'an empty database' : `a database without ${missing.length > 0 ? `the table${missing.length === 1 ? '' : 's'} ${missing.join(', ')}` : 'a camdl schema version'}`}): refused, the file is left as it is`,
        { code: 'ERR_SYNC_LEDGER' },
      );
    }
    if (version < LEDGER_SCHEMA_VERSION && !options.allowEmpty) {
      throw new SyncError(`the ledger ${this.path} has schema version ${version}, older than this camdl's (${LEDGER_SCHEMA_VERSION}): run camdl sync once to upgrade it`, { code: 'ERR_SYNC_LEDGER' });
    }
  }

  #migrate(): void {
    this.#db.exec('PRAGMA journal_mode = WAL');
    this.#db.exec('PRAGMA synchronous = FULL');
    this.#db.exec('PRAGMA foreign_keys = ON');
    const version = Number(this.#db.prepare('PRAGMA user_version').get()?.['user_version'] ?? 0);
    if (version > LEDGER_SCHEMA_VERSION) {
      throw new SyncError(`the ledger ${this.path} has schema version ${version}, newer than this camdl understands (${LEDGER_SCHEMA_VERSION}): upgrade camdl`, { code: 'ERR_SYNC_LEDGER' });
    }
    if (version === LEDGER_SCHEMA_VERSION) return;
    this.#db.exec('BEGIN IMMEDIATE');
    try {
      // Another process may have migrated while this one waited for the lock.
      const current = Number(this.#db.prepare('PRAGMA user_version').get()?.['user_version'] ?? 0);
      for (const migration of LEDGER_MIGRATIONS.slice(current)) this.#db.exec(migration.sql);
      this.#db.exec(`PRAGMA user_version = ${LEDGER_SCHEMA_VERSION}`);
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
      statement = namingErrors(this.path, this.#db.prepare(sql));
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  /** `immediate` takes the database's write lock at once; `deferred` for work on the temp tables only. */
  #transaction<T>(work: () => T, mode: 'immediate' | 'deferred' = 'immediate'): T {
    try {
      this.#db.exec(mode === 'immediate' ? 'BEGIN IMMEDIATE' : 'BEGIN');
    } catch (error) {
      throw namingFile(this.path, error);
    }
    try {
      const result = work();
      this.#db.exec('COMMIT');
      return result;
    } catch (error) {
      // SQLite rolls back on its own after some failures (SQLITE_FULL): the original error is the one to tell.
      if (this.#db.isTransaction) this.#db.exec('ROLLBACK');
      throw namingFile(this.path, error);
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

  /**
   * Claims the delivery of alert notices (the outbox) for this process, like a camera (the name starts
   * with a dot, which no camera name does): two runs finishing at once never send one notice twice.
   */
  claimAlertDelivery(): Promise<CameraLock> {
    return acquireCameraLock(`${dirname(this.path)}/locks`, '.notify');
  }


  // ---- runs ---------------------------------------------------------------------------------

  /** Marks runs left `running` by a process that is gone (SIGKILL, power loss) as `abandoned`. */
  abandonDeadRuns(isAlive: (pid: number) => boolean): number {
    const rows = this.#statement(`SELECT id, pid FROM runs WHERE status = 'running' AND host = ?`).all(hostname());
    let count = 0;
    for (const { id, pid } of rows.map((row) => mapRow(row, { id: ['id', 'integer'], pid: ['pid', 'integer'] }))) {
      if (isAlive(pid)) continue;
      this.#statement(`UPDATE runs SET status = 'abandoned' WHERE id = ?`).run(id);
      this.#statement(`UPDATE run_cameras SET status = 'abandoned' WHERE run_id = ? AND finished_ms IS NULL`).run(id);
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

  /** Records how a run ended: its status, and the exit code `camdl sync` gives that outcome ({@link RUN_RECORD}). */
  finishRun(runId: number, outcome: SyncOutcome): void {
    const { status, exitCode } = RUN_RECORD[outcome];
    this.#statement(`UPDATE runs SET finished_ms = ?, status = ?, exit_code = ? WHERE id = ?`).run(this.#now(), status, exitCode, runId);
  }

  /** `kind`: the camera's kind in the config, kept so a ledger read without its config (a target's snapshot) knows it. */
  startCameraRun(runId: number, camera: string, kind?: string): void {
    this.#statement(`INSERT OR REPLACE INTO run_cameras (run_id, camera, started_ms, status, kind) VALUES (?, ?, ?, 'running', ?)`).run(runId, camera, this.#now(), kind ?? null);
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
      .map((row) => mapRow(row, RUN_COLUMNS));
  }

  /** Per-camera results of the runs, newest first. */
  cameraRuns(camera: string, limit = 50): LedgerCameraRun[] {
    return this.#statement(`SELECT rc.* FROM run_cameras rc JOIN runs r ON r.id = rc.run_id WHERE rc.camera = ? AND r.dry_run = 0 ORDER BY rc.run_id DESC LIMIT ?`)
      .all(camera, limit)
      .map((row) => mapRow(row, CAMERA_RUN_COLUMNS));
  }

  // ---- a camera's listing and its plan --------------------------------------------------------

  /**
   * Stages what a camera listed, in this connection's temporary tables (never in the ledger file:
   * a dry run plans from it too), with the instants the listing is complete for, per channel. The
   * plan is then SQL over these and the ledger: no row is held in memory.
   */
  stageListing(camera: string, recordings: Iterable<RemoteRecording>, coverage: ReadonlyMap<number, { startMs: number; endMs: number }>): number {
    const insert = this.#statement(
      `INSERT OR REPLACE INTO temp.listing (camera, channel, remote_key, remote_name, file_name, start_ms, end_ms, camera_start, remote_size) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const bound = (value: number): number | null => (Number.isFinite(value) ? value : null);
    return this.#transaction(() => {
      this.#statement(`DELETE FROM temp.listing WHERE camera = ?`).run(camera);
      this.#statement(`DELETE FROM temp.coverage WHERE camera = ?`).run(camera);
      for (const [channel, span] of coverage) this.#statement(`INSERT INTO temp.coverage (camera, channel, start_ms, end_ms) VALUES (?, ?, ?, ?)`).run(camera, channel, bound(span.startMs), bound(span.endMs));
      let count = 0;
      for (const item of recordings) {
        insert.run(camera, item.channel, item.remoteKey, item.remoteName, item.fileName, item.startMs, item.endMs, item.cameraStart, item.size ?? null);
        count += 1;
      }
      return count;
    }, 'deferred');
  }

  /** Forgets a camera's staged listing (at the end of its part of a run). */
  dropListing(camera: string): void {
    this.#transaction(() => {
      this.#statement(`DELETE FROM temp.listing WHERE camera = ?`).run(camera);
      this.#statement(`DELETE FROM temp.coverage WHERE camera = ?`).run(camera);
    }, 'deferred');
  }

  /**
   * Records the staged listing in the ledger: new recordings become `listed`, known ones get
   * `last_seen` and the camera's current size and times. One transaction, one statement.
   */
  recordListing(camera: string): void {
    const now = this.#now();
    this.#transaction(() => {
      this.#statement(
        `INSERT INTO recordings (camera, channel, remote_key, start_ms, end_ms, camera_start, remote_size, state, first_seen_ms, last_seen_ms)
         SELECT camera, channel, remote_key, start_ms, end_ms, camera_start, remote_size, 'listed', ?, ? FROM temp.listing WHERE camera = ?
         ON CONFLICT (camera, channel, remote_key) DO UPDATE SET
           last_seen_ms = excluded.last_seen_ms,
           start_ms = excluded.start_ms,
           end_ms = excluded.end_ms,
           camera_start = excluded.camera_start,
           remote_size = COALESCE(excluded.remote_size, recordings.remote_size)`,
      ).run(now, now, camera);
    });
  }

  /** What the staged listing means for the camera, counted in SQL. */
  planSummary(camera: string): ListingPlanSummary {
    const row = this.#statement(
      `SELECT COUNT(*) AS listed,
              COALESCE(SUM(r.state IN ('verified', 'deleted-on-camera')), 0) AS archived,
              COALESCE(SUM(r.state IS NULL OR r.state NOT IN ('verified', 'deleted-on-camera')), 0) AS to_download,
              COALESCE(SUM(CASE WHEN r.state IS NULL OR r.state NOT IN ('verified', 'deleted-on-camera') THEN l.remote_size END), 0) AS bytes,
              COALESCE(SUM((r.state IS NULL OR r.state NOT IN ('verified', 'deleted-on-camera')) AND l.remote_size IS NULL), 0) AS unknown_sizes
       FROM temp.listing l LEFT JOIN recordings r ON r.camera = l.camera AND r.channel = l.channel AND r.remote_key = l.remote_key
       WHERE l.camera = ?`,
    ).get(camera);
    const counts = mapRow(row ?? {}, { listed: ['listed', 'integer'], archived: ['archived', 'integer'], toDownload: ['to_download', 'integer'], bytes: ['bytes', 'integer'], unknownSizes: ['unknown_sizes', 'integer'] });
    return { listed: counts.listed, alreadyArchived: counts.archived, toDownload: counts.toDownload, bytes: counts.unknownSizes > 0 ? undefined : counts.bytes };
  }

  /**
   * The camera's recordings to fetch, oldest first (the next the camera will overwrite), a page at a
   * time after `after` (keyset paging: no cursor stays open while files download). `id` is the
   * ledger row (undefined in a dry run, where nothing was recorded).
   */
  toDownload(camera: string, after: ListingCursor | undefined, limit: number): Array<{ id: number | undefined; remote: RemoteRecording; cursor: ListingCursor }> {
    return this.#listingPage(camera, `(r.state IS NULL OR r.state NOT IN ('verified', 'deleted-on-camera'))`, after, limit);
  }

  /** Listed recordings the ledger holds as verified (candidates for delete-after), oldest first, a page at a time. */
  verifiedListed(camera: string, after: ListingCursor | undefined, limit: number): Array<{ id: number | undefined; remote: RemoteRecording; cursor: ListingCursor }> {
    return this.#listingPage(camera, `r.state = 'verified'`, after, limit);
  }

  #listingPage(camera: string, condition: string, after: ListingCursor | undefined, limit: number): Array<{ id: number | undefined; remote: RemoteRecording; cursor: ListingCursor }> {
    const from = after ?? FIRST_CURSOR;
    return this.#statement(
      `SELECT l.*, r.id AS row_id FROM temp.listing l
       LEFT JOIN recordings r ON r.camera = l.camera AND r.channel = l.channel AND r.remote_key = l.remote_key
       WHERE l.camera = ? AND ${condition} AND (l.start_ms, l.channel, l.remote_key) > (?, ?, ?)
       ORDER BY l.start_ms, l.channel, l.remote_key LIMIT ?`,
    )
      .all(camera, from.startMs, from.channel, from.remoteKey, limit)
      .map((row) => {
        const remote = listingFrom(row);
        return { id: mapRow(row, { id: ['row_id', 'integer?'] }).id ?? undefined, remote, cursor: { startMs: remote.startMs, channel: remote.channel, remoteKey: remote.remoteKey } };
      });
  }

  /**
   * Rows not fetched (`listed`/`downloaded`) and absent from a listing that covers their start: gone
   * from the camera. Iterated (consume it before the next ledger call).
   */
  *vanished(camera: string): Generator<LedgerRecording & { lostReason: LostReason }> {
    for (const row of this.#statement(`SELECT r.*, ${LOST_REASON} AS vanished_reason FROM recordings r ${VANISHED} ORDER BY r.start_ms, r.channel, r.remote_key`).iterate(camera)) {
      yield { ...recordingFrom(row), lostReason: row['vanished_reason'] === 'deleted' ? 'deleted' : 'overwritten' };
    }
  }

  /**
   * Marks {@link vanished} rows `lost`, in one statement, each with its reason: `overwritten` when
   * nothing older of its channel is still listed (the camera dropped its oldest), else `deleted`
   * (gone from the middle of what the camera holds, or the channel lists nothing at all). Returns how many.
   */
  markVanishedLost(camera: string, message: string): number {
    return Number(
      this.#statement(`UPDATE recordings AS r SET state = 'lost', lost_ms = ?, last_error = ?, lost_reason = (${LOST_REASON}) WHERE r.id IN (SELECT v.id FROM recordings v ${vanishedWhere('v')})`).run(
        this.#now(),
        message,
        camera,
      ).changes,
    );
  }

  // ---- recordings ---------------------------------------------------------------------------

  /** One row, or undefined. */
  recording(id: number): LedgerRecording | undefined {
    const row = this.#statement(`SELECT * FROM recordings WHERE id = ?`).get(id);
    return row === undefined ? undefined : recordingFrom(row);
  }

  /**
   * Every row, oldest first. Reads the whole ledger into memory: for tests and small ledgers only
   * (sync, status, verify and the report never call it).
   */
  allRecordings(): LedgerRecording[] {
    return [...this.#statement(`SELECT * FROM recordings ORDER BY camera, channel, start_ms, remote_key`).iterate()].map(recordingFrom);
  }

  /** Rows that should have a file in the archive (`verified`, `deleted-on-camera`); for tests and small ledgers, like {@link allRecordings}. */
  archivedRecordings(): LedgerRecording[] {
    return this.#statement(`SELECT * FROM recordings WHERE state IN ('verified', 'deleted-on-camera') ORDER BY camera, channel, start_ms`)
      .all()
      .map(recordingFrom);
  }

  /** Archived rows (`verified`, `deleted-on-camera`) of some cameras with `id > afterId`, by id, a page at a time (verify). */
  archivedPage(cameras: readonly string[], afterId: number, limit: number): LedgerRecording[] {
    if (cameras.length === 0) return [];
    return this.#statement(
      `SELECT * FROM recordings WHERE state IN ('verified', 'deleted-on-camera') AND local_removed_ms IS NULL AND id > ? AND camera IN (SELECT value FROM json_each(?)) ORDER BY id LIMIT ?`,
    )
      .all(afterId, JSON.stringify(cameras), limit)
      .map(recordingFrom);
  }

  /** Every archived file (`verified`, `deleted-on-camera`): path and span, one at a time. Consume it before the next ledger call. */
  *archivedFiles(): Generator<{ camera: string; localPath: string; startMs: number; endMs: number }> {
    for (const row of this.#statement(`SELECT camera, local_path, start_ms, end_ms FROM recordings WHERE state IN ('verified', 'deleted-on-camera') AND local_path IS NOT NULL ORDER BY local_path`).iterate()) {
      yield mapRow(row, { camera: ['camera', 'text'], localPath: ['local_path', 'text'], startMs: ['start_ms', 'integer'], endMs: ['end_ms', 'integer'] });
    }
  }

  /** A camera channel's rows, oldest first, one at a time (the report). Consume it before the next ledger call. */
  *recordingsOf(camera: string, channel: number): Generator<LedgerRecording> {
    for (const row of this.#statement(`SELECT * FROM recordings WHERE camera = ? AND channel = ? ORDER BY start_ms, remote_key`).iterate(camera, channel)) yield recordingFrom(row);
  }

  /** Per channel of a camera: counts, bytes and span, aggregated in SQL. */
  channelSummaries(camera: string): ChannelSummary[] {
    return this.#statement(
      `SELECT channel,
              COUNT(*) AS total,
              SUM(state IN ('verified', 'deleted-on-camera')) AS files,
              COALESCE(SUM(CASE WHEN state IN ('verified', 'deleted-on-camera') THEN local_size END), 0) AS bytes,
              SUM(state IN ('listed', 'downloaded')) AS pending,
              SUM(state = 'lost') AS lost,
              SUM(state IN ('listed', 'downloaded') AND attempts > 0) AS failing,
              MIN(start_ms) AS first_ms,
              MAX(end_ms) AS last_ms
       FROM recordings WHERE camera = ? GROUP BY channel ORDER BY channel`,
    )
      .all(camera)
      .map((row) => mapRow(row, CHANNEL_SUMMARY_COLUMNS));
  }

  /** Camera-time days (`YYYY-MM-DD`) with at least one archived recording in a channel. */
  archivedDays(camera: string, channel: number): string[] {
    return this.#statement(
      `SELECT DISTINCT substr(camera_start, 1, 10) AS day FROM recordings WHERE camera = ? AND channel = ? AND state IN ('verified', 'deleted-on-camera') ORDER BY day`,
    )
      .all(camera, channel)
      .map((row) => mapRow(row, { day: ['day', 'text'] }).day);
  }

  /**
   * Holes longer than `toleranceMs` between the recordings of a channel (any state: a lost recording
   * was recorded), in SQL: each start against the furthest end before it.
   */
  coverageGaps(camera: string, channel: number, toleranceMs: number): Array<{ startMs: number; endMs: number }> {
    return this.#statement(
      `SELECT reach AS start_ms, start_ms AS end_ms FROM (
         SELECT start_ms, MAX(end_ms) OVER (ORDER BY start_ms, id ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS reach
         FROM recordings WHERE camera = ? AND channel = ?
       ) WHERE reach IS NOT NULL AND start_ms - reach > ? ORDER BY start_ms`,
    )
      .all(camera, channel, toleranceMs)
      .map((row) => mapRow(row, { startMs: ['start_ms', 'integer'], endMs: ['end_ms', 'integer'] }));
  }

  /** The earliest start and latest end over every recording, or undefined for an empty ledger. */
  span(): { startMs: number; endMs: number } | undefined {
    const row = mapRow(this.#statement(`SELECT MIN(start_ms) AS start_ms, MAX(end_ms) AS end_ms FROM recordings`).get() ?? {}, { startMs: ['start_ms', 'integer?'], endMs: ['end_ms', 'integer?'] });
    return row.startMs === null || row.endMs === null ? undefined : { startMs: row.startMs, endMs: row.endMs };
  }

  /**
   * Gives a row its archive-relative path: `desired`, or `name~2.ext`, `name~3.ext`… when another
   * recording already holds it (two remote names that map to one safe local name).
   */
  assignLocalPath(id: number, desired: string): string {
    return this.#transaction(() => {
      const existing = this.recording(id)?.localPath;
      // A path an older camdl gave a recording named like camdl's own files (`SHA256SUMS`) is given up.
      if (existing && !isCamdlFileName(existing.slice(existing.lastIndexOf('/') + 1))) return existing;
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

  /** Archived rows directly in one archive folder, for its `SHA256SUMS` (a range on the path index). */
  verifiedIn(folderPrefix: string): Array<{ localPath: string; sha256: string }> {
    // Every path below `folder/` sorts between `folder/` and `folder0` ('0' follows '/').
    return this.#statement(
      `SELECT local_path, sha256 FROM recordings WHERE local_path >= ? AND local_path < ? AND state IN ('verified', 'deleted-on-camera') AND local_removed_ms IS NULL AND instr(substr(local_path, ?), '/') = 0 ORDER BY local_path`,
    )
      .all(`${folderPrefix}/`, `${folderPrefix}0`, folderPrefix.length + 2)
      .map((row) => mapRow(row, { localPath: ['local_path', 'text'], sha256: ['sha256', 'text'] }))
      // A row an older camdl filed under one of camdl's own names holds no file of its own there.
      .filter((row) => !isCamdlFileName(row.localPath.slice(folderPrefix.length + 1)));
  }

  /** Alert state, notification outbox and counters, and the figures of the metrics. */
  monitoring(): MonitoringStore {
    return new MonitoringStore(this.#db);
  }

  close(): void {
    internals.delete(this);
    this.#statements.clear();
    this.#db.close();
  }
}

/** The tables every camdl ledger has. */

/** The first 16 bytes of every SQLite 3 database file. */
const SQLITE_HEADER = 'SQLite format 3\u0000';

/**
 * What is at `path` before SQLite touches it: nothing (`absent`, refused when `existing`), an empty
 * file (refused when `existing`), or an SQLite database; anything else is refused naming the file.
 */
function inspectLedgerFile(path: string, existing: boolean): 'absent' | 'empty' | 'database' {
  let size: number;
  try {
    const info = statSync(path);
    if (!info.isFile()) throw new SyncError(`${path} is not a camdl ledger (not a regular file): refused`, { code: 'ERR_SYNC_LEDGER' });
    size = info.size;
  } catch (error) {
    if (isSyncError(error)) throw error;
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw ledgerError(path, 'cannot read it', error);
    if (existing) throw new SyncError(`no ledger at ${path} yet: run camdl sync first`, { code: 'ERR_SYNC_LEDGER' });
    return 'absent';
  }
  if (size === 0) {
    if (existing) throw new SyncError(`${path} is not a camdl ledger (an empty file): refused, the file is left as it is`, { code: 'ERR_SYNC_LEDGER' });
    return 'empty';
  }
  const head = Buffer.alloc(SQLITE_HEADER.length);
  let read: number;
  try {
    const fd = openSync(path, 'r');
    try {
      read = readSync(fd, head, 0, head.length, 0);
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    throw ledgerError(path, 'cannot read it', error);
  }
  if (read < head.length || head.toString('latin1') !== SQLITE_HEADER) {
    throw new SyncError(`${path} is not a camdl ledger (not an SQLite database): refused, the file is left as it is`, { code: 'ERR_SYNC_LEDGER' });
  }
  return 'database';
}

/**
 * A read-only connection through a `file:…?immutable=1` URI; where this Node.js does not read URIs
 * (the name is then taken literally, and a read-only open of a missing file fails), a plain read-only one.
 */
function openImmutable(path: string, options: { timeout: number; readOnly: boolean }): SqliteDatabase {
  try {
    return openSqlite(`${pathToFileURL(path).href}?immutable=1`, options);
  } catch (error) {
    if (isSyncError(error)) throw error;
    return openSqlite(path, options);
  }
}

/** An SQLite failure on the ledger, naming the file (`attempt to write a readonly database` says which). */
/** SQLite's primary result code for an I/O error. */
const SQLITE_IOERR = 10;

/**
 * An SQLite I/O error while opening the ledger on a file system with no room left (its `-shm` file
 * cannot be created) is a full disk: said as the sync says it, not as an unreadable ledger.
 */
function noRoomFor(path: string, error: unknown): SyncError | undefined {
  const errcode = (error as { errcode?: unknown } | undefined)?.errcode;
  if (typeof errcode !== 'number' || (errcode & 0xff) !== SQLITE_IOERR) return undefined;
  try {
    const space = statfsSync(dirname(path));
    if (space.bavail * space.bsize >= 64 * 1024) return undefined;
  } catch {
    return undefined;
  }
  return new SyncError(`the archive's disk is full (no space left): the ledger ${path} cannot be opened; free some space and run again`, { code: 'ERR_SYNC_DISK_FULL', cause: error });
}

function ledgerError(path: string, what: string, error: unknown): SyncError {
  return new SyncError(`the ledger ${path}: ${what}: ${error instanceof Error ? error.message : String(error)}`, { code: 'ERR_SYNC_LEDGER', cause: error });
}

/**
 * An SQLite failure while the ledger is in use, its message prefixed with the file: the error itself
 * is kept (its `errcode` tells a full disk, and a run treats it as it always has).
 */
function namingFile(path: string, error: unknown): unknown {
  const prefix = `the ledger ${path}: `;
  if (error instanceof Error && !isSyncError(error) && !error.message.startsWith(prefix)) error.message = `${prefix}${error.message}`;
  return error;
}

/** A statement whose failures name the ledger file. */
function namingErrors(path: string, statement: SqliteStatement): SqliteStatement {
  const wrap =
    <Args extends SqliteValue[], Result>(call: (...params: Args) => Result) =>
    (...params: Args): Result => {
      try {
        return call(...params);
      } catch (error) {
        throw namingFile(path, error);
      }
    };
  return {
    run: wrap((...params) => statement.run(...params)),
    get: wrap((...params) => statement.get(...params)),
    all: wrap((...params) => statement.all(...params)),
    iterate: wrap((...params) => statement.iterate(...params)),
  };
}

/** Where keyset paging of a staged listing resumes: after this (start, channel, key). */
export interface ListingCursor {
  startMs: number;
  channel: number;
  remoteKey: string;
}

const FIRST_CURSOR: ListingCursor = { startMs: Number.MIN_SAFE_INTEGER, channel: Number.MIN_SAFE_INTEGER, remoteKey: '' };

/** What a camera's staged listing means, counted by the ledger. */
export interface ListingPlanSummary {
  listed: number;
  /** Listed and already verified (or deleted on the camera after it): nothing to do. */
  alreadyArchived: number;
  toDownload: number;
  /** Bytes to download; undefined when the camera does not say the size of every one. */
  bytes: number | undefined;
}

/** One channel of a camera, aggregated. */
export interface ChannelSummary {
  channel: number;
  total: number;
  files: number;
  bytes: number;
  pending: number;
  lost: number;
  failing: number;
  firstMs: number;
  lastMs: number;
}

/** Unfetched rows (alias `r`) of a camera missing from its staged listing, inside what the listing covers. */
const vanishedWhere = (r: string): string => `WHERE ${r}.camera = ? AND ${r}.state IN ('listed', 'downloaded')
  AND NOT EXISTS (SELECT 1 FROM temp.listing l WHERE l.camera = ${r}.camera AND l.channel = ${r}.channel AND l.remote_key = ${r}.remote_key)
  AND EXISTS (SELECT 1 FROM temp.coverage c WHERE c.camera = ${r}.camera AND c.channel = ${r}.channel
              AND (c.start_ms IS NULL OR ${r}.start_ms >= c.start_ms) AND (c.end_ms IS NULL OR ${r}.start_ms < c.end_ms))`;
const VANISHED = vanishedWhere('r');

/**
 * Why a vanished row `r` is gone: `overwritten` when its channel still lists something and nothing
 * older than it; `deleted` when something older is still there, or the channel lists nothing.
 */
const LOST_REASON = `CASE
    WHEN EXISTS (SELECT 1 FROM temp.listing o WHERE o.camera = r.camera AND o.channel = r.channel AND o.start_ms < r.start_ms) THEN 'deleted'
    WHEN EXISTS (SELECT 1 FROM temp.listing a WHERE a.camera = r.camera AND a.channel = r.channel) THEN 'overwritten'
    ELSE 'deleted' END`;

/** The temporary tables of a connection: the listing being planned (never written to the ledger file). */
const TEMP_TABLES = `CREATE TEMP TABLE IF NOT EXISTS listing (
    camera TEXT NOT NULL,
    channel INTEGER NOT NULL,
    remote_key TEXT NOT NULL,
    remote_name TEXT NOT NULL,
    file_name TEXT NOT NULL,
    start_ms INTEGER NOT NULL,
    end_ms INTEGER NOT NULL,
    camera_start TEXT NOT NULL,
    remote_size INTEGER,
    PRIMARY KEY (camera, channel, remote_key)
  );
  CREATE INDEX IF NOT EXISTS temp.listing_order ON listing (camera, start_ms, channel, remote_key);
  CREATE TEMP TABLE IF NOT EXISTS coverage (camera TEXT NOT NULL, channel INTEGER NOT NULL, start_ms INTEGER, end_ms INTEGER, PRIMARY KEY (camera, channel));`;

type ColumnKind = 'integer' | 'integer?' | 'text' | 'text?' | 'boolean';

type ColumnValue<Kind extends ColumnKind> = Kind extends 'integer' ? number : Kind extends 'integer?' ? number | null : Kind extends 'text' ? string : Kind extends 'text?' ? string | null : boolean;

export type ColumnMap = Readonly<Record<string, readonly [column: string, kind: ColumnKind]>>;

type Mapped<Map extends ColumnMap> = { -readonly [Key in keyof Map]: ColumnValue<Map[Key][1]> };

/** The one place a row of SQLite becomes an object: each field from its column, converted by kind. */
export function mapRow<const Map extends ColumnMap>(row: SqliteRow, columns: Map): Mapped<Map> {
  const out: Record<string, number | string | boolean | null> = {};
  for (const [field, [column, kind]] of Object.entries(columns)) {
    const value: SqliteValue | undefined = row[column];
    const missing = value === null || value === undefined;
    switch (kind) {
      case 'integer':
        out[field] = missing ? 0 : Number(value);
        break;
      case 'integer?':
        out[field] = missing ? null : Number(value);
        break;
      case 'text':
        out[field] = missing ? '' : String(value);
        break;
      case 'text?':
        out[field] = missing ? null : String(value);
        break;
      case 'boolean':
        out[field] = !missing && Number(value) !== 0;
        break;
    }
  }
  return out as Mapped<Map>;
}

const RECORDING_COLUMNS = {
  id: ['id', 'integer'],
  camera: ['camera', 'text'],
  channel: ['channel', 'integer'],
  remoteKey: ['remote_key', 'text'],
  startMs: ['start_ms', 'integer'],
  endMs: ['end_ms', 'integer'],
  cameraStart: ['camera_start', 'text'],
  remoteSize: ['remote_size', 'integer?'],
  localPath: ['local_path', 'text?'],
  localSize: ['local_size', 'integer?'],
  sha256: ['sha256', 'text?'],
  state: ['state', 'text'],
  firstSeenMs: ['first_seen_ms', 'integer'],
  lastSeenMs: ['last_seen_ms', 'integer'],
  verifiedMs: ['verified_ms', 'integer?'],
  deletedMs: ['deleted_ms', 'integer?'],
  lostMs: ['lost_ms', 'integer?'],
  lostReason: ['lost_reason', 'text?'],
  attempts: ['attempts', 'integer'],
  lastError: ['last_error', 'text?'],
} as const;

const RUN_COLUMNS = {
  id: ['id', 'integer'],
  startedMs: ['started_ms', 'integer'],
  finishedMs: ['finished_ms', 'integer?'],
  status: ['status', 'text'],
  dryRun: ['dry_run', 'boolean'],
  exitCode: ['exit_code', 'integer?'],
} as const;

const CAMERA_RUN_COLUMNS = {
  runId: ['run_id', 'integer'],
  camera: ['camera', 'text'],
  startedMs: ['started_ms', 'integer'],
  finishedMs: ['finished_ms', 'integer?'],
  status: ['status', 'text'],
  listed: ['listed', 'integer'],
  downloaded: ['downloaded', 'integer'],
  bytes: ['bytes', 'integer'],
  failed: ['failed', 'integer'],
  lost: ['lost', 'integer'],
  deleted: ['deleted', 'integer'],
  error: ['error', 'text?'],
} as const;

const CHANNEL_SUMMARY_COLUMNS = {
  channel: ['channel', 'integer'],
  total: ['total', 'integer'],
  files: ['files', 'integer'],
  bytes: ['bytes', 'integer'],
  pending: ['pending', 'integer'],
  lost: ['lost', 'integer'],
  failing: ['failing', 'integer'],
  firstMs: ['first_ms', 'integer'],
  lastMs: ['last_ms', 'integer'],
} as const;

const LISTING_COLUMNS = {
  channel: ['channel', 'integer'],
  remoteKey: ['remote_key', 'text'],
  remoteName: ['remote_name', 'text'],
  fileName: ['file_name', 'text'],
  startMs: ['start_ms', 'integer'],
  endMs: ['end_ms', 'integer'],
  cameraStart: ['camera_start', 'text'],
  size: ['remote_size', 'integer?'],
} as const;

function recordingFrom(row: SqliteRow): LedgerRecording {
  const mapped = mapRow(row, RECORDING_COLUMNS);
  const lostReason = mapped.lostReason === 'overwritten' || mapped.lostReason === 'deleted' ? mapped.lostReason : null;
  return { ...mapped, state: mapped.state as RecordingState, lostReason };
}

/** A staged listing row as the camera source's recording (size unknown = undefined). */
function listingFrom(row: SqliteRow): RemoteRecording {
  const mapped = mapRow(row, LISTING_COLUMNS);
  return { ...mapped, size: mapped.size ?? undefined };
}
