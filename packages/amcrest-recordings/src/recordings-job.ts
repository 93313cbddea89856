import { existsSync } from 'node:fs';
import { mkdir, readdir, rm, rmdir, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { JobPhaseEvent, JobWarningEvent, RateLimiter } from '@camdl/throttled-download';
import type { AmcrestClient, DeviceInfo } from './client.js';
import { downloadRecordings, partsDirectory, type RecordingDownloadEvent, type RecordingDownloadOutcome } from './download-recordings.js';
import { isAmcrestError } from './errors.js';
import { isMediaError, type FfmpegTools, type MergedOutput, type MergeEvent, type MergeFormat, type MergeMediaResult, type MergePlan, type SplitMode, type TranscodeMode, type TrimMode } from '@camdl/media';
import { findRecordings, type FindRecordingsResult, type Recording } from './find-recordings.js';
import { findGaps, type CoverageGap } from './gaps.js';
import { mergeRecordings } from './merge-recordings.js';

export interface RecordingsJobOptions {
  /** ISO 8601 start (camera wall clock without an offset, an instant with one), or a parsed input. */
  start: string | Date;
  /** ISO 8601 end, like `start`. */
  end: string | Date;
  /** @default 1 */
  channel?: number | undefined;
  /** `condition.Types`. @default ['mp4'] */
  types?: string[] | undefined;
  /** The camera's IANA zone for instants. @default measured from the camera clock */
  cameraTimeZone?: string | undefined;
  /** `list`: search only. @default 'download' */
  mode?: 'download' | 'list' | undefined;
  /** Directory of the merged file; parts go to its `.amcrest_download/`. */
  outputDir: string;
  /** Merged file name (relative to `outputDir`). @default {@link defaultOutputName} */
  outputFile?: string | undefined;
  /** @default 'mp4' */
  format?: MergeFormat | undefined;
  /** One merged file per camera day or hour. @default 'none' */
  split?: SplitMode | undefined;
  /** Cut the merge to the requested range: at key frames (stream copy), exactly, or not at all. @default 'keyframe' */
  trim?: TrimMode | undefined;
  /** At a format change: a new file (`none`), re-encode the odd parts (`auto`), or H.264 throughout (`h264`). @default 'none' */
  transcode?: TranscodeMode | undefined;
  /** Download and probe the parts, plan the merge, write no merged file (parts kept). @default false */
  dryRun?: boolean | undefined;
  /** Merge the parts (needs `tools`, found beforehand so a missing ffmpeg stops before any download). @default true */
  merge?: boolean | undefined;
  /** ffmpeg/ffprobe, from `findFfmpeg()`. @default looked up at merge time */
  tools?: FfmpegTools | undefined;
  /** Replace an existing merged file (without it, one stops the job before any download). @default false */
  overwrite?: boolean | undefined;
  /** Keep the parts after a verified merge. @default false */
  keepFiles?: boolean | undefined;
  /** Merge what was downloaded even when some downloads failed. @default false */
  allowPartial?: boolean | undefined;
  /** @default 4 */
  maxConcurrent?: number | undefined;
  /** @default undefined */
  rateLimiter?: RateLimiter | undefined;
  /** Total Mbps for all downloads; 0 = unlimited. @default 0 */
  rateLimitMbps?: number | undefined;
  /** @default 3 */
  maxRetries?: number | undefined;
  /** ms. @default 5000 */
  retryDelay?: number | undefined;
  /** ms. @default 60000 */
  timeout?: number | undefined;
  /** Aborts at once (search closed, downloads cut with `.part` kept, ffmpeg killed). @default undefined */
  signal?: AbortSignal | undefined;
  /**
   * Stop gently: the search and the merge stop at once (nothing to finish), running downloads finish
   * and no new one starts. @default undefined
   */
  stopSignal?: AbortSignal | undefined;
  /** Called with every event of the job, in order (render it, log it, or ignore it). @default no-op */
  onEvent?: ((event: RecordingsJobEvent) => void) | undefined;
  /** Clock for the elapsed time, ms. @default Date.now */
  now?: (() => number) | undefined;
}

/** The phases of {@link runRecordingsJob}, in order. */
export type RecordingsPhase = 'search' | 'download' | 'merge';

/** Everything {@link runRecordingsJob} reports. */
export type RecordingsJobEvent =
  | JobPhaseEvent<RecordingsPhase>
  | JobWarningEvent
  | { type: 'device'; info: DeviceInfo }
  /** The search is done: what was found, skipped, and how times were converted. */
  | { type: 'search'; found: FindRecordingsResult }
  /** The recordings to download, their totals and the gaps in coverage. */
  | { type: 'listing'; recordings: Recording[]; totalBytes: number; totalSeconds: number; gaps: CoverageGap[] }
  | RecordingDownloadEvent
  | { type: 'merge-start'; output: string; format: MergeFormat; parts: number }
  /** What the merge will write (every part probed): outputs, re-encodes, unreadable parts. */
  | { type: 'merge-plan'; plan: MergePlan }
  /** A part ffprobe cannot read (named; merged without it only with `allowPartial`). */
  | { type: 'merge-unreadable'; path: string; reason: string }
  | { type: 'merge-progress'; output: string; seconds: number; totalSeconds: number }
  /** One output written and verified (several with `split` or at format changes). */
  | { type: 'merged'; result: MergedOutput; size: number }
  | { type: 'parts-removed'; count: number; directory: string };

/** How the job ended. */
export type RecordingsJobOutcome =
  /** Everything asked for is done (also: nothing recorded, or only listed). */
  | 'done'
  /** Some downloads failed (merged anyway only with `allowPartial`). */
  | 'some-failed'
  /** The search failed (auth, network, bad answer). */
  | 'search-failed'
  /** The times are backwards once converted (a usage error). */
  | 'invalid-range'
  /** The merged file exists and `overwrite` is off: nothing was downloaded. */
  | 'output-exists'
  /** ffmpeg failed or the merged duration did not match; parts kept. */
  | 'merge-failed'
  | 'interrupted';

export interface RecordingsJobResult {
  outcome: RecordingsJobOutcome;
  /** Where it ended, for `interrupted` and failures. */
  phase: RecordingsPhase;
  found: FindRecordingsResult | undefined;
  /** One per recording, in order (empty before downloads). */
  outcomes: RecordingDownloadOutcome[];
  downloaded: number;
  /** Complete parts found from an earlier run. */
  reused: number;
  failed: number;
  notStarted: number;
  /** Bytes received in this run. */
  received: number;
  /** Downloads cut by an interruption: not failures, their partial files are kept for the next run. */
  partial: number;
  /** Bytes of those partial files (as far as progress reports saw them). */
  partialBytes: number;
  gaps: number;
  /** The merged file's path (decided before any download). */
  output: string | undefined;
  /** The merge: its plan, the verified outputs (with sizes), the unreadable parts left out; `dryRun` when only planned. */
  merged: (Omit<MergeMediaResult, 'outputs'> & { outputs: Array<MergedOutput & { size: number }> }) | undefined;
  /** Whether `merge` was asked for. */
  merge: boolean;
  partsDirectory: string;
  /** The search, range or merge error. */
  error: unknown;
  elapsedSeconds: number;
}

/**
 * `amcrest_2026-01-16_20.00.00_2026-01-16_22.00.00.mp4` (`_ch2` for another channel than 1), from the
 * camera-time window searched.
 */
export function defaultOutputName(window: { start: string; end: string }, channel: number, format: string): string {
  const safe = (text: string): string => text.replace(' ', '_').replaceAll(':', '.');
  return `amcrest_${safe(window.start)}_${safe(window.end)}${channel === 1 ? '' : `_ch${channel}`}.${format}`;
}

/**
 * Decides what a set of download outcomes means: whether to merge, and how the job ends. Pure.
 * Interrupted wins; failures stop the merge unless `allowPartial`.
 */
export function planAfterDownloads(input: { interrupted: boolean; failed: number; merge: boolean; allowPartial: boolean }): { merge: boolean; outcome: RecordingsJobOutcome } {
  if (input.interrupted) return { merge: false, outcome: 'interrupted' };
  if (input.failed > 0 && (!input.merge || !input.allowPartial)) return { merge: false, outcome: 'some-failed' };
  return { merge: input.merge, outcome: input.failed > 0 ? 'some-failed' : 'done' };
}

/**
 * The whole `amcrest-dl` job: search a time range, download the recordings in parallel into
 * `<outputDir>/.amcrest_download/`, merge them in chronological order and remove the parts. Never
 * throws for a camera, file or merge failure: the outcome says how it ended.
 */
export async function runRecordingsJob(client: AmcrestClient, options: RecordingsJobOptions): Promise<RecordingsJobResult> {
  const now = options.now ?? Date.now;
  const startedAt = now();
  const emit = options.onEvent ?? (() => {});
  const merge = options.merge !== false;
  const channel = options.channel ?? 1;
  const format = options.format ?? 'mp4';
  const result: RecordingsJobResult = {
    outcome: 'done',
    phase: 'search',
    found: undefined,
    outcomes: [],
    downloaded: 0,
    reused: 0,
    failed: 0,
    notStarted: 0,
    received: 0,
    partial: 0,
    partialBytes: 0,
    gaps: 0,
    output: undefined,
    merged: undefined,
    merge,
    partsDirectory: partsDirectory(options.outputDir),
    error: undefined,
    elapsedSeconds: 0,
  };
  const end = (outcome: RecordingsJobOutcome, error?: unknown): RecordingsJobResult => ({
    ...result,
    outcome,
    error,
    elapsedSeconds: (now() - startedAt) / 1000,
  });
  // The search and the merge have no "current file" to finish: the gentle stop ends them at once.
  const phaseSignal = anySignal(options.signal, options.stopSignal);
  const stopped = (): boolean => options.signal?.aborted === true || options.stopSignal?.aborted === true;

  emit({ type: 'phase', phase: 'search' });
  let found: FindRecordingsResult;
  try {
    const info = await client.getDeviceInfo({ ...(phaseSignal ? { signal: phaseSignal } : {}) });
    emit({ type: 'device', info });
    found = await findRecordings(client, {
      start: options.start,
      end: options.end,
      channel,
      ...(options.types ? { types: options.types } : {}),
      ...(phaseSignal ? { signal: phaseSignal } : {}),
      ...(options.cameraTimeZone ? { cameraTimeZone: options.cameraTimeZone } : {}),
      onWarning: (message) => emit({ type: 'warning', message }),
    });
  } catch (error) {
    if (stopped() || isAmcrestError(error, 'ERR_AMCREST_ABORTED')) return end('interrupted', error);
    // Only known to be backwards once an instant is converted (one time with an offset, one without).
    if (isAmcrestError(error, 'ERR_AMCREST_INVALID_TIME') || isAmcrestError(error, 'ERR_AMCREST_INVALID_OPTIONS')) return end('invalid-range', error);
    return end('search-failed', error);
  }
  result.found = found;
  emit({ type: 'search', found });
  const { recordings } = found;
  const gaps = recordings.length === 0 ? [] : findGaps(recordings, { range: found.range });
  result.gaps = gaps.length;
  emit({
    type: 'listing',
    recordings,
    totalBytes: recordings.reduce((sum, recording) => sum + (recording.size ?? 0), 0),
    totalSeconds: recordings.reduce((sum, recording) => sum + recording.durationSeconds, 0),
    gaps,
  });
  if (recordings.length === 0 || options.mode === 'list') return end(stopped() ? 'interrupted' : 'done');

  // Decided before any download: an existing merged file is never silently replaced.
  const output = resolve(options.outputDir, options.outputFile ?? defaultOutputName(found.window, channel, format));
  result.output = output;
  if (merge && !options.overwrite && existsSync(output)) return end('output-exists');

  result.phase = 'download';
  emit({ type: 'phase', phase: 'download' });
  const lastBytes = new Map<Recording, number>();
  const outcomes = await downloadRecordings(client, recordings, {
    directory: result.partsDirectory,
    ...(options.maxConcurrent === undefined ? {} : { maxConcurrent: options.maxConcurrent }),
    ...(options.rateLimiter ? { rateLimiter: options.rateLimiter } : {}),
    ...(options.rateLimitMbps === undefined ? {} : { rateLimitMbps: options.rateLimitMbps }),
    ...(options.maxRetries === undefined ? {} : { maxRetries: options.maxRetries }),
    ...(options.retryDelay === undefined ? {} : { retryDelay: options.retryDelay }),
    ...(options.timeout === undefined ? {} : { timeout: options.timeout }),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.stopSignal ? { stopSignal: options.stopSignal } : {}),
    onEvent: (event) => {
      if (event.type === 'progress') lastBytes.set(event.item, event.progress.bytes);
      emit(event);
    },
  });
  const interrupted = stopped();
  result.outcomes = outcomes;
  const ok = outcomes.filter((outcome) => outcome.status === 'downloaded' || outcome.status === 'resumed' || outcome.status === 'skipped');
  result.reused = outcomes.filter((outcome) => outcome.status === 'skipped').length;
  result.downloaded = ok.length - result.reused;
  // A download cut by the interruption is not a failure: its partial file is kept for the next run.
  const cut = outcomes.filter((outcome) => outcome.status === 'interrupted');
  result.failed = outcomes.filter((outcome) => outcome.status === 'failed').length;
  result.notStarted = outcomes.filter((outcome) => outcome.status === 'not-started').length;
  result.partial = cut.length;
  result.partialBytes = cut.reduce((sum, outcome) => sum + (lastBytes.get(outcome.recording) ?? 0), 0);
  result.received = outcomes.reduce((sum, outcome) => sum + (outcome.result?.bytes ?? 0), 0);

  const plan = planAfterDownloads({ interrupted, failed: result.failed, merge, allowPartial: options.allowPartial === true });
  if (!plan.merge) return end(plan.outcome);

  result.phase = 'merge';
  emit({ type: 'phase', phase: 'merge' });
  await mkdir(dirname(output), { recursive: true });
  emit({ type: 'merge-start', output, format, parts: ok.length });
  let merged: MergeMediaResult;
  const onMergeEvent = (event: MergeEvent): void => {
    if (event.type === 'plan') emit({ type: 'merge-plan', plan: event.plan });
    else if (event.type === 'unreadable') emit({ type: 'merge-unreadable', path: event.path, reason: event.reason });
    else if (event.type === 'progress') emit({ type: 'merge-progress', output: event.output, seconds: event.seconds, totalSeconds: event.totalSeconds });
  };
  try {
    merged = await mergeRecordings({
      recordings: ok,
      range: found.range,
      output,
      format,
      split: options.split ?? 'none',
      trim: options.trim ?? 'keyframe',
      transcode: options.transcode ?? 'none',
      dryRun: options.dryRun === true,
      // Checked before any download; a `…_part2` or per-day name is new unless the run is repeated.
      overwrite: options.overwrite === true,
      unreadable: options.allowPartial ? 'skip' : 'fail',
      ...(options.tools ? { tools: options.tools } : {}),
      ...(phaseSignal ? { signal: phaseSignal } : {}),
      onEvent: onMergeEvent,
    });
  } catch (error) {
    if (stopped() || isMediaError(error, 'ERR_MEDIA_ABORTED')) return end('interrupted', error);
    return end('merge-failed', error);
  }
  const outputs: Array<MergedOutput & { size: number }> = [];
  for (const written of merged.outputs) {
    const size = (await stat(written.path)).size;
    outputs.push({ ...written, size });
    emit({ type: 'merged', result: written, size });
  }
  result.merged = { ...merged, outputs };
  if (merged.dryRun) return end(plan.outcome);
  if (!options.keepFiles) {
    // A part that could not be read stays for inspection.
    const unreadable = new Set(merged.skipped.map((item) => item.path));
    const mergedParts = ok.map((outcome) => outcome.path).filter((path) => !unreadable.has(resolve(path)));
    await removeParts(result.partsDirectory, mergedParts);
    emit({ type: 'parts-removed', count: mergedParts.length, directory: result.partsDirectory });
  }
  return end(merged.skipped.length > 0 ? 'some-failed' : plan.outcome);
}

/** Removes merged parts, then their directory when nothing else is in it. */
async function removeParts(directory: string, paths: string[]): Promise<void> {
  for (const path of paths) await rm(path, { force: true });
  try {
    if ((await readdir(directory)).length === 0) await rmdir(directory);
  } catch {
    // another run may be using it; leaving it is harmless
  }
}

function anySignal(...signals: Array<AbortSignal | undefined>): AbortSignal | undefined {
  const present = signals.filter((signal): signal is AbortSignal => signal !== undefined);
  return present.length <= 1 ? present[0] : AbortSignal.any(present);
}
