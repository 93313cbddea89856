import { rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { wallClockToInstant } from '@camdl/internal';
import { RateLimiter, type DownloadEvent, type DownloadResult } from '@camdl/throttled-download';
import type { CameraLock } from './camera-lock.js';
import { processAlive } from './camera-lock.js';
import { archivePath, hashFile, moveIntoPlace, writeSha256Sums } from './archive-files.js';
import { checkArchiveWritable, checkCameraFolderWritable } from './archive-writable.js';
import { cameraHorizon } from './camera-horizon.js';
import { CombinedRateLimiter } from './combined-limiter.js';
import { selectCameras, type CameraConfig, type FleetConfig } from './config.js';
import { diskFullReason, isDiskFull } from './disk-full.js';
import { describeCameraError, describeError, errorCode, isSyncError, SyncError } from './errors.js';
import { renderLayout } from './layout.js';
import { isRefusedLogin } from './refused-login.js';
import { Ledger, type CameraRunCounts, type ListingCursor } from './ledger.js';
import type { SyncOutcome } from './run-outcome.js';
import { recordHoldings, type LostReason } from './ledger-horizon.js';
import { overwritePriority, type ChannelHorizon } from './overwrite-horizon.js';
import { OffsiteCopies, type OffsiteEvent, type TargetOutcome } from './offsite-copies.js';
import type { TargetTuning } from './open-target.js';
import { resolveCameraPassword } from './password.js';
import { createAmcrestSource } from './sources/amcrest-source.js';
import type { CameraSource, OutsideWindow, RemoteRecording } from './sources/camera-source.js';
import { CopyLedger } from './ledger-copies.js';
import { createTimelapseSource } from './sources/timelapse-source.js';

/** How one camera's part of a run ended. */
export type CameraOutcomeStatus = 'ok' | 'failed' | 'busy' | 'interrupted';

/** Everything `syncFleet` does, for a CLI to render (lines, progress, NDJSON). Never carries a secret. */
export type SyncEvent =
  | { type: 'run-start'; runId: number | undefined; cameras: string[]; dryRun: boolean; archive: string }
  | { type: 'camera-start'; camera: string }
  | { type: 'camera-busy'; camera: string; message: string }
  | {
      type: 'camera-listed';
      camera: string;
      listed: number;
      toDownload: number;
      bytes: number | undefined;
      alreadyArchived: number;
      notes: string[];
      /** What the camera holds outside the window (a wrong camera clock must not look like an empty camera); undefined when not known. */
      outsideWindow: OutsideWindow | undefined;
    }
  | { type: 'warning'; camera: string; message: string }
  | { type: 'planned'; camera: string; channel: number; remoteName: string; path: string; size: number | undefined }
  | { type: 'file-start'; camera: string; channel: number; remoteName: string; path: string; size: number | undefined }
  | { type: 'file-progress'; camera: string; path: string; bytes: number; total: number | undefined; speed: number }
  | { type: 'file-note'; camera: string; path: string; event: DownloadEvent['type']; message: string }
  | { type: 'file-done'; camera: string; path: string; size: number; sha256: string; status: 'downloaded' | 'resumed' | 'reused' }
  | { type: 'file-failed'; camera: string; remoteName: string; path: string | undefined; error: string; code: string | undefined }
  /** `overwritten`: the camera dropped it as its oldest; `deleted`: it vanished from the middle of what the camera holds. */
  | { type: 'lost'; camera: string; channel: number; remoteName: string; startMs: number; endMs: number; reason: LostReason }
  /** After a camera's listing: its overwrite horizon per channel (oldest and newest held, retention, ETA, at risk). */
  | { type: 'horizon'; camera: string; channels: ChannelHorizon[] }
  | { type: 'deleted'; camera: string; remoteName: string; path: string }
  | { type: 'delete-failed'; camera: string; remoteName: string; error: string }
  /** Once per run: the archive's file system is full; no camera starts another file (exit 1, the ledger stays consistent). */
  | { type: 'disk-full'; camera: string | undefined; archive: string; message: string }
  | { type: 'camera-done'; camera: string; outcome: CameraOutcome }
  | { type: 'run-done'; outcome: SyncOutcome; summary: SyncSummary }
  | OffsiteEvent;

/** One camera's result. */
export interface CameraOutcome extends CameraRunCounts {
  camera: string;
  status: CameraOutcomeStatus;
  /** Left to fetch (not started: interrupted, or a failure stopped the camera). */
  pending: number;
  error: string | undefined;
  errorCode: string | undefined;
}

export interface SyncSummary {
  cameras: CameraOutcome[];
  /** Per target: copies made, failed, in conflict and still pending (empty without targets). */
  copies: TargetOutcome[];
  interrupted: boolean;
  /** A dry run only: what a real run would do now. */
  plan?: DryRunPlan | undefined;
}

/** What a real run would do, as a dry run found it. */
export interface DryRunPlan {
  /** Recordings it would fetch. */
  files: number;
  /** Their bytes; undefined when some camera does not say how large its files are. */
  bytes: number | undefined;
  /** Per target: the copies it would upload (the files it would fetch plus the copies still pending there). */
  copies: Array<{ target: string; files: number }>;
}

/** Options of {@link syncFleet}. */
export interface SyncFleetOptions {
  /** Only these cameras (`--camera`). @default every camera */
  cameras?: readonly string[];
  /** List and plan only: no download, no delete, nothing written to the ledger. @default false */
  dryRun?: boolean;
  /** Aborts at once (the second Ctrl+C, SIGTERM): running downloads stop, their `.part` stays. @default undefined */
  signal?: AbortSignal;
  /** Asked before each new file; false starts no more (the first Ctrl+C). @default () => true */
  shouldContinue?: () => boolean;
  /** Every event, in order per camera. @default undefined */
  onEvent?: (event: SyncEvent) => void;
  /** Clock, ms since the epoch (the window's "now"). @default Date.now */
  now?: () => number;
  /** Environment for `password-env`. @default process.env */
  env?: NodeJS.ProcessEnv;
  /** Progress events at most this often per file, in ms. @default 250 */
  progressIntervalMs?: number;
  /** Retries and part size of the off-site targets' requests. @default the library's (3 attempts, 1 s doubling, 16 MiB parts) */
  targetTuning?: TargetTuning;
  /**
   * How the global bandwidth is shared: `risk-first` serves the camera whose pending footage the
   * camera overwrites soonest first; `even` serves every camera in turn. @default 'risk-first'
   */
  scheduling?: 'risk-first' | 'even';
}

/** What {@link syncFleet} returns: how the run ended, and what it did. */
export interface SyncResult {
  outcome: SyncOutcome;
  summary: SyncSummary;
}

/** The instants of a camera's window for a run started at `now`. */
export function cameraWindow(camera: CameraConfig, now: number): { startMs: number | undefined; endMs: number } {
  const bound = (value: CameraConfig['since']): number | undefined => {
    if (value === undefined) return undefined;
    if (value.kind === 'relative') return now - value.ms;
    if (value.kind === 'instant') return value.ms;
    // Wall clock: the camera's zone when known; the search itself uses the wall clock for Amcrest.
    const zone = camera.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
    return wallClockToInstant(value.wallClock, zone);
  };
  return { startMs: bound(camera.since), endMs: bound(camera.until) ?? now };
}

/**
 * `camdl sync` as a library job: every selected camera in parallel under one global bandwidth
 * limit; per camera: claim it, list, compare with the ledger, mark what vanished as lost, download
 * what is missing oldest first (hash, move into the layout, record `verified`, update `SHA256SUMS`),
 * then delete on the camera what the ledger holds as verified when `delete-after` is set. One
 * camera failing never stops the others. Returns the outcome and a summary; never throws for a
 * camera's failure (config and ledger errors do throw).
 */
export async function syncFleet(config: FleetConfig, options: SyncFleetOptions = {}): Promise<SyncResult> {
  const cameras = selectCameras(config, options.cameras);
  const now = options.now ?? Date.now;
  const dryRun = options.dryRun ?? false;
  const planned = new Map<string, { files: number; bytes: number | undefined }>();
  const emit = (event: SyncEvent): void => {
    if (event.type === 'camera-listed') planned.set(event.camera, { files: event.toDownload, bytes: event.bytes });
    options.onEvent?.(event);
  };
  const signal = options.signal ?? new AbortController().signal;
  const shouldContinue = (): boolean => !signal.aborted && (options.shouldContinue?.() ?? true);
  await checkArchiveWritable(config);
  const ledger = Ledger.open(config.ledger, { now });
  let runId: number | undefined;
  try {
    try {
      ledger.abandonDeadRuns(processAlive);
      runId = dryRun ? undefined : ledger.startRun({ dryRun });
    } catch (error) {
      if (!isDiskFull(error)) throw error;
      throw new SyncError(`the archive's disk is full (${diskFullReason(error)}): the ledger ${config.ledger} cannot record a run; free some space and run again`, {
        code: 'ERR_SYNC_DISK_FULL',
        cause: error,
      });
    }
    emit({ type: 'run-start', runId, cameras: cameras.map((camera) => camera.name), dryRun, archive: config.archive });
    const globalLimiter = new RateLimiter(config.bandwidthMbps);
    const riskFirst = (options.scheduling ?? 'risk-first') === 'risk-first';
    const sumsQueue = new Map<string, Promise<void>>();
    let diskFull: string | undefined;
    const onDiskFull = (camera: string | undefined, error: unknown): void => {
      if (diskFull !== undefined) return;
      diskFull = diskFullReason(error);
      emit({
        type: 'disk-full',
        camera,
        archive: config.archive,
        message: `the archive's disk is full (${diskFull}) at ${config.archive}: no camera starts another file; free some space and run again`,
      });
    };
    const sumsContext = { ledger, config, sumsQueue };
    const offsite = dryRun
      ? undefined
      : new OffsiteCopies({
          config,
          cameras,
          ledger,
          emit,
          signal,
          shouldContinue,
          env: options.env ?? process.env,
          now,
          tuning: options.targetTuning,
          onLocalChanged: (localPath) => updateSums(sumsContext, dirname(localPath)),
          onDiskFull,
        });
    const uploads = offsite?.active ? offsite : undefined;
    try {
      uploads?.start();
      const outcomes = await Promise.all(
        cameras.map((camera) => {
          // Equal priorities are first come first served: the even share.
          const share = globalLimiter.share(riskFirst ? Number.POSITIVE_INFINITY : 0);
          return syncCamera(camera, {
            config,
            ledger,
            runId,
            dryRun,
            signal,
            shouldContinue,
            emit,
            env: options.env ?? process.env,
            startedAt: now(),
            now,
            share: riskFirst ? share : undefined,
            limiter: camera.rateLimitMbps > 0 ? new CombinedRateLimiter(share, new RateLimiter(camera.rateLimitMbps)) : share,
            sumsQueue,
            progressIntervalMs: options.progressIntervalMs ?? 250,
            diskFull: () => diskFull !== undefined,
            onDiskFull,
            offsite: uploads,
          });
        }),
      );
      // The camera side is done; the uplink finishes what it can (a down target: pending, exit 1).
      const copies = uploads ? await uploads.finish() : [];
      const unfinishedCopies = uploads ? uploads.unfinished() : { pending: 0, conflict: 0 };
      const interrupted = signal.aborted || (options.shouldContinue !== undefined && !options.shouldContinue()) || outcomes.some((outcome) => outcome.status === 'interrupted');
      const failed =
        // A dry run leaves everything pending by design: only what is wrong fails it.
        outcomes.some((outcome) => outcome.status !== 'ok' || outcome.failed > 0 || outcome.lost > 0 || (!dryRun && outcome.pending > 0)) ||
        unfinishedCopies.pending > 0 ||
        unfinishedCopies.conflict > 0 ||
        copies.some((copy) => copy.failed > 0);
      const recorded: SyncOutcome = interrupted ? 'interrupted' : failed ? 'some-failed' : 'ok';
      if (runId !== undefined) {
        try {
          ledger.finishRun(runId, recorded);
        } catch (error) {
          // The run's row stays `running`; the next run marks it abandoned. The files say the rest.
          if (!isDiskFull(error)) throw error;
          onDiskFull(undefined, error);
        }
      }
      const snapshotOk = uploads && !interrupted ? await uploads.snapshot() : true;
      const outcome: SyncOutcome = recorded === 'ok' && !snapshotOk ? 'some-failed' : recorded;
      const summary: SyncSummary = { cameras: outcomes, copies, interrupted, ...(dryRun ? { plan: dryRunPlan(config, cameras, ledger, planned) } : {}) };
      emit({ type: 'run-done', outcome, summary });
      return { outcome, summary };
    } finally {
      await uploads?.close();
    }
  } finally {
    ledger.close();
  }
}

/** Sums the dry run's listings: files and bytes to fetch, copies to upload per target. */
function dryRunPlan(config: FleetConfig, cameras: readonly CameraConfig[], ledger: Ledger, planned: ReadonlyMap<string, { files: number; bytes: number | undefined }>): DryRunPlan {
  let files = 0;
  let bytes: number | undefined = 0;
  for (const plan of planned.values()) {
    files += plan.files;
    bytes = bytes === undefined || (plan.bytes === undefined && plan.files > 0) ? undefined : bytes + (plan.bytes ?? 0);
  }
  const copyLedger = new CopyLedger(ledger);
  const copies = config.targets
    .map((target) => {
      const holders = cameras.filter((camera) => camera.targets.includes(target.name)).map((camera) => camera.name);
      const fresh = holders.reduce((total, camera) => total + (planned.get(camera)?.files ?? 0), 0);
      return { target: target.name, files: holders.length === 0 ? 0 : fresh + copyLedger.unfinishedOn(target.name, holders) };
    })
    .filter((copy) => copy.files > 0);
  return { files, bytes, copies };
}

/** Rows read from the ledger per page (keyset paging; no cursor stays open across downloads). */
const PAGE = 256;

/** Walks keyset pages lazily: the next page is read only when the previous one is used up. */
function* pages<Item extends { cursor: ListingCursor }>(read: (after: ListingCursor | undefined) => Item[]): Generator<Item> {
  let after: ListingCursor | undefined;
  for (;;) {
    const page = read(after);
    yield* page;
    if (page.length < PAGE) return;
    after = page[page.length - 1]!.cursor;
  }
}

interface CameraContext {
  config: FleetConfig;
  ledger: Ledger;
  runId: number | undefined;
  dryRun: boolean;
  signal: AbortSignal;
  shouldContinue: () => boolean;
  emit: (event: SyncEvent) => void;
  env: NodeJS.ProcessEnv;
  startedAt: number;
  now: () => number;
  limiter: RateLimiter;
  /** The camera's share of the fleet's bandwidth, when risk-first: its priority follows its overwrite horizon. */
  share: RateLimiter | undefined;
  sumsQueue: Map<string, Promise<void>>;
  progressIntervalMs: number;
  /** The archive's file system was found full during this run: start no more files. */
  diskFull: () => boolean;
  /** Tells the whole run that the archive's file system is full (once). */
  onDiskFull: (camera: string | undefined, error: unknown) => void;
  /** The off-site copies of this run, when a camera has targets. */
  offsite: OffsiteCopies | undefined;
}

const SOURCES: Record<CameraConfig['kind'], (camera: CameraConfig, password: string | undefined, onWarning: (message: string) => void) => Promise<CameraSource>> = {
  timelapse: createTimelapseSource,
  amcrest: createAmcrestSource,
  // Loaded when a camera of the kind is synced: the Hikvision client needs undici, which a plain-http
  // run of the other kinds never loads.
  'axis-edge': async (...args) => (await import('./sources/axis-edge-source.js')).createAxisEdgeSource(...args),
  hikvision: async (...args) => (await import('./sources/hikvision-source.js')).createHikvisionSource(...args),
};

function createSource(camera: CameraConfig, password: string | undefined, onWarning: (message: string) => void): Promise<CameraSource> {
  return SOURCES[camera.kind](camera, password, onWarning);
}

async function syncCamera(camera: CameraConfig, context: CameraContext): Promise<CameraOutcome> {
  const { ledger, emit, signal } = context;
  const outcome: CameraOutcome = {
    camera: camera.name,
    status: 'ok',
    listed: 0,
    downloaded: 0,
    bytes: 0,
    failed: 0,
    lost: 0,
    deleted: 0,
    pending: 0,
    error: undefined,
    errorCode: undefined,
  };
  const finish = (): CameraOutcome => {
    context.offsite?.cameraFinished(camera.name);
    if (context.runId !== undefined && outcome.status !== 'busy') {
      try {
        ledger.finishCameraRun(context.runId, camera.name, outcome);
      } catch (error) {
        if (!isDiskFull(error)) throw error;
        context.onDiskFull(camera.name, error);
      }
    }
    emit({ type: 'camera-done', camera: camera.name, outcome });
    return outcome;
  };
  emit({ type: 'camera-start', camera: camera.name });
  let lock: CameraLock | undefined;
  if (!context.dryRun) {
    try {
      lock = await ledger.claimCamera(camera.name);
    } catch (error) {
      outcome.status = 'busy';
      outcome.error = describeError(error);
      outcome.errorCode = errorCode(error);
      emit({ type: 'camera-busy', camera: camera.name, message: outcome.error });
      return finish();
    }
  }
  if (context.runId !== undefined) ledger.startCameraRun(context.runId, camera.name, camera.kind);
  let source: CameraSource | undefined;
  try {
    const warn = (message: string): void => emit({ type: 'warning', camera: camera.name, message });
    const password = await resolveCameraPassword(camera, context.env);
    source = await createSource(camera, password, warn);
    const window = cameraWindow(camera, context.startedAt);
    const listing = await source.list(window, signal);
    outcome.listed = ledger.stageListing(camera.name, listing.recordings, listing.coverage);
    if (!context.dryRun) ledger.recordListing(camera.name);
    const plan = ledger.planSummary(camera.name);
    emit({
      type: 'camera-listed',
      camera: camera.name,
      listed: outcome.listed,
      toDownload: plan.toDownload,
      bytes: plan.bytes,
      alreadyArchived: plan.alreadyArchived,
      notes: listing.notes,
      outsideWindow: listing.outsideWindow,
    });
    for (const row of ledger.vanished(camera.name)) {
      outcome.lost += 1;
      emit({ type: 'lost', camera: camera.name, channel: row.channel, remoteName: row.remoteKey, startMs: row.startMs, endMs: row.endMs, reason: row.lostReason });
    }
    if (!context.dryRun && outcome.lost > 0) ledger.markVanishedLost(camera.name, 'gone from the camera before it was archived');
    const retention = context.runId === undefined ? new Map<number, number>() : await observeHorizon(camera, source, context, warn);
    if (context.dryRun) {
      for (const { remote } of pages((after) => ledger.toDownload(camera.name, after, PAGE))) {
        const path = renderLayout(context.config.layout, { camera: camera.name, channel: remote.channel, cameraStart: remote.cameraStart, file: remote.fileName });
        emit({ type: 'planned', camera: camera.name, channel: remote.channel, remoteName: remote.remoteName, path, size: remote.size });
      }
      outcome.pending = plan.toDownload;
      return finish();
    }
    const first = plan.toDownload > 0 ? ledger.toDownload(camera.name, undefined, 1)[0] : undefined;
    if (first) {
      // Every file of the camera would fail alike: fail the camera once, before any download.
      outcome.pending = plan.toDownload;
      await checkCameraFolderWritable(context.config, renderLayout(context.config.layout, { camera: camera.name, channel: first.remote.channel, cameraStart: first.remote.cameraStart, file: first.remote.fileName }));
      outcome.pending = 0;
    }
    // The queue is read from the ledger a page at a time, oldest first: memory stays flat.
    const queue = pages((after) => ledger.toDownload(camera.name, after, PAGE));
    const retry: Array<{ id: number | undefined; remote: RemoteRecording }> = [];
    let taken = 0;
    const inFlight: number[] = [];
    let stopCamera: unknown;
    const worker = async (): Promise<void> => {
      while (stopCamera === undefined) {
        if (!context.shouldContinue() || context.diskFull()) return;
        const next = queue.next();
        if (next.done) return;
        const { id, remote } = next.value;
        taken += 1;
        if (id === undefined) continue;
        // Risk-first: the camera's priority is the soonest overwrite among the files it is fetching.
        const overwriteAt = remote.startMs + (retention.get(remote.channel) ?? Number.POSITIVE_INFINITY);
        inFlight.push(overwriteAt);
        if (context.share) context.share.priority = Math.min(...inFlight);
        try {
          const fetched = await fetchOne(camera, remote, id, source as CameraSource, context);
          outcome.downloaded += 1;
          outcome.bytes += fetched.bytes;
        } catch (error) {
          if (signal.aborted) {
            retry.push({ id, remote });
            return;
          }
          outcome.failed += 1;
          const message = describeCameraError(error, camera, 'recording');
          try {
            ledger.markFailed(id, message);
          } catch (ledgerError) {
            // The ledger says less than happened (the file stays to fetch): never more.
            if (!isDiskFull(ledgerError)) throw ledgerError;
            context.onDiskFull(camera.name, ledgerError);
          }
          emit({ type: 'file-failed', camera: camera.name, remoteName: remote.remoteName, path: undefined, error: message, code: errorCode(error) });
          if (isDiskFull(error)) context.onDiskFull(camera.name, error);
          // A refused login is refused for every file: stop here (never a login loop).
          if (isRefusedLogin(error)) stopCamera = error;
        }
        inFlight.splice(inFlight.indexOf(overwriteAt), 1);
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(source.connections, plan.toDownload)) }, () => worker()));
    context.offsite?.cameraFinished(camera.name);
    outcome.pending = plan.toDownload - taken + retry.length;
    if (stopCamera !== undefined) {
      outcome.status = 'failed';
      outcome.error = describeCameraError(stopCamera, camera);
      outcome.errorCode = errorCode(stopCamera);
    } else if (context.diskFull() && outcome.pending > 0 && !signal.aborted && context.shouldContinue()) {
      outcome.status = 'failed';
      outcome.error = `the archive's disk is full: ${outcome.pending} file(s) not fetched`;
      outcome.errorCode = 'ERR_SYNC_DISK_FULL';
    }
    // Not while the disk is full: the ledger could not record a deletion it asked for.
    if (camera.deleteAfter && stopCamera === undefined && !context.diskFull() && !signal.aborted && context.shouldContinue() && source.delete) {
      // The camera's copy goes only once the local one and every target's are verified.
      await context.offsite?.settled(camera.name);
      let held = 0;
      // Every listed recording the ledger holds as verified, oldest first (this run's downloads included).
      for (const { id, remote } of pages((after) => ledger.verifiedListed(camera.name, after, PAGE))) {
        if (!context.shouldContinue()) break;
        if (id === undefined) continue;
        if (context.offsite && !context.offsite.heldEverywhere(id, camera)) held += 1;
        else await deleteOne(camera, remote, id, source, context, outcome);
      }
      if (held > 0) emit({ type: 'delete-held', camera: camera.name, count: held, targets: camera.targets });
    }
    if (context.offsite && camera.keepLocalMs !== undefined && !signal.aborted && context.shouldContinue()) {
      await context.offsite.settled(camera.name);
      await context.offsite.keepLocal(camera);
    }
    if (signal.aborted || (!context.shouldContinue() && outcome.pending > 0)) outcome.status = 'interrupted';
  } catch (error) {
    if (signal.aborted) {
      outcome.status = 'interrupted';
    } else {
      outcome.status = 'failed';
      outcome.error = describeCameraError(error, camera);
      outcome.errorCode = errorCode(error);
      if (isDiskFull(error)) {
        outcome.errorCode = 'ERR_SYNC_DISK_FULL';
        outcome.error = `the archive's disk is full (${diskFullReason(error)})`;
        context.onDiskFull(camera.name, error);
      }
      if (isSyncError(error, 'ERR_SYNC_LEDGER')) throw error;
    }
  } finally {
    ledger.dropListing(camera.name);
    await source?.close().catch(() => {});
    await lock?.release().catch(() => {});
  }
  return finish();
}

