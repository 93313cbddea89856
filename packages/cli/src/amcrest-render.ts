import {
  describeTimeModel,
  instantToCameraTime,
  isAmcrestError,
  type FindRecordingsResult,
  type Recording,
  type RecordingsJobEvent,
  type RecordingsJobResult,
  type RecordingsPhase,
  type SearchPlanOutput,
  type SkippedItem,
} from '@camdl/amcrest-recordings';
import { describePlan, isMediaError } from '@camdl/media';
import { AmcrestProgress } from './amcrest-progress.js';
import type { Renderer } from './command.js';
import { errorCode, networkProblem } from './error-text.js';
import { EXIT_CODES } from './exit-error.js';
import { formatBytes, formatDuration } from './format.js';
import type { Output } from './output.js';
import { escapeTerminal as safe, escapeTerminalLines as safeLines } from './terminal-text.js';

/** `[one, many]` for each reason a listed file is not downloaded. */
const SKIP_REASONS: Record<SkippedItem['reason'], readonly [string, string]> = {
  'in-progress': ['still being recorded', 'still being recorded'],
  snapshot: ['snapshot', 'snapshots'],
  other: ['not video', 'not video'],
  'outside-range': ['outside the requested instants', 'outside the requested instants'],
  duplicate: ['listed twice', 'listed twice'],
  video: ['video', 'videos'],
  'other-stream': ['of another stream', 'of another stream'],
  'not-matching': ['without the events/flags asked', 'without the events/flags asked'],
};

/** What `amcrest-dl` was asked, as far as the output needs it. */
export interface AmcrestRenderOptions {
  host: string;
  /** `--channel`: a list, or `all`. */
  channels: number[] | 'all';
  list: boolean;
  /** `--camera-tz` was given. */
  cameraTimeZone: string | undefined;
  /** `--events`, `--flags`, `--stream` (normalized), said in the search line. @default none, none, Main */
  events?: readonly string[] | undefined;
  flags?: readonly string[] | undefined;
  stream?: string | undefined;
}

/** Maps how the job ended to the exit code. */
export function amcrestExitCode(result: RecordingsJobResult): number {
  switch (result.outcome) {
    case 'done':
      return EXIT_CODES.ok;
    case 'some-failed':
      return EXIT_CODES.someFailed;
    case 'search-failed':
      return EXIT_CODES.listingFailed;
    case 'invalid-range':
      return EXIT_CODES.usage;
    case 'output-exists':
    case 'output-unwritable':
      return EXIT_CODES.outputExists;
    case 'merge-failed':
      return EXIT_CODES.mergeFailed;
    case 'interrupted':
      return EXIT_CODES.interrupted;
  }
}

