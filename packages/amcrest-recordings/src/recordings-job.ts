import { existsSync } from 'node:fs';
import { mkdir, readdir, rm, rmdir, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { transferOptions, type JobPhaseEvent, type JobWarningEvent, type TransferOptions } from '@camdl/throttled-download';
import type { AmcrestClient, DeviceInfo } from './client.js';
import { join } from 'node:path';
import { downloadRecordings, partsDirectory, type RecordingDownloadEvent, type RecordingDownloadOutcome } from './download-recordings.js';
import { isAmcrestError } from './errors.js';
import { isMediaError, type FfmpegTools, type MergedOutput, type MergeEvent, type MergeFormat, type MergeMediaResult, type MergePlan, type SplitMode, type TranscodeMode, type TrimMode } from '@camdl/media';
import { getChannelCount } from './channel-count.js';
import { AmcrestError } from './errors.js';
import { findRecordings, type FindRecordingsResult, type Recording } from './find-recordings.js';
import { planFromSearch, type SearchPlanOutput } from './search-plan.js';
import { findGaps, type CoverageGap } from './gaps.js';
import { mergeRecordings } from './merge-recordings.js';

export interface RecordingsJobOptions extends TransferOptions {
  /** ISO 8601 start (camera wall clock without an offset, an instant with one), or a parsed input. */
  start: string | Date;
  /** ISO 8601 end, like `start`. */
  end: string | Date;
  /** @default 1 */
  channel?: number | undefined;
  /**
   * Several channels (an NVR), searched one after the other (one search object at a time, each closed and
   * destroyed), or `'all'`: as many as the device says it has ({@link getChannelCount}). Each channel gets
   * its own merged output(s), named `…_ch<N>`. Wins over `channel`.
   * @default [channel]
   */
  channels?: readonly number[] | 'all' | undefined;
  /** `condition.Types`. @default ['mp4'] */
  types?: string[] | undefined;
  /** `condition.Flags`: `['Event']` for event recordings only (`Timing`, `Manual`, `Marker`). @default [] (any) */
  flags?: readonly string[] | undefined;
  /** `condition.Events`: `['VideoMotion']` for motion only (`AlarmLocal`…). @default [] (any) */
  events?: readonly string[] | undefined;
  /** `condition.VideoStream`: `Main` or `Extra1`; the other stream's recordings of the same time are skipped. @default 'Main' */
  stream?: string | undefined;
  /** Also download the window's `.jpg` snapshots into `<outputDir>/snapshots/` (never merged, never removed). @default false */
  snapshots?: boolean | undefined;
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
  /**
   * Search and plan only: download nothing, write nothing. The plan (outputs per channel and day/hour,
   * their recordings, seconds and bytes) comes from what the search says; stream parameters are only
   * checked once parts are downloaded (a change there adds `…_part2` outputs).
   * @default false
   */
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
  /** Total Mbps for all downloads; 0 = unlimited. @default 0 */
  rateLimitMbps?: number | undefined;
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
  /** The channels to search (`asked`: the device said how many it has, for `channels: 'all'`). */
  | { type: 'channels'; channels: number[]; asked: boolean }
  /** One channel's search is done: what was found, skipped, and how times were converted. */
  | { type: 'search'; channel: number; found: FindRecordingsResult }
  /** One channel's recordings to download, their totals and the gaps in coverage. */
  | { type: 'listing'; channel: number; recordings: Recording[]; totalBytes: number; totalSeconds: number; gaps: CoverageGap[] }
  /** One channel's snapshots (`snapshots`), downloaded into `directory`. */
  | { type: 'snapshots'; channel: number; found: FindRecordingsResult; totalBytes: number; directory: string }
  /** `dryRun`: what the merge would write for one channel, from the search alone. */
  | { type: 'search-plan'; channel: number; outputs: SearchPlanOutput[]; split: SplitMode; format: MergeFormat }
  | RecordingDownloadEvent
  | { type: 'merge-start'; channel: number; output: string; format: MergeFormat; parts: number }
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
  /** The merged file's directory cannot be created (`ERR_AMCREST_OUTPUT_DIR`): nothing was downloaded. */
  | 'output-unwritable'
  /** ffmpeg failed or the merged duration did not match; parts kept. */
  | 'merge-failed'
  | 'interrupted';

/** What happened on one channel. */
export interface ChannelResult {
  channel: number;
  found: FindRecordingsResult;
  /** The snapshots search (`snapshots`). */
  snapshots: FindRecordingsResult | undefined;
  gaps: number;
  /** The merged file's path (decided before any download). */
  output: string;
  /** `dryRun`: the plan from the search. */
  plan: SearchPlanOutput[] | undefined;
  merged: (Omit<MergeMediaResult, 'outputs'> & { outputs: Array<MergedOutput & { size: number }> }) | undefined;
  /** The merge error of this channel (the others are still merged). */
  mergeError: unknown;
}

export interface RecordingsJobResult {
  outcome: RecordingsJobOutcome;
  /** Where it ended, for `interrupted` and failures. */
  phase: RecordingsPhase;
  /** The first channel's search (the only one unless `channels`). */
  found: FindRecordingsResult | undefined;
  /** Per channel, in the order searched. */
  channels: ChannelResult[];
  /** Snapshots downloaded (or already there) into `snapshotsDirectory`. */
  snapshots: number;
  snapshotsDirectory: string;
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
  /** The (first channel's) merged file's path (decided before any download). */
  output: string | undefined;
  /** Every channel's merge together: the verified outputs (with sizes), the unreadable parts left out, each plan. */
  merged: { plans: MergePlan[]; outputs: Array<MergedOutput & { size: number }>; skipped: MergeMediaResult['skipped']; dryRun: boolean } | undefined;
  /** Whether only a plan was made (`dryRun`): nothing downloaded, nothing written. */
  dryRun: boolean;
  /** Whether `merge` was asked for. */
  merge: boolean;
  partsDirectory: string;
  /** The search, range or merge error. */
  error: unknown;
  elapsedSeconds: number;
}

/**
 * `amcrest_2026-01-16_20.00.00_2026-01-16_22.00.00.mp4` (`_ch2` for another channel than 1, or for
 * every channel when several are merged), from the camera-time window searched.
 */
export function defaultOutputName(window: { start: string; end: string }, channel: number, format: string, options: { alwaysChannel?: boolean } = {}): string {
  const safe = (text: string): string => text.replace(' ', '_').replaceAll(':', '.');
  return `amcrest_${safe(window.start)}_${safe(window.end)}${channel === 1 && !options.alwaysChannel ? '' : `_ch${channel}`}.${format}`;
}

/** `night.mp4` → `night_ch2.mp4`: a given output name, for one of several channels. */
export function channelOutputName(outputFile: string, channel: number): string {
  const match = /^(.*?)(\.[^./\\]+)?$/.exec(outputFile);
  return `${match?.[1] ?? outputFile}_ch${channel}${match?.[2] ?? ''}`;
}

/** The snapshots' folder under the output directory. */
export const SNAPSHOTS_DIRECTORY_NAME = 'snapshots';

/** `'1,2,5'`-style lists: unique channel numbers ≥ 0. */
function checkChannels(channels: readonly number[]): number[] {
  if (channels.length === 0) throw new AmcrestError('no channel to search', { code: 'ERR_AMCREST_INVALID_OPTIONS' });
  for (const channel of channels) {
    if (!Number.isInteger(channel) || channel < 0) throw new AmcrestError(`channel must be a non-negative integer, got ${channel}`, { code: 'ERR_AMCREST_INVALID_OPTIONS' });
  }
  if (new Set(channels).size !== channels.length) throw new AmcrestError(`a channel is listed twice: ${channels.join(',')}`, { code: 'ERR_AMCREST_INVALID_OPTIONS' });
  return [...channels];
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
 * The whole `amcrest-dl` job: search a time range on one or more channels (one search object at a
 * time), download the recordings (and snapshots) in parallel into `<outputDir>/.amcrest_download/`,
 * merge each channel's recordings in chronological order and remove the parts. Never throws for a
 * camera, file or merge failure: the outcome says how it ended.
 */
export async function runRecordingsJob(client: AmcrestClient, options: RecordingsJobOptions): Promise<RecordingsJobResult> {
  const run = startRun(client, options);
  run.emit({ type: 'phase', phase: 'search' });
  const channels = await deviceChannels(run);
  if (!Array.isArray(channels)) return channels;
  const found = await searchChannels(run, channels);
  if (!('toDownload' in found)) return found;
  const { toDownload, snapshotFiles } = found;
  if (run.stopped()) return run.end('interrupted');
  if ((toDownload.length === 0 && snapshotFiles.length === 0) || options.mode === 'list') return run.end('done');
  if (run.result.dryRun) return planFromSearchOnly(run);
  const refused = await refuseUnwritableOutputs(run);
  if (refused) return refused;
  run.result.phase = 'download';
  run.emit({ type: 'phase', phase: 'download' });
  const { videoParts, interrupted } = await downloadParts(run, toDownload, snapshotFiles);
  const plan = planAfterDownloads({ interrupted, failed: run.result.failed, merge: run.merge && toDownload.length > 0, allowPartial: options.allowPartial === true });
  if (!plan.merge) return run.end(plan.outcome);
  run.result.phase = 'merge';
  run.emit({ type: 'phase', phase: 'merge' });
  return mergeParts(run, videoParts, plan.outcome);
}

/** What the phases of one run share: the client and options, the result being filled, and how to end. */
interface JobRun {
  readonly client: AmcrestClient;
  readonly options: RecordingsJobOptions;
  readonly result: RecordingsJobResult;
  readonly emit: (event: RecordingsJobEvent) => void;
  readonly merge: boolean;
  readonly format: MergeFormat;
  /** Ends the search and the merge: they have no "current file" to finish, so the gentle stop ends them at once. */
  readonly phaseSignal: AbortSignal | undefined;
  readonly stopped: () => boolean;
  readonly end: (outcome: RecordingsJobOutcome, error?: unknown) => RecordingsJobResult;
  /** The result of a failed device query or search. */
  readonly searchError: (error: unknown) => RecordingsJobResult;
}

function startRun(client: AmcrestClient, options: RecordingsJobOptions): JobRun {
  const now = options.now ?? Date.now;
  const startedAt = now();
  const emit = options.onEvent ?? (() => {});
  const merge = options.merge !== false;
  const format = options.format ?? 'mp4';
  const dryRun = options.dryRun === true;
  const result: RecordingsJobResult = {
    outcome: 'done',
    phase: 'search',
    found: undefined,
    channels: [],
    snapshots: 0,
    snapshotsDirectory: join(options.outputDir, SNAPSHOTS_DIRECTORY_NAME),
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
    dryRun,
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
  const phaseSignal = anySignal(options.signal, options.stopSignal);
  const stopped = (): boolean => options.signal?.aborted === true || options.stopSignal?.aborted === true;
  const searchError = (error: unknown): RecordingsJobResult => {
    if (stopped() || isAmcrestError(error, 'ERR_AMCREST_ABORTED')) return end('interrupted', error);
    // Only known to be backwards once an instant is converted (one time with an offset, one without).
    if (isAmcrestError(error, 'ERR_AMCREST_INVALID_TIME') || isAmcrestError(error, 'ERR_AMCREST_INVALID_OPTIONS')) return end('invalid-range', error);
    return end('search-failed', error);
  };

  return { client, options, result, emit, merge, format, phaseSignal, stopped, end, searchError };
}

/** The device's answer to who it is, and the channels to search (all it has, when asked). */
async function deviceChannels(run: JobRun): Promise<number[] | RecordingsJobResult> {
  const { client, options, emit, phaseSignal } = run;
  let channels: number[];
  try {
    channels = options.channels === undefined ? checkChannels([options.channel ?? 1]) : options.channels === 'all' ? [] : checkChannels(options.channels);
    const info = await client.getDeviceInfo({ ...(phaseSignal ? { signal: phaseSignal } : {}) });
    emit({ type: 'device', info });
    if (options.channels === 'all') {
      const count = await getChannelCount(client, phaseSignal ? { signal: phaseSignal } : {});
      channels = Array.from({ length: count }, (_, index) => index + 1);
    }
    emit({ type: 'channels', channels, asked: options.channels === 'all' });
  } catch (error) {
    return run.searchError(error);
  }
  return channels;
}

/** One search per channel (one search object open at a time), its listing and gaps, and the output it merges into. */
async function searchChannels(run: JobRun, channels: readonly number[]): Promise<{ toDownload: Recording[]; snapshotFiles: Recording[] } | RecordingsJobResult> {
  const { client, options, result, emit, phaseSignal, format } = run;
  const several = options.channels !== undefined && (options.channels === 'all' || options.channels.length > 1);
  const searchOptions = {
    start: options.start,
    end: options.end,
    ...(options.flags ? { flags: options.flags } : {}),
    ...(options.events ? { events: options.events } : {}),
    ...(options.stream ? { videoStream: options.stream } : {}),
    ...(phaseSignal ? { signal: phaseSignal } : {}),
    ...(options.cameraTimeZone ? { cameraTimeZone: options.cameraTimeZone } : {}),
    onWarning: (message: string) => emit({ type: 'warning', message }),
  };
  const toDownload: Recording[] = [];
  const snapshotFiles: Recording[] = [];
  for (const channel of channels) {
    let found: FindRecordingsResult;
    let snapshots: FindRecordingsResult | undefined;
    try {
      // One channel after the other: one search object open at a time, each closed and destroyed.
      found = await findRecordings(client, {
        ...searchOptions,
        channel,
        // The first channel's time model serves the others: one clock reading per run.
        ...(result.found ? { timeModel: result.found.timeModel } : {}),
        ...(options.types ? { types: options.types } : {}),
      });
      result.found ??= found;
      if (options.snapshots) snapshots = await findRecordings(client, { ...searchOptions, channel, timeModel: found.timeModel, snapshots: true });
    } catch (error) {
      return run.searchError(error);
    }
    emit({ type: 'search', channel, found });
    const { recordings } = found;
    const gaps = recordings.length === 0 ? [] : findGaps(recordings, { range: found.range });
    result.gaps += gaps.length;
    emit({
      type: 'listing',
      channel,
      recordings,
      totalBytes: recordings.reduce((sum, recording) => sum + (recording.size ?? 0), 0),
      totalSeconds: recordings.reduce((sum, recording) => sum + recording.durationSeconds, 0),
      gaps,
    });
    if (snapshots) {
      emit({
        type: 'snapshots',
        channel,
        found: snapshots,
        totalBytes: snapshots.recordings.reduce((sum, recording) => sum + (recording.size ?? 0), 0),
        directory: result.snapshotsDirectory,
      });
    }
    const output = resolve(
      options.outputDir,
      options.outputFile === undefined
        ? defaultOutputName(found.window, channel, format, { alwaysChannel: several })
        : several
          ? channelOutputName(options.outputFile, channel)
          : options.outputFile,
    );
    result.output ??= output;
    result.channels.push({ channel, found, snapshots, gaps: gaps.length, output, plan: undefined, merged: undefined, mergeError: undefined });
    toDownload.push(...recordings);
    snapshotFiles.push(...(snapshots?.recordings ?? []));
  }
  return { toDownload, snapshotFiles };
}

/** A dry run: nothing is downloaded, the plan comes from what the search says. */
function planFromSearchOnly(run: JobRun): RecordingsJobResult {
  const { options, result, emit, merge, format } = run;
  for (const channelResult of result.channels) {
    const videos = channelResult.found.recordings.filter(isVideo);
    channelResult.plan = merge ? planFromSearch(videos, { output: channelResult.output, format, split: options.split ?? 'none', range: channelResult.found.range }) : [];
    emit({ type: 'search-plan', channel: channelResult.channel, outputs: channelResult.plan, split: options.split ?? 'none', format });
  }
  return run.end('done');
}

/** Refuses, before any download, an existing merged file (never silently replaced) and one that could not be written. */
async function refuseUnwritableOutputs(run: JobRun): Promise<RecordingsJobResult | undefined> {
  const { options, result, merge, end } = run;
  // Decided before any download: an existing merged file is never silently replaced.
  if (merge && !options.overwrite) {
    const existing = result.channels.find((channelResult) => channelResult.found.recordings.length > 0 && existsSync(channelResult.output));
    if (existing) {
      result.output = existing.output;
      return end('output-exists');
    }
  }
  // …and so is a merged file that could not be written: a file where its directory should be, no permission.
  if (merge) {
    for (const channelResult of result.channels) {
      if (channelResult.found.recordings.length === 0) continue;
      const error = await makeOutputDirectory(channelResult.output);
      if (error) {
        result.output = channelResult.output;
        return end('output-unwritable', error);
      }
    }
  }
  return undefined;
}

/** Downloads the recordings and snapshots into the parts folder and counts what happened. */
async function downloadParts(run: JobRun, toDownload: readonly Recording[], snapshotFiles: readonly Recording[]): Promise<{ videoParts: RecordingDownloadOutcome[]; interrupted: boolean }> {
  const { client, options, result, emit, stopped } = run;
  const lastBytes = new Map<Recording, number>();
  const snapshotSet = new Set(snapshotFiles);
  const outcomes = await downloadRecordings(client, [...snapshotFiles, ...toDownload], {
    directory: result.partsDirectory,
    directoryFor: (recording) => (snapshotSet.has(recording) ? result.snapshotsDirectory : result.partsDirectory),
    ...(options.maxConcurrent === undefined ? {} : { maxConcurrent: options.maxConcurrent }),
    ...transferOptions(options),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.stopSignal ? { stopSignal: options.stopSignal } : {}),
    onEvent: (event) => {
      if (event.type === 'progress') lastBytes.set(event.item, event.progress.bytes);
      emit(event);
    },
  });
  const interrupted = stopped();
  result.outcomes = outcomes;
  const succeeded = (outcome: RecordingDownloadOutcome): boolean => outcome.status === 'downloaded' || outcome.status === 'resumed' || outcome.status === 'skipped';
  const ok = outcomes.filter(succeeded);
  result.snapshots = ok.filter((outcome) => snapshotSet.has(outcome.recording)).length;
  result.reused = outcomes.filter((outcome) => outcome.status === 'skipped').length;
  result.downloaded = ok.length - result.reused;
  // A download cut by the interruption is not a failure: its partial file is kept for the next run.
  const cut = outcomes.filter((outcome) => outcome.status === 'interrupted');
  result.failed = outcomes.filter((outcome) => outcome.status === 'failed').length;
  result.notStarted = outcomes.filter((outcome) => outcome.status === 'not-started').length;
  result.partial = cut.length;
  result.partialBytes = cut.reduce((sum, outcome) => sum + (lastBytes.get(outcome.recording) ?? 0), 0);
  result.received = outcomes.reduce((sum, outcome) => sum + (outcome.result?.bytes ?? 0), 0);

  const videoParts = ok.filter((outcome) => !snapshotSet.has(outcome.recording));
  return { videoParts, interrupted };
}

/** Merges each channel's downloaded parts into its output and removes the merged parts. */
async function mergeParts(run: JobRun, videoParts: readonly RecordingDownloadOutcome[], outcome: RecordingsJobOutcome): Promise<RecordingsJobResult> {
  const { options, result, emit, format, phaseSignal, stopped, end } = run;
  const merged: NonNullable<RecordingsJobResult['merged']> = { plans: [], outputs: [], skipped: [], dryRun: false };
  result.merged = merged;
  let firstError: unknown;
  const mergedParts: string[] = [];
  for (const channelResult of result.channels) {
    const parts = videoParts.filter((outcome) => outcome.recording.searchChannel === channelResult.channel && isVideo(outcome.recording));
    if (parts.length === 0) continue;
    const output = channelResult.output;
    // Made before the downloads; a directory removed since is a merge failure of this channel, never a throw.
    const directoryError = await makeOutputDirectory(output);
    if (directoryError) {
      channelResult.mergeError = directoryError;
      firstError ??= directoryError;
      continue;
    }
    emit({ type: 'merge-start', channel: channelResult.channel, output, format, parts: parts.length });
    const onMergeEvent = (event: MergeEvent): void => {
      if (event.type === 'plan') emit({ type: 'merge-plan', plan: event.plan });
      else if (event.type === 'unreadable') emit({ type: 'merge-unreadable', path: event.path, reason: event.reason });
      else if (event.type === 'progress') emit({ type: 'merge-progress', output: event.output, seconds: event.seconds, totalSeconds: event.totalSeconds });
    };
    let channelMerge: MergeMediaResult;
    try {
      channelMerge = await mergeRecordings({
        recordings: parts.map((outcome) => ({ path: outcome.path, recording: { ...outcome.recording, kind: outcome.recording.kind as 'mp4' | 'dav' } })),
        range: channelResult.found.range,
        output,
        format,
        split: options.split ?? 'none',
        trim: options.trim ?? 'keyframe',
        transcode: options.transcode ?? 'none',
        // Checked before any download; a `…_part2` or per-day name is new unless the run is repeated.
        overwrite: options.overwrite === true,
        unreadable: options.allowPartial ? 'skip' : 'fail',
        ...(options.tools ? { tools: options.tools } : {}),
        ...(phaseSignal ? { signal: phaseSignal } : {}),
        onEvent: onMergeEvent,
      });
    } catch (error) {
      if (stopped() || isMediaError(error, 'ERR_MEDIA_ABORTED')) return end('interrupted', error);
      // The other channels are still merged; this one's parts stay.
      channelResult.mergeError = error;
      firstError ??= error;
      continue;
    }
    const outputs: Array<MergedOutput & { size: number }> = [];
    for (const written of channelMerge.outputs) {
      const size = (await stat(written.path)).size;
      outputs.push({ ...written, size });
      emit({ type: 'merged', result: written, size });
    }
    channelResult.merged = { ...channelMerge, outputs };
    merged.plans.push(channelMerge.plan);
    merged.outputs.push(...outputs);
    merged.skipped.push(...channelMerge.skipped);
    // A part that could not be read stays for inspection.
    const unreadable = new Set(channelMerge.skipped.map((item) => item.path));
    mergedParts.push(...parts.map((outcome) => outcome.path).filter((path) => !unreadable.has(resolve(path))));
  }
  if (!options.keepFiles && mergedParts.length > 0) {
    await removeParts(result.partsDirectory, mergedParts);
    emit({ type: 'parts-removed', count: mergedParts.length, directory: result.partsDirectory });
  }
  if (firstError !== undefined) return end('merge-failed', firstError);
  return end(merged.skipped.length > 0 ? 'some-failed' : outcome);
}

/** Creates the directory of a merged file; returns why it cannot be, as an `ERR_AMCREST_OUTPUT_DIR` error. */
async function makeOutputDirectory(output: string): Promise<AmcrestError | undefined> {
  try {
    await mkdir(dirname(output), { recursive: true });
    return undefined;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    return new AmcrestError(`cannot create the directory ${dirname(output)} for ${output} (${code}: a file is in the way, or no permission)`, { code: 'ERR_AMCREST_OUTPUT_DIR', cause: error });
  }
}

function isVideo(recording: Recording): boolean {
  return recording.kind === 'mp4' || recording.kind === 'dav';
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