/**
 * After a camera's listing: records what it holds (with its card's figures, where it says), derives
 * its overwrite horizon, tells it (an event; a warning, once, when the camera's own rate-limit is
 * what keeps footage at risk) and sets the camera's risk-first priority. Returns the retention per
 * channel, for the priority of each file. The card's figures are best effort: a camera without the
 * call is fine.
 */
async function observeHorizon(camera: CameraConfig, source: CameraSource, context: CameraContext, warn: (message: string) => void): Promise<Map<number, number>> {
  const storage = await source.storage?.(context.signal).catch((error: unknown) => {
    if (context.signal.aborted) throw error;
    return undefined;
  });
  recordHoldings(context.ledger, context.runId!, camera.name, storage ?? {});
  const channels = cameraHorizon(context.ledger, camera, { now: context.now(), bandwidthMbps: context.config.bandwidthMbps });
  context.emit({ type: 'horizon', camera: camera.name, channels });
  const capped = channels.filter((channel) => channel.rateBound);
  if (capped.length > 0) {
    warn(
      `rate-limit ${camera.rateLimitMbps} Mbps keeps ${capped.reduce((sum, channel) => sum + channel.atRiskCount, 0)} recording(s) at risk of being overwritten before they can be fetched; raise rate-limit for ${camera.name}`,
    );
  }
  if (context.share) context.share.priority = overwritePriority(channels);
  return new Map(channels.flatMap((channel) => (channel.retentionMs === undefined ? [] : [[channel.channel, channel.retentionMs] as const])));
}