/** `amcrest-dl`'s output: tagged lines, NDJSON with `--json`, one live line on a terminal. */
export function createAmcrestRenderer(out: Output, options: AmcrestRenderOptions): Renderer<RecordingsJobEvent, RecordingsJobResult> {
  let phase: RecordingsPhase = 'search';
  let progress: AmcrestProgress | undefined;
  let mergeStartedAt = 0;
  // Every channel's files (and snapshots) make one progress line.
  let plannedFiles = 0;
  let plannedBytes = 0;
  const several = options.channels === 'all' || options.channels.length > 1;
  const onChannel = (channel: number): string => (several ? ` on channel ${channel}` : '');

  const renderEvent = (event: RecordingsJobEvent): void => {
    switch (event.type) {
      case 'phase':
        phase = event.phase;
        if (phase === 'download') progress = new AmcrestProgress(plannedFiles, plannedBytes);
        return;
      case 'channels':
        if (event.asked) out.line('INFO', `The device has ${event.channels.length} channel(s): searching ${event.channels.length === 1 ? 'channel 1' : `channels 1–${event.channels.length}`}, one after the other`);
        out.event({ type: 'channels', channels: event.channels, asked: event.asked });
        return;
      case 'warning':
        out.warn(`warning: ${safe(event.message)}`);
        return;
      case 'device': {
        const { info } = event;
        const parts = [info.deviceType, info.serialNumber && `serial ${info.serialNumber}`, info.softwareVersion && `firmware ${info.softwareVersion}`].filter(Boolean);
        if (parts.length > 0) out.line('INFO', `Camera ${safe(options.host)}: ${safe(parts.join(', '))}`);
        out.event({ type: 'device', ...info });
        return;
      }
      case 'search':
        reportSearch(out, options, event.channel, event.found);
        return;
      case 'snapshots': {
        const snapshots = event.found.recordings;
        plannedFiles += snapshots.length;
        plannedBytes += event.totalBytes;
        if (options.list) {
          for (const snapshot of snapshots) {
            out.line('LIST', `${snapshot.startTime}  snapshot  ${formatBytes(snapshot.size ?? Number.NaN).padStart(10)}  ${safe(snapshot.filePath)}`);
            out.event({ type: 'snapshot', channel: event.channel, ...recordingRecord(snapshot) });
          }
        }
        out.line('INFO', `Found ${snapshots.length} snapshot(s)${onChannel(event.channel)}: ${formatBytes(event.totalBytes)}${options.list ? '' : ` (into ${event.directory}, never merged)`}`);
        out.event({ type: 'snapshots', channel: event.channel, count: snapshots.length, bytes: event.totalBytes, directory: event.directory });
        return;
      }
      case 'search-plan':
        reportSearchPlan(out, event.channel, event.outputs, event.split, several);
        return;
      case 'listing': {
        const { recordings } = event;
        plannedFiles += recordings.length;
        plannedBytes += event.totalBytes;
        if (recordings.length === 0) return;
        if (options.list) {
          for (const recording of recordings) {
            out.line(
              'LIST',
              `${recording.startTime} → ${recording.endTime}  ${formatDuration(recording.durationSeconds).padStart(6)}  ${formatBytes(recording.size ?? Number.NaN).padStart(10)}  ${safe(recording.filePath)}`,
            );
            out.event({ type: 'recording', channel: event.channel, ...recordingRecord(recording) });
          }
        }
        out.line('INFO', `Found ${recordings.length} recording(s)${onChannel(event.channel)}: ${formatDuration(event.totalSeconds)}, ${formatBytes(event.totalBytes)}`);
        for (const gap of event.gaps) {
          // Gaps are reported in camera time, as the user typed the range.
          const found = lastFound.get(event.channel);
          const from = found ? instantToCameraTime(gap.start, found.timeModel) : gap.start.toISOString();
          const to = found ? instantToCameraTime(gap.end, found.timeModel) : gap.end.toISOString();
          out.line('INFO', `Gap in coverage: ${from} → ${to} (${formatDuration(gap.seconds)}, ${gap.position})`);
          out.event({ type: 'gap', channel: event.channel, start: gap.start.toISOString(), end: gap.end.toISOString(), startTime: from, endTime: to, seconds: gap.seconds, position: gap.position });
        }
        return;
      }
      case 'start':
        out.line('GET', safe(event.url));
        return;
      case 'progress':
        progress?.update(event.path, event.progress);
        if (progress) out.progress(progress.text(process.stderr.columns));
        return;
      case 'retry':
        out.line('WARN', `${safe(event.item.fileName)}: retry ${event.attempt} in ${formatDuration(event.delayMs / 1000)}: ${safe(event.error.message)}`);
        return;
      case 'resume':
        out.line('INFO', `${safe(event.item.fileName)}: resuming at ${formatBytes(event.from)}`);
        return;
      case 'restart':
        out.line('INFO', `${safe(event.item.fileName)}: starting over (${event.reason})`);
        return;
      case 'size-mismatch':
        out.line('INFO', `${safe(event.item.fileName)}: local ${event.localSize} B, camera ${event.remoteSize} B: downloading again`);
        return;
      case 'expected-size-differs':
      case 'plan':
        return;
      case 'skip':
      case 'done': {
        const { result } = event;
        progress?.finish(event.path, result.size);
        if (result.status === 'skipped') out.line('SKIP', `${safe(result.path)} (already downloaded, ${formatBytes(result.size)})`);
        else out.line('SAVE', `${safe(result.path)} (${formatBytes(result.size)}${result.status === 'resumed' ? ', resumed' : ''})`);
        out.event({ type: 'download', status: result.status, ...recordingRecord(event.item), localPath: result.path, bytes: result.bytes, attempts: result.attempts });
        if (progress) out.progress(progress.text(process.stderr.columns));
        return;
      }
      case 'fail':
        progress?.fail(event.path);
        out.line('FAIL', `${safe(event.item.fileName)}: ${safe(event.error.message)}`);
        out.event({ type: 'download', status: 'failed', ...recordingRecord(event.item), error: event.error.message, code: errorCode(event.error) ?? undefined });
        return;
      case 'merge-start':
        mergeStartedAt = performance.now();
        out.clearProgress();
        out.line('INFO', `Merging ${event.parts} recording(s) into ${event.output} (${event.format}, chronological; every part probed)`);
        return;
      case 'merge-plan':
        for (const line of describePlan(event.plan)) out.line('PLAN', safe(line.trim()));
        out.event({
          type: 'plan',
          outputs: event.plan.outputs.map((item) => ({
            path: item.path,
            reason: item.reason ?? null,
            expectedSeconds: item.expectedSeconds,
            parts: item.pieces.map((piece) => ({ path: piece.path, action: piece.action })),
          })),
          unreadable: event.plan.unreadable,
          outsideWindow: event.plan.outsideWindow,
        });
        return;
      case 'merge-unreadable':
        out.line('WARN', `cannot read ${safe(event.path)}: ${safe(event.reason)}`);
        return;
      case 'merge-progress':
        out.progress(mergeProgressText(event.seconds, event.totalSeconds, (performance.now() - mergeStartedAt) / 1000));
        return;
      case 'merged': {
        out.clearProgress();
        const merged = event.result;
        out.line(
          'SAVE',
          `${merged.path} (${formatDuration(merged.durationSeconds)} of video, ${formatBytes(event.size)}; parts add up to ${merged.expectedSeconds.toFixed(2)} s, merged ${merged.durationSeconds.toFixed(2)} s)`,
        );
        out.event({
          type: 'merge',
          output: merged.path,
          format: merged.format,
          durationSeconds: merged.durationSeconds,
          expectedSeconds: merged.expectedSeconds,
          size: event.size,
          parts: merged.parts.length,
          video: merged.streams.video,
          audio: merged.streams.audio ?? null,
        });
        return;
      }
      case 'parts-removed':
        out.line('DEL', `${event.count} downloaded part(s) in ${event.directory}`);
        return;
    }
  };
  const lastFound = new Map<number, FindRecordingsResult>();

  return {
    event(event) {
      if (event.type === 'search') lastFound.set(event.channel, event.found);
      renderEvent(event);
    },
    interrupted(state) {
      if (state === 'terminate') out.warn('Terminated (SIGTERM): stopping now; partial files are kept for the next run');
      else if (state === 'abort') out.warn('Ctrl+C again: stopping now; partial files are kept for the next run');
      else if (phase === 'download') out.warn('Ctrl+C: finishing the running downloads and starting no new ones (Ctrl+C again stops now)');
      else out.warn(`Ctrl+C: stopping the ${phase}`);
    },
    finish(result, exitCode) {
      out.clearProgress();
      finishRun(out, options, result, exitCode);
    },
  };
}

