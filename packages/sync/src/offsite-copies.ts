import { createHash, type Hash } from 'node:crypto';
import { mkdir, open, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { isOffsiteError, type OffsiteTarget } from '@camdl/offsite';
import { RateLimiter } from '@camdl/throttled-download';
import { archivePath, hashFile, sha256SumsLine } from './archive-files.js';
import type { CameraConfig, FleetConfig } from './config.js';
import { isDiskFull } from './disk-full.js';
import { describeError, errorCode } from './errors.js';
import { CopyLedger, type CopyWork } from './ledger-copies.js';
import { ledgerInternals, type Ledger } from './ledger.js';
import { openTarget, type TargetTuning } from './open-target.js';
import type { TargetConfig } from './targets-config.js';

/** What the off-site part of a sync does, for the renderer. Never carries a secret. */
export type OffsiteEvent =
  | { type: 'upload-start'; camera: string; target: string; path: string; size: number; resume: boolean }
  | { type: 'upload-done'; camera: string; target: string; path: string; size: number; sha256: string; status: 'uploaded' | 'resumed' | 'already-there'; partsReused: number }
  | { type: 'upload-failed'; camera: string; target: string; path: string; error: string; code: string | undefined }
  /** Other content at the key that camdl never put there: left in place (exit 1). */
  | { type: 'upload-conflict'; camera: string; target: string; path: string; message: string }
  /** A copy verify found missing or changed made again from the local file (`copy`), or the local file restored from a target's copy (`local`). */
  | { type: 'repair'; camera: string; target: string; path: string; what: 'copy' | 'local' }
  /** Once per target and run: it cannot take uploads now; its copies stay pending for the next run. */
  | { type: 'target-down'; target: string; message: string; code: string | undefined }
  /** A multipart upload that can no longer finish was aborted on the target. */
  | { type: 'upload-aborted'; target: string; path: string }
  /** delete-after kept recordings on the camera: not every target of the camera holds them verified yet. */
  | { type: 'delete-held'; camera: string; count: number; targets: string[] }
  /** keep-local removed a local file every target holds verified. */
  | { type: 'local-freed'; camera: string; path: string }
  /** The ledger's snapshot went to a target (or could not). */
  | { type: 'snapshot'; target: string; ok: boolean; error: string | undefined };

/** How the copies to one target went in a run. */
export interface TargetOutcome {
  target: string;
  uploaded: number;
  repaired: number;
  failed: number;
  conflicts: number;
  /** Copies of the run's cameras still to make on this target after the run (conflicts are counted apart). */
  pending: number;
  /** Why the target took no (more) uploads in this run, when it did not. */
  down: string | undefined;
}

/** Options of {@link OffsiteCopies}. */
export interface OffsiteCopiesOptions {
  config: FleetConfig;
  /** The cameras of this run. */
  cameras: readonly CameraConfig[];
  ledger: Ledger;
  emit: (event: OffsiteEvent) => void;
  signal: AbortSignal;
  shouldContinue: () => boolean;
  env: NodeJS.ProcessEnv;
  now: () => number;
  /** Retries and part size of the targets' requests. @default the library's */
  tuning?: TargetTuning | undefined;
  /** A local file was restored or removed: its folder's SHA256SUMS is rewritten. */
  onLocalChanged: (localPath: string) => Promise<void>;
  /**
   * The local disk is full (the ledger could not record a copy, a staged file or a restored one could
   * not be written): the sync's one disk-full line. The copies not recorded stay pending for the next run.
   */
  onDiskFull: (camera: string | undefined, error: unknown) => void;
}

/** A full local disk (the ledger, the staging folder, a file restored into the archive); a full target is the target's fault. */
function isLocalDiskFull(error: unknown): boolean {
  return isOffsiteError(error) ? isOffsiteError(error, 'ERR_OFFSITE_LOCAL_DISK') && isDiskFull(error) : isDiskFull(error);
}

/** Rows read from the ledger at a time. */
const PAGE = 256;
/** Failures in a row (each already retried by the library) after which a target is left alone for the run. */
const MAX_CONSECUTIVE_FAILURES = 3;
/** Errors that say the target as a whole cannot take uploads now: one line, no storm. */
const TARGET_WIDE = new Set(['ERR_OFFSITE_AUTH', 'ERR_OFFSITE_NOT_FOUND', 'ERR_OFFSITE_UNREACHABLE', 'ERR_OFFSITE_QUOTA', 'ERR_OFFSITE_CLOCK_SKEW', 'ERR_OFFSITE_TOOL']);
/** Where the ledger's snapshot goes on every target. */
export const LEDGER_SNAPSHOT_KEY = '.camdl/ledger.sqlite';

interface TargetState {
  config: TargetConfig;
  outcome: TargetOutcome;
  /** Cameras of the run that copy to it. */
  cameras: string[];
  target: OffsiteTarget | undefined;
  ready: Promise<boolean> | undefined;
  down: string | undefined;
  /** Recording id → camera of uploads running now. */
  inFlight: Map<number, string>;
  /** Recordings tried in this run (not tried again until the next run). */
  tried: Set<number>;
  cursor: { startMs: number; id: number } | undefined;
  consecutiveFailures: number;
}

/**
 * The off-site part of `camdl sync`: copies every archived recording to its camera's targets, oldest
 * first, beside the downloads (the camera side never waits for the uplink), under one upload limit
 * and each target's connection cap. A copy is recorded verified only with the size and sha256 the
 * target confirmed. A target that fails as a whole gets one line and no more requests in this run.
 */
export class OffsiteCopies {
  readonly #options: OffsiteCopiesOptions;
  readonly #copies: CopyLedger;
  readonly #limiter: RateLimiter;
  readonly #targets = new Map<string, TargetState>();
  readonly #openCameras = new Set<string>();
  readonly #cameraTargets = new Map<string, readonly string[]>();
  #waiters: Array<() => void> = [];
  #workers: Array<Promise<void>> = [];
  #closing = false;
  /** The local disk filled up in this run: no more copies (each would need the ledger). */
  #full = false;

  constructor(options: OffsiteCopiesOptions) {
    this.#options = options;
    this.#copies = new CopyLedger(options.ledger);
    this.#limiter = new RateLimiter(options.config.uploadBandwidthMbps);
    for (const camera of options.config.cameras) this.#cameraTargets.set(camera.name, camera.targets);
    for (const camera of options.cameras) {
      if (camera.targets.length === 0) continue;
      this.#openCameras.add(camera.name);
      for (const name of camera.targets) {
        const config = options.config.targets.find((target) => target.name === name)!;
        let state = this.#targets.get(name);
        if (!state) {
          state = {
            config,
            outcome: { target: name, uploaded: 0, repaired: 0, failed: 0, conflicts: 0, pending: 0, down: undefined },
            cameras: [],
            target: undefined,
            ready: undefined,
            down: undefined,
            inFlight: new Map(),
            tried: new Set(),
            cursor: undefined,
            consecutiveFailures: 0,
          };
          this.#targets.set(name, state);
        }
        state.cameras.push(camera.name);
      }
    }
  }

  /** Whether any camera of the run has a target. */
  get active(): boolean {
    return this.#targets.size > 0;
  }

  /** Records what is to copy (the backfill of recordings archived before a target existed included) and starts the uploads. */
  start(): void {
    try {
      for (const camera of this.#options.cameras) this.#copies.addPending(camera.name, camera.targets);
    } catch (error) {
      if (!this.#diskFull(error)) throw error;
      return;
    }
    for (const state of this.#targets.values()) {
      this.#workers.push(this.#runTarget(state));
    }
  }

  /** A recording of `camera` was just archived and verified locally: copy it too. */
  fileArchived(camera: CameraConfig, recordingId: number): void {
    if (camera.targets.length === 0) return;
    try {
      this.#copies.addPending(camera.name, camera.targets, recordingId);
    } catch (error) {
      // Not queued: the next run's backfill adds the copy.
      if (!this.#diskFull(error)) throw error;
      return;
    }
    for (const name of camera.targets) {
      const state = this.#targets.get(name);
      if (state) state.cursor = undefined;
    }
    this.#changed();
  }

  /** The camera archives nothing more in this run. */
  cameraFinished(camera: string): void {
    if (this.#openCameras.delete(camera)) this.#changed();
  }

  /** Waits until every copy of the camera's recordings was tried in this run (or its target is down). */
  async settled(camera: string): Promise<void> {
    while (!this.#cameraSettled(camera)) await this.#nextChange();
  }

  /** Whether every target of the camera holds the recording verified with the ledger's size and sha256 (delete-after). */
  heldEverywhere(recordingId: number, camera: CameraConfig): boolean {
    return this.#copies.heldEverywhere(recordingId, camera.targets);
  }

  /** keep-local: removes local files older than the camera's `keep-local` that every target holds verified. */
  async keepLocal(camera: CameraConfig): Promise<void> {
    if (camera.keepLocalMs === undefined || camera.targets.length === 0) return;
    const before = this.#options.now() - camera.keepLocalMs;
    let after = 0;
    for (;;) {
      const page = this.#copies.keepLocalCandidates(camera.name, camera.targets, before, camera.deleteAfter, after, PAGE);
      for (const row of page) {
        if (!this.#options.shouldContinue()) return;
        // Recorded first: the ledger may say less than the disk (a file still there), never more.
        try {
          this.#copies.markLocalRemoved(row.id);
        } catch (error) {
          if (!this.#diskFull(error)) throw error;
          return;
        }
        await rm(archivePath(this.#options.config.archive, row.localPath), { force: true });
        await this.#options.onLocalChanged(row.localPath);
        this.#options.emit({ type: 'local-freed', camera: camera.name, path: row.localPath });
      }
      if (page.length < PAGE) return;
      after = page[page.length - 1]!.id;
    }
  }

  /** Waits for every upload, sends the changed SHA256SUMS, and says how each target did. */
  async finish(): Promise<TargetOutcome[]> {
    for (const camera of [...this.#openCameras]) this.cameraFinished(camera);
    await Promise.all(this.#workers);
    const outcomes: TargetOutcome[] = [];
    for (const state of this.#targets.values()) {
      if (state.down === undefined && !this.#options.signal.aborted && (await state.ready)) await this.#sendSums(state);
      state.outcome.pending = this.#copies.unfinishedOn(state.outcome.target, state.cameras);
      state.outcome.down = state.down;
      outcomes.push({ ...state.outcome });
    }
    return outcomes;
  }

  /** Copies of the run's cameras not verified (pending, uploading, failed) and in conflict, on their current targets. */
  unfinished(): { pending: number; conflict: number } {
    const total = { pending: 0, conflict: 0 };
    for (const camera of this.#options.cameras) {
      const counts = this.#copies.unfinished(camera.name, camera.targets);
      total.pending += counts.pending;
      total.conflict += counts.conflict;
    }
    return total;
  }

  /**
   * Sends a consistent snapshot of the ledger (`VACUUM INTO` a temporary file) to every target that is
   * up, at `.camdl/ledger.sqlite` under its prefix: the index survives the machine.
   */
  async snapshot(): Promise<boolean> {
    const ready = [...this.#targets.values()].filter((state) => state.down === undefined && state.target !== undefined);
    if (ready.length === 0 || this.#options.signal.aborted) return true;
    if (this.#full) return false;
    const folder = join(dirname(this.#options.config.ledger), 'outgoing');
    const file = join(folder, `ledger-snapshot.${process.pid}.sqlite`);
    let ok = true;
    try {
      let staged: { sha256: string; size: number };
      try {
        await mkdir(folder, { recursive: true });
        await rm(file, { force: true });
        ledgerInternals(this.#options.ledger).exec(`VACUUM INTO '${file.replace(/'/g, "''")}'`);
        staged = await hashFile(file);
      } catch (error) {
        // No room to stage the snapshot: the disk-full line; the targets keep the previous snapshot.
        if (!this.#diskFull(error)) throw error;
        return false;
      }
      const { sha256, size } = staged;
      for (const state of ready) {
        try {
          await state.target!.put(file, LEDGER_SNAPSHOT_KEY, { size, sha256, ifExists: 'replace', rateLimiter: this.#limiter, signal: this.#options.signal });
          this.#options.emit({ type: 'snapshot', target: state.outcome.target, ok: true, error: undefined });
        } catch (error) {
          ok = false;
          this.#options.emit({ type: 'snapshot', target: state.outcome.target, ok: false, error: describeError(error) });
        }
      }
    } finally {
      await rm(file, { force: true });
    }
    return ok;
  }

  /** Stops taking copies, waits for the uploads running now, and releases the targets. */
  async close(): Promise<void> {
    this.#closing = true;
    for (const camera of [...this.#openCameras]) this.cameraFinished(camera);
    this.#changed();
    await Promise.allSettled(this.#workers);
    await Promise.all([...this.#targets.values()].map((state) => state.target?.close().catch(() => {})));
  }

  // ---- internals ------------------------------------------------------------------------------

  #stopped(): boolean {
    return this.#closing || this.#full || this.#options.signal.aborted || !this.#options.shouldContinue();
  }

  /** True when `error` says the local disk is full: the sync's disk-full line (once), and no more copies in this run. */
  #diskFull(error: unknown): boolean {
    if (!isLocalDiskFull(error)) return false;
    if (!this.#full) {
      this.#full = true;
      this.#options.onDiskFull(undefined, error);
      this.#changed();
    }
    return true;
  }

  #changed(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }

  #nextChange(): Promise<void> {
    return new Promise((resolve) => {
      this.#waiters.push(resolve);
      this.#options.signal.addEventListener('abort', () => resolve(), { once: true });
    });
  }

  #cameraSettled(camera: string): boolean {
    if (this.#stopped()) return true;
    for (const state of this.#targets.values()) {
      if (!state.cameras.includes(camera) || state.down !== undefined) continue;
      if ([...state.inFlight.values()].includes(camera)) return false;
      if (this.#pick(state, [camera], false) !== undefined) return false;
    }
    return true;
  }

  /** The oldest copy still to try on the target (of `cameras`), advancing its cursor when `take`. */
  #pick(state: TargetState, cameras: readonly string[], take: boolean): CopyWork | undefined {
    let after = take ? state.cursor : undefined;
    for (;;) {
      const page = this.#copies.toUpload(state.outcome.target, cameras, after, PAGE);
      for (const item of page) {
        if (take) state.cursor = item.cursor;
        if (!state.inFlight.has(item.copy.recordingId) && !state.tried.has(item.copy.recordingId)) return item;
      }
      if (page.length < PAGE) return undefined;
      after = page[page.length - 1]!.cursor;
    }
  }

  /** Opens the target and proves it answers with one request; a failure is one line and the target is left alone. */
  #ready(state: TargetState): Promise<boolean> {
    state.ready ??= (async () => {
      try {
        state.target = await openTarget(state.config, this.#options.env, this.#options.tuning);
        await state.target.check({ signal: this.#options.signal });
        return true;
      } catch (error) {
        if (!this.#options.signal.aborted) this.#down(state, error);
        return false;
      } finally {
        this.#changed();
      }
    })();
    return state.ready;
  }

  #down(state: TargetState, error: unknown): void {
    if (state.down !== undefined) return;
    state.down = describeError(error);
    this.#options.emit({
      type: 'target-down',
      target: state.outcome.target,
      code: errorCode(error),
      message: `${state.down.startsWith('target "') ? '' : `target "${state.outcome.target}": `}${state.down}; no more uploads to it in this run: its copies stay pending and the next camdl sync makes them`,
    });
    this.#changed();
  }

  async #runTarget(state: TargetState): Promise<void> {
    if (!(await this.#ready(state))) return;
    await this.#abortOrphans(state);
    await this.#restoreLocal(state);
    await Promise.all(Array.from({ length: state.config.connections }, () => this.#worker(state)));
  }

  async #worker(state: TargetState): Promise<void> {
    for (;;) {
      if (state.down !== undefined || this.#stopped()) return;
      const item = this.#pick(state, state.cameras, true);
      if (item === undefined) {
        if (!state.cameras.some((camera) => this.#openCameras.has(camera))) return;
        await this.#nextChange();
        continue;
      }
      const id = item.copy.recordingId;
      state.inFlight.set(id, item.camera);
      try {
        await this.#upload(state, item);
      } catch (error) {
        // The ledger could not record the copy: it stays pending (the next run finds the object there and records it).
        if (!this.#diskFull(error)) throw error;
      } finally {
        state.inFlight.delete(id);
        state.tried.add(id);
        this.#changed();
      }
    }
  }

  async #upload(state: TargetState, item: CopyWork): Promise<void> {
    const { emit, signal } = this.#options;
    const target = state.target!;
    const name = state.outcome.target;
    const { copy } = item;
    const local = archivePath(this.#options.config.archive, item.localPath);
    // A copy camdl made before that verify found missing or changed is camdl's to make again.
    const repair = copy.everVerified && copy.state !== 'conflict';
    emit({ type: 'upload-start', camera: item.camera, target: name, path: item.localPath, size: item.size, resume: copy.uploadId !== null });
    try {
      const result = await target.put(local, item.localPath, {
        size: item.size,
        sha256: item.sha256,
        ifExists: repair ? 'replace' : 'conflict',
        ...(copy.uploadId !== null ? { uploadId: copy.uploadId } : {}),
        onUploadId: (uploadId) => this.#copies.setUploadId(copy.recordingId, name, uploadId),
        rateLimiter: this.#limiter,
        signal,
      });
      if (result.size !== item.size || result.sha256 !== item.sha256) {
        throw new Error(`target "${name}" confirmed ${result.size} bytes, sha256 ${result.sha256}; the ledger says ${item.size} bytes, sha256 ${item.sha256}`);
      }
      this.#copies.markVerified(copy.recordingId, name, { key: item.localPath, size: result.size, sha256: result.sha256 });
      state.consecutiveFailures = 0;
      if (repair) {
        state.outcome.repaired += 1;
        emit({ type: 'repair', camera: item.camera, target: name, path: item.localPath, what: 'copy' });
      } else {
        state.outcome.uploaded += 1;
        emit({ type: 'upload-done', camera: item.camera, target: name, path: item.localPath, size: result.size, sha256: result.sha256, status: result.status, partsReused: result.partsReused });
      }
    } catch (error) {
      if (signal.aborted || isOffsiteError(error, 'ERR_OFFSITE_ABORTED')) return;
      // Not the target's fault, and the ledger could not record a failure either: the worker stops the copies.
      if (isLocalDiskFull(error)) throw error;
      if (isOffsiteError(error, 'ERR_OFFSITE_CONFLICT')) {
        state.outcome.conflicts += 1;
        this.#copies.markConflict(copy.recordingId, name, describeError(error));
        emit({
          type: 'upload-conflict',
          camera: item.camera,
          target: name,
          path: item.localPath,
          message: `${describeError(error)}; camdl never put it there, so it is left in place: compare it with the local file and move it away to let camdl copy the recording`,
        });
        return;
      }
      let message = describeError(error);
      const localProblem = await this.#localProblem(item);
      if (localProblem !== undefined) message = `the local file ${localProblem}, not copied: run camdl verify (the next camdl sync fetches it again or restores it from a good copy)`;
      state.outcome.failed += 1;
      this.#copies.markFailed(copy.recordingId, name, message);
      emit({ type: 'upload-failed', camera: item.camera, target: name, path: item.localPath, error: message, code: localProblem !== undefined ? 'ERR_SYNC_VERIFY_FAILED' : errorCode(error) });
      if (localProblem !== undefined) return;
      state.consecutiveFailures += 1;
      const code = errorCode(error);
      if ((code !== undefined && TARGET_WIDE.has(code)) || state.consecutiveFailures >= MAX_CONSECUTIVE_FAILURES) this.#down(state, error);
    }
  }

  /** Why the local file is not what the ledger recorded, or undefined when it is. */
  async #localProblem(item: CopyWork): Promise<string | undefined> {
    try {
      const now = await hashFile(archivePath(this.#options.config.archive, item.localPath), this.#options.signal);
      if (now.size !== item.size || now.sha256 !== item.sha256) return `no longer matches the ledger (${now.size} bytes, sha256 ${now.sha256.slice(0, 12)}…)`;
      return undefined;
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'is missing' : `cannot be read (${describeError(error)})`;
    }
  }

  /** Aborts the multipart uploads that can no longer finish (the recording is no longer archived here, or the camera no longer copies to this target). */
  async #abortOrphans(state: TargetState): Promise<void> {
    const name = state.outcome.target;
    for (const orphan of this.#copies.orphanedUploads(name, this.#cameraTargets)) {
      if (this.#stopped()) return;
      try {
        await state.target!.abortUpload(orphan.key, orphan.uploadId, { signal: this.#options.signal });
        this.#copies.setUploadId(orphan.recordingId, name, undefined);
        this.#options.emit({ type: 'upload-aborted', target: name, path: orphan.key });
      } catch (error) {
        if (this.#diskFull(error)) return;
        this.#options.emit({ type: 'upload-failed', camera: '', target: name, path: orphan.key, error: `abort the unfinished upload: ${describeError(error)}`, code: errorCode(error) });
      }
    }
  }

  /** Restores local files verify found damaged after the camera deleted them, from this target's verified copies. */
  async #restoreLocal(state: TargetState): Promise<void> {
    const name = state.outcome.target;
    for (const camera of state.cameras) {
      for (const row of this.#copies.restorable(camera, [name])) {
        if (this.#stopped()) return;
        if (this.#copies.recordingState(row.recordingId) !== 'lost') continue;
        try {
          const got = await state.target!.get(row.key, archivePath(this.#options.config.archive, row.localPath), { expectedSha256: row.sha256, signal: this.#options.signal, rateLimiter: this.#limiter });
          if (got.size !== row.size || !this.#copies.markRestored(row.recordingId, got)) continue;
          await this.#options.onLocalChanged(row.localPath);
          this.#options.emit({ type: 'repair', camera, target: name, path: row.localPath, what: 'local' });
        } catch (error) {
          if (this.#diskFull(error)) return;
          this.#options.emit({ type: 'upload-failed', camera, target: name, path: row.localPath, error: `restore the local file from the copy: ${describeError(error)}`, code: errorCode(error) });
        }
      }
    }
  }

  /** Sends each folder's SHA256SUMS (of the copies verified on the target) that changed since it was last sent. */
  async #sendSums(state: TargetState): Promise<void> {
    const name = state.outcome.target;
    // One pass over the keys (in key order, which within a folder is name order): one running digest per folder.
    const hashes = new Map<string, Hash>();
    for (const { key, sha256 } of this.#copies.verifiedKeys(name)) {
      const slash = key.lastIndexOf('/');
      const folder = slash < 0 ? '' : key.slice(0, slash);
      let hash = hashes.get(folder);
      if (!hash) hashes.set(folder, (hash = createHash('sha256')));
      hash.update(sha256SumsLine(key.slice(slash + 1), sha256));
    }
    const digests = new Map([...hashes].map(([folder, hash]) => [folder, hash.digest('hex')] as const));
    const outgoing = join(dirname(this.#options.config.ledger), 'outgoing');
    for (const [sumsFolder, digest] of digests) {
      if (this.#stopped() || state.down !== undefined) return;
      if (this.#copies.sumsSent(name, sumsFolder) === digest) continue;
      const text = this.#copies
        .verifiedKeysIn(name, sumsFolder)
        .map((row) => sha256SumsLine(row.key.slice(row.key.lastIndexOf('/') + 1), row.sha256))
        .join('');
      const sha256 = sha256Of(text);
      await mkdir(outgoing, { recursive: true });
      const file = join(outgoing, `SHA256SUMS.${process.pid}.tmp`);
      try {
        const handle = await open(file, 'w', 0o644);
        try {
          await handle.writeFile(text);
        } finally {
          await handle.close();
        }
        const key = sumsFolder === '' ? 'SHA256SUMS' : `${sumsFolder}/SHA256SUMS`;
        await state.target!.put(file, key, { size: Buffer.byteLength(text), sha256, ifExists: 'replace', rateLimiter: this.#limiter, signal: this.#options.signal });
        this.#copies.setSumsSent(name, sumsFolder, sha256);
      } catch (error) {
        if (this.#options.signal.aborted || this.#diskFull(error)) return;
        state.outcome.failed += 1;
        this.#options.emit({ type: 'upload-failed', camera: '', target: name, path: `${sumsFolder}/SHA256SUMS`, error: describeError(error), code: errorCode(error) });
        if (TARGET_WIDE.has(errorCode(error) ?? '')) this.#down(state, error);
      } finally {
        await rm(file, { force: true });
      }
    }
  }
}

function sha256Of(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