/** Downloads one recording into staging, checks it, moves it into the layout, records it verified. */
async function fetchOne(camera: CameraConfig, remote: RemoteRecording, id: number, source: CameraSource, context: CameraContext): Promise<{ bytes: number }> {
  const { ledger, emit, config } = context;
  const desired = renderLayout(config.layout, { camera: camera.name, channel: remote.channel, cameraStart: remote.cameraStart, file: remote.fileName });
  const localPath = ledger.assignLocalPath(id, desired);
  emit({ type: 'file-start', camera: camera.name, channel: remote.channel, remoteName: remote.remoteName, path: localPath, size: remote.size });
  const staging = join(dirname(config.ledger), 'incoming', camera.name, String(id));
  let lastProgress = 0;
  const { path: stagedFile, result } = await source.download(remote, staging, {
    rateLimiter: context.limiter,
    signal: context.signal,
    onProgress: (progress) => {
      const at = Date.now();
      if (at - lastProgress < context.progressIntervalMs && progress.bytes !== progress.total) return;
      lastProgress = at;
      emit({ type: 'file-progress', camera: camera.name, path: localPath, bytes: progress.bytes, total: progress.total, speed: progress.speed });
    },
    onEvent: (event) => {
      if (event.type === 'retry') emit({ type: 'file-note', camera: camera.name, path: localPath, event: event.type, message: `retry ${event.attempt} in ${Math.round(event.delayMs / 100) / 10} s: ${event.error.message}` });
      else if (event.type === 'resume') emit({ type: 'file-note', camera: camera.name, path: localPath, event: event.type, message: `resuming at byte ${event.from}` });
      else if (event.type === 'restart') emit({ type: 'file-note', camera: camera.name, path: localPath, event: event.type, message: `starting over (${event.reason})` });
    },
  });
  if (remote.size !== undefined && result.size !== remote.size) {
    throw new SyncError(`${localPath}: ${result.size} bytes, the camera lists ${remote.size}`, { code: 'ERR_SYNC_VERIFY_FAILED', camera: camera.name });
  }
  const check = await source.checkFile?.(remote, stagedFile);
  if (check !== undefined && !check.ok) {
    // Never recorded, never reused from staging: the next run asks the camera again.
    await rm(staging, { recursive: true, force: true }).catch(() => {});
    throw new SyncError(`${localPath}: not the whole recording (${check.reason})`, { code: 'ERR_SYNC_VERIFY_FAILED', camera: camera.name });
  }
  // Whole as the camera sent it without a length (the chunked coding's last chunk arrived: Apache 2.4.59+
  // drops a FastCGI app's Content-Length) counts only with the container's own evidence.
  const framedWhole = result.framing === 'chunked' && check?.ok === true && check.whole;
  if (result.status !== 'skipped' && !result.verified && !framedWhole) {
    // Not kept in staging either: a later run must not reuse it as if it had been verified.
    await rm(staging, { recursive: true, force: true }).catch(() => {});
    throw new SyncError(`${localPath}: the camera did not say how long the file is; it cannot be verified complete`, { code: 'ERR_SYNC_VERIFY_FAILED', camera: camera.name });
  }
  ledger.markDownloaded(id, result.size);
  const { sha256, size } = await stagedHash(stagedFile, result);
  if (size !== result.size) throw new SyncError(`${localPath}: changed on disk while it was hashed`, { code: 'ERR_SYNC_VERIFY_FAILED', camera: camera.name });
  await moveIntoPlace(stagedFile, archivePath(config.archive, localPath));
  ledger.markVerified(id, { localPath, size, sha256 });
  await rm(staging, { recursive: true, force: true }).catch(() => {});
  await updateSums(context, dirname(localPath));
  emit({ type: 'file-done', camera: camera.name, path: localPath, size, sha256, status: result.status === 'skipped' ? 'reused' : result.status });
  context.offsite?.fileArchived(camera, id);
  return { bytes: result.bytes };
}