/** `merging 25.0%  30s / 2m00s  ETA 30s`: the ETA at the pace so far (`elapsed` seconds for `seconds` of video). */
export function mergeProgressText(seconds: number, totalSeconds: number, elapsed: number): string {
  const done = Math.min(seconds, totalSeconds);
  const ratio = totalSeconds > 0 ? done / totalSeconds : 0;
  const eta = done > 0 && elapsed > 0 ? ((totalSeconds - done) * elapsed) / done : undefined;
  return `merging ${(ratio * 100).toFixed(1)}%  ${formatDuration(done)} / ${formatDuration(totalSeconds)}  ETA ${formatDuration(eta)}`;
}

/** The dry run's plan: what the search says would be downloaded and written (nothing probed yet). */
function reportSearchPlan(out: Output, channel: number, outputs: SearchPlanOutput[], split: string, several: boolean): void {
  const bytes = outputs.reduce((sum, item) => sum + item.bytes, 0);
  out.line('PLAN', `Plan from the search${several ? ` for channel ${channel}` : ''}: ${outputs.length} output(s) (split ${split}); stream parameters (codec, resolution, audio) are checked after download, a change there starts a …_part2 file`);
  for (const item of outputs) {
    out.line('PLAN', `${item.path}: ${item.pieces.length} recording(s), ~${formatDuration(item.seconds)}, ${formatBytes(item.bytes)} to download`);
    for (const piece of item.pieces) out.line('PLAN', `  ${piece.kind} ${safe(piece.fileName)} (${piece.from} → ${piece.to}, ${formatBytes(piece.size ?? Number.NaN)})`);
  }
  out.event({
    type: 'plan',
    dryRun: true,
    channel,
    split,
    bytes,
    outputs: outputs.map((item) => ({
      path: item.path,
      label: item.label ?? null,
      seconds: item.seconds,
      bytes: item.bytes,
      recordings: item.pieces.map((piece) => ({ fileName: piece.fileName, path: piece.filePath, kind: piece.kind, from: piece.from, to: piece.to, seconds: piece.seconds, size: piece.size })),
    })),
  });
}

function reportSearch(out: Output, options: AmcrestRenderOptions, channel: number, found: FindRecordingsResult): void {
  const { timeModel, window } = found;
  const anyInstant = found.input.start.kind === 'instant' || found.input.end.kind === 'instant';
  if (anyInstant) {
    const how = options.cameraTimeZone ? '--camera-tz' : 'no --camera-tz given';
    const dstNote = timeModel.kind === 'offset' ? '; pass --camera-tz for DST-exact conversion' : '';
    out.line('INFO', `Times with an offset converted to camera time with ${describeTimeModel(timeModel)} (${how}${dstNote})`);
  }
  if (timeModel.kind === 'offset' && timeModel.skewSeconds !== undefined && Math.abs(timeModel.skewSeconds) >= 30) {
    out.warn(`warning: the camera clock is ${Math.abs(timeModel.skewSeconds)} s ${timeModel.skewSeconds > 0 ? 'ahead' : 'behind'} (after rounding its offset to 15 min)`);
  }
  const conditions = [
    options.events?.length ? `events ${options.events.join(',')}` : '',
    options.flags?.length ? `flags ${options.flags.join(',')}` : '',
    options.stream && options.stream !== 'Main' ? `stream ${options.stream}` : '',
  ].filter(Boolean);
  out.line('INFO', `Searching channel ${channel} from ${window.start} to ${window.end} (camera time${conditions.length ? `; ${conditions.join('; ')}` : ''})`);
  out.event({
    type: 'search',
    channel,
    events: options.events ?? [],
    flags: options.flags ?? [],
    stream: options.stream ?? 'Main',
    window,
    timeModel,
    timeModelDescription: describeTimeModel(timeModel),
    range: { start: found.range.start.toISOString(), end: found.range.end.toISOString() },
  });
  const counts = new Map<SkippedItem['reason'], number>();
  for (const skipped of found.skipped) {
    counts.set(skipped.reason, (counts.get(skipped.reason) ?? 0) + 1);
    out.event({ type: 'skipped', channel, path: skipped.item.filePath, startTime: skipped.item.startTime, endTime: skipped.item.endTime, reason: skipped.reason });
  }
  if (counts.size > 0) {
    out.line('SKIP', `Not downloading: ${[...counts].map(([reason, count]) => `${count} ${SKIP_REASONS[reason][count === 1 ? 0 : 1]}`).join(', ')}`);
  }
  if (found.recordings.length === 0) {
    out.line('INFO', `No recordings found on channel ${channel} between ${window.start} and ${window.end} (camera time).`);
  }
}