/**
 * The hash and size of a staged file. A file the download wrote comes with the SHA-256 of the bytes it
 * wrote and fsynced (see `download`'s `sha256` option), so it is not read again; its size on disk is
 * still checked against the download's. A file already complete in staging (skipped) is hashed from disk.
 */
async function stagedHash(stagedFile: string, result: DownloadResult): Promise<{ sha256: string; size: number }> {
  if (result.sha256 === undefined) return hashFile(stagedFile);
  return { sha256: result.sha256, size: (await stat(stagedFile)).size };
}

/** Rewrites a folder's SHA256SUMS from the ledger; one writer per folder at a time in this process. */
function updateSums(context: Pick<CameraContext, 'ledger' | 'config' | 'sumsQueue'>, folder: string): Promise<void> {
  const previous = context.sumsQueue.get(folder) ?? Promise.resolve();
  const next = previous.then(async () => {
    const entries = context.ledger.verifiedIn(folder).map((row) => ({ name: row.localPath.slice(folder.length + 1), sha256: row.sha256 }));
    await writeSha256Sums(archivePath(context.config.archive, folder), entries);
  });
  const settled = next.catch(() => {});
  context.sumsQueue.set(folder, settled);
  return next;
}

/**
 * Deletes one recording on the camera, only when the ledger holds it as verified AND the archived
 * file is there right now, whole (the source's container check: a hashed error page or truncated
 * file matches its own hash) and with the size and hash the ledger recorded. The camera's word is
 * never the only evidence. A file that is not the whole recording is no longer `verified`.
 */
async function deleteOne(camera: CameraConfig, remote: RemoteRecording, id: number, source: CameraSource, context: CameraContext, outcome: CameraOutcome): Promise<void> {
  const row = context.ledger.recording(id);
  if (!row || row.state !== 'verified' || row.localPath === null || row.sha256 === null) return;
  try {
    const absolute = archivePath(context.config.archive, row.localPath);
    const onDisk = await hashFile(absolute, context.signal);
    if (onDisk.sha256 !== row.sha256 || onDisk.size !== row.localSize) {
      throw new SyncError(`${row.localPath} no longer matches the ledger: not deleted on the camera (run camdl verify)`, { code: 'ERR_SYNC_VERIFY_FAILED' });
    }
    const check = await source.checkFile?.(remote, absolute);
    if (check !== undefined && !check.ok) {
      context.ledger.markDamaged(id, `delete-after: not the whole recording: ${check.reason}`);
      await updateSums(context, dirname(row.localPath));
      throw new SyncError(`${row.localPath} is not the whole recording (${check.reason}): not deleted on the camera; the next sync fetches it again`, {
        code: 'ERR_SYNC_VERIFY_FAILED',
      });
    }
    await source.delete!(remote, context.signal);
    context.ledger.markDeletedOnCamera(id);
    outcome.deleted += 1;
    context.emit({ type: 'deleted', camera: camera.name, remoteName: remote.remoteName, path: row.localPath });
  } catch (error) {
    if (context.signal.aborted) return;
    outcome.failed += 1;
    context.emit({ type: 'delete-failed', camera: camera.name, remoteName: remote.remoteName, error: describeError(error) });
  }
}