function recordingRecord(recording: Recording): Record<string, unknown> {
  return {
    path: recording.filePath,
    fileName: recording.fileName,
    startTime: recording.startTime,
    endTime: recording.endTime,
    start: recording.start.toISOString(),
    end: recording.end.toISOString(),
    durationSeconds: recording.durationSeconds,
    size: recording.size,
    kind: recording.kind,
    events: recording.events,
    flags: recording.flags,
  };
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function finishRun(out: Output, options: AmcrestRenderOptions, result: RecordingsJobResult, exitCode: number): void {
  const partsDir = result.partsDirectory;
  switch (result.outcome) {
    case 'invalid-range':
      // A range only known to be backwards once an instant is converted (one time with an offset, one without).
      out.warn(`amcrest-dl: --start/--end: ${safe(message(result.error))}\nRun amcrest-dl --help for the options.`);
      return;
    case 'search-failed': {
      const code = errorCode(result.error) ?? 'ERR_UNKNOWN';
      const hint =
        code === 'ERR_AMCREST_AUTH'
          ? ' (not retried: repeated failed logins can lock the account)'
          : code === 'ERR_AMCREST_NO_CHANNEL_COUNT'
            ? ' (give the channels instead of all: --channel 1,2,3)'
            : code === 'ERR_AMCREST_BAD_REQUEST'
            ? ' (check --channel and the times; cameras also answer this when too many searches or connections are open)'
            : '';
      out.warn(`amcrest-dl: search failed [${code}]: ${safe(networkProblem(result.error) ?? message(result.error))}${hint}`);
      return;
    }
    case 'output-exists':
      out.warn(`amcrest-dl: ${result.output} already exists; nothing was downloaded. Pass --overwrite to replace it, or --output-file for another name.`);
      return;
    case 'output-unwritable':
      out.warn(`amcrest-dl: ${safe(message(result.error))} [${errorCode(result.error) ?? 'ERR_UNKNOWN'}]; nothing was downloaded. Choose another --output-dir or --output-file.`);
      return;
    default:
      break;
  }
  const found = result.found;
  if (result.dryRun && result.outcome === 'done' && !options.list) {
    const recordings = result.channels.reduce((sum, channel) => sum + channel.found.recordings.length, 0);
    const snapshots = result.channels.reduce((sum, channel) => sum + (channel.snapshots?.recordings.length ?? 0), 0);
    const bytes = result.channels.reduce(
      (sum, channel) => sum + [...channel.found.recordings, ...(channel.snapshots?.recordings ?? [])].reduce((total, item) => total + (item.size ?? 0), 0),
      0,
    );
    const what = `${recordings} recording(s)${snapshots ? ` and ${snapshots} snapshot(s)` : ''} (${formatBytes(bytes)})`;
    out.text(`Dry run: nothing downloaded, nothing written. ${what} would be downloaded; the plan comes from the search, stream parameters are checked after download.`);
    out.event({ type: 'done', exitCode, dryRun: true, recordings, snapshots, bytes, merged: false });
    return;
  }
  if (result.phase === 'search') {
    if (result.outcome === 'interrupted') {
      out.warn('Interrupted during the search (the search object on the camera was closed).');
      return;
    }
    const recordings = found?.recordings ?? [];
    const totalBytes = recordings.reduce((sum, recording) => sum + (recording.size ?? 0), 0);
    out.event(
      recordings.length === 0 || !options.list
        ? { type: 'done', exitCode, recordings: recordings.length }
        : { type: 'done', exitCode, recordings: recordings.length, bytes: totalBytes, gaps: result.gaps },
    );
    return;
  }
  const total = result.outcomes.length;
  const ok = result.downloaded + result.reused;
  const cut = result.partial > 0 ? `, ${result.partial} interrupted (${formatBytes(result.partialBytes)} kept for the next run)` : '';
  const snapshotNote = result.snapshots > 0 ? `; ${result.snapshots} snapshot(s) in ${result.snapshotsDirectory}` : '';
  const summary = `${total} ${result.snapshots > 0 ? 'file(s)' : 'recording(s)'}: ${result.downloaded} downloaded, ${result.reused} already there, ${result.failed} failed${cut}${result.notStarted ? `, ${result.notStarted} not started` : ''}; ${formatBytes(result.received)} received in ${formatDuration(result.elapsedSeconds)}${snapshotNote}`;
  if (result.phase === 'download') {
    if (result.outcome === 'interrupted') {
      out.text(`Interrupted. ${summary}. Run the same command again to continue: complete files in ${partsDir} are reused.`);
      out.event({ type: 'done', exitCode, downloaded: ok, failed: result.failed, notStarted: result.notStarted, partial: result.partial });
      return;
    }
    if (result.failed > 0) {
      const why = result.merge ? ' Not merging an incomplete set (pass --allow-partial to merge what was downloaded).' : '';
      out.text(`Done with errors. ${summary}.${why} Run the same command again to fetch only the missing files (complete files in ${partsDir} are reused).`);
      out.event({ type: 'done', exitCode, downloaded: ok, failed: result.failed, merged: false });
      return;
    }
    out.text(`Done. ${summary}. Files are in ${partsDir} (--no-merge).`);
    out.event({ type: 'done', exitCode, downloaded: ok, failed: 0, merged: false, directory: partsDir });
    return;
  }
  // The merge phase.
  if (result.outcome === 'interrupted') {
    out.text(`Interrupted during the merge: no merged file was written. The downloaded parts are kept in ${partsDir}.`);
    out.event({ type: 'done', exitCode, merged: false });
    return;
  }
  if (result.outcome === 'merge-failed') {
    const code = isMediaError(result.error) || isAmcrestError(result.error) ? result.error.code : 'ERR_UNKNOWN';
    // ffmpeg's own last lines follow the first one, each on an indented line of its own.
    out.line('FAIL', `merge [${code}]: ${safeLines(message(result.error))}`);
    out.text(`Merge failed; no merged file was written. The downloaded parts are kept in ${partsDir}.`);
    out.event({ type: 'done', exitCode, merged: false, error: message(result.error), code });
    return;
  }
  for (const item of result.merged?.skipped ?? []) out.line('WARN', `not merged (unreadable, kept): ${safe(item.path)}`);
  const someFailed = result.failed > 0 || (result.merged?.skipped.length ?? 0) > 0;
  const outputs = result.merged?.outputs.map((item) => item.path) ?? (result.output ? [result.output] : []);
  out.text(`${someFailed ? 'Done with errors' : 'Done'}. ${summary}. Merged into ${outputs.join(', ')}${result.gaps ? ` (${result.gaps} gap(s) in coverage)` : ''}.`);
  out.event({
    type: 'done',
    exitCode,
    downloaded: ok,
    failed: result.failed,
    merged: true,
    output: outputs[0],
    outputs,
    gaps: result.gaps,
    ...(result.snapshots > 0 ? { snapshots: result.snapshots, snapshotsDirectory: result.snapshotsDirectory } : {}),
  });
}
