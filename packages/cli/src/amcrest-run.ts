import { mkdir, readdir, rm, rmdir, stat } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import {
  createAmcrestClient,
  describeTimeModel,
  downloadRecordings,
  findFfmpeg,
  findGaps,
  findRecordings,
  instantToCameraTime,
  isAmcrestError,
  mergeRecordings,
  partsDirectory,
  type AmcrestClient,
  type FfmpegTools,
  type FindRecordingsResult,
  type Recording,
  type RecordingDownloadEvent,
  type RecordingDownloadOutcome,
  type SkippedItem,
} from '@camdl/amcrest-recordings';
import { EXIT_MERGE_FAILED, type AmcrestDlOptions } from './amcrest-options.js';
import { AmcrestProgress } from './amcrest-progress.js';
import { ExitError, EXIT_CODES } from './exit-error.js';
import { formatBytes, formatDuration } from './format.js';
import { installInterruptHandler, type InterruptController } from './interrupt.js';
import { createOutput, type Output } from './output.js';
import { resolvePassword } from './password.js';

const PASSWORD_ENV = ['AMCREST_DL_PASSWORD', 'CAMDL_PASSWORD'] as const;

const SKIP_REASONS: Record<SkippedItem['reason'], string> = {
  'in-progress': 'still being recorded',
  snapshot: 'snapshots',
  other: 'not video',
  'outside-range': 'outside the requested instants',
  duplicate: 'listed twice',
};

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** `amcrest_2026-01-16_20.00.00_2026-01-16_22.00.00.mp4` (`_ch2` for another channel than 1). */
export function defaultOutputName(window: { start: string; end: string }, channel: number, format: string): string {
  const safe = (text: string): string => text.replace(' ', '_').replaceAll(':', '.');
  return `amcrest_${safe(window.start)}_${safe(window.end)}${channel === 1 ? '' : `_ch${channel}`}.${format}`;
}

interface RunContext {
  options: AmcrestDlOptions;
  out: Output;
  client: AmcrestClient;
  interrupt: InterruptController;
  /** Aborted by the first Ctrl+C outside downloads (a search or a merge has no "current file" to finish). */
  phaseSignal: AbortSignal;
  setPhase(phase: 'search' | 'download' | 'merge'): void;
  tools: FfmpegTools | undefined;
  startedAt: number;
}

/** The `amcrest-dl` command: parses argv, runs, returns the exit code. */
export async function runAmcrestDl(options: AmcrestDlOptions): Promise<number> {
  // A pseudo-terminal without a width makes the spinner redraw endlessly: no live line there.
  const out = createOutput({ json: options.json, progress: options.progress });
  const startedAt = Date.now();

  // Missing ffmpeg is reported before anything is downloaded.
  let tools: FfmpegTools | undefined;
  if (!options.list && options.merge) {
    try {
      tools = await findFfmpeg();
    } catch (error) {
      throw new ExitError(`amcrest-dl: ${message(error)}\n(Or pass --no-merge to only download the recordings.)`, EXIT_CODES.listFailed, { cause: error });
    }
  }

  const { password, source } = await resolvePassword({
    argv: options.password,
    file: options.passwordFile,
    envNames: PASSWORD_ENV,
    prompt: `Password for ${options.username}@${options.url.host}: `,
  });
  if (source === 'argv') {
    out.warn('warning: --password is visible to other users in the process list; prefer the prompt, AMCREST_DL_PASSWORD or --password-file');
  }

  const client = createAmcrestClient({
    url: options.url,
    username: options.username,
    password,
    connections: options.maxConcurrent + 1,
    timeout: options.timeoutMs,
  });
  let phase: 'search' | 'download' | 'merge' = 'search';
  const phaseAbort = new AbortController();
  const interrupt = installInterruptHandler({
    onFirst: () => {
      if (phase === 'download') {
        out.warn('Ctrl+C: finishing the running downloads and starting no new ones (Ctrl+C again stops now)');
      } else {
        out.warn(`Ctrl+C: stopping the ${phase}`);
        phaseAbort.abort(new Error('interrupted'));
      }
    },
    onSecond: () => out.warn('Ctrl+C again: stopping now; partial files are kept for the next run'),
  });
  const context: RunContext = {
    options,
    out,
    client,
    interrupt,
    phaseSignal: AbortSignal.any([phaseAbort.signal, interrupt.signal]),
    setPhase: (next) => {
      phase = next;
    },
    tools,
    startedAt,
  };
  try {
    return await run(context);
  } finally {
    out.clearProgress();
    interrupt.dispose();
    await client.close().catch(() => undefined);
  }
}

async function search(context: RunContext): Promise<FindRecordingsResult> {
  const { options, out, client } = context;
  try {
    const info = await client.getDeviceInfo({ signal: context.phaseSignal });
    const parts = [info.deviceType, info.serialNumber && `serial ${info.serialNumber}`, info.softwareVersion && `firmware ${info.softwareVersion}`].filter(Boolean);
    if (parts.length > 0) out.line('INFO', `Camera ${options.url.host}: ${parts.join(', ')}`);
    out.event({ type: 'device', ...info });
    return await findRecordings(client, {
      start: options.start,
      end: options.end,
      channel: options.channel,
      types: options.types,
      signal: context.phaseSignal,
      ...(options.cameraTimeZone ? { cameraTimeZone: options.cameraTimeZone } : {}),
      onWarning: (text) => out.warn(`warning: ${text}`),
    });
  } catch (error) {
    if (context.interrupt.interrupted || isAmcrestError(error, 'ERR_AMCREST_ABORTED')) {
      throw new ExitError('Interrupted during the search (the search object on the camera was closed).', EXIT_CODES.interrupted, { cause: error });
    }
    if (isAmcrestError(error, 'ERR_AMCREST_INVALID_TIME') || isAmcrestError(error, 'ERR_AMCREST_INVALID_OPTIONS')) {
      // A range only known to be backwards once an instant is converted (one time with an offset, one without).
      throw new ExitError(`amcrest-dl: --start/--end: ${error.message}\nRun amcrest-dl --help for the options.`, EXIT_CODES.listFailed, { cause: error });
    }
    if (isAmcrestError(error)) {
      const hint =
        error.code === 'ERR_AMCREST_AUTH'
          ? ' (not retried: repeated failed logins can lock the account)'
          : error.code === 'ERR_AMCREST_BAD_REQUEST'
            ? ' (check --channel and the times; cameras also answer this when too many searches or connections are open)'
            : '';
      throw new ExitError(`amcrest-dl: search failed [${error.code}]: ${error.message}${hint}`, EXIT_CODES.listFailed, { cause: error });
    }
    throw error;
  }
}

function reportSearch(context: RunContext, found: FindRecordingsResult): void {
  const { options, out } = context;
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
  out.line('INFO', `Searching channel ${options.channel} from ${window.start} to ${window.end} (camera time)`);
  out.event({
    type: 'search',
    channel: options.channel,
    window,
    timeModel,
    timeModelDescription: describeTimeModel(timeModel),
    range: { start: found.range.start.toISOString(), end: found.range.end.toISOString() },
  });
  const counts = new Map<SkippedItem['reason'], number>();
  for (const skipped of found.skipped) {
    counts.set(skipped.reason, (counts.get(skipped.reason) ?? 0) + 1);
    out.event({ type: 'skipped', path: skipped.item.filePath, startTime: skipped.item.startTime, endTime: skipped.item.endTime, reason: skipped.reason });
  }
  if (counts.size > 0) {
    out.line('SKIP', `Not downloading: ${[...counts].map(([reason, count]) => `${count} ${SKIP_REASONS[reason]}`).join(', ')}`);
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

function reportGaps(context: RunContext, found: FindRecordingsResult): number {
  const gaps = findGaps(found.recordings, { range: found.range });
  for (const gap of gaps) {
    const from = instantToCameraTime(gap.start, found.timeModel);
    const to = instantToCameraTime(gap.end, found.timeModel);
    context.out.line('INFO', `Gap in coverage: ${from} → ${to} (${formatDuration(gap.seconds)}, ${gap.position})`);
    context.out.event({ type: 'gap', start: gap.start.toISOString(), end: gap.end.toISOString(), startTime: from, endTime: to, seconds: gap.seconds, position: gap.position });
  }
  return gaps.length;
}

async function download(context: RunContext, recordings: Recording[]): Promise<RecordingDownloadOutcome[]> {
  const { options, out, interrupt, client } = context;
  const totalBytes = recordings.reduce((sum, recording) => sum + (recording.size ?? 0), 0);
  const progress = new AmcrestProgress(recordings.length, totalBytes);
  const urls = new Map<Recording, string>();
  const onEvent = (event: RecordingDownloadEvent): void => {
    const name = event.recording.fileName;
    switch (event.type) {
      case 'start':
        urls.set(event.recording, event.url);
        break;
      case 'progress':
        progress.update(name, event.progress);
        out.progress(progress.text());
        break;
      case 'download-event': {
        const inner = event.event;
        if (inner.type === 'request' && inner.attempt === 1) out.line('GET', urls.get(event.recording) ?? client.fileUrl(event.recording.filePath).href);
        else if (inner.type === 'retry') out.line('WARN', `${name}: retry ${inner.attempt} in ${formatDuration(inner.delayMs / 1000)}: ${inner.error.message}`);
        else if (inner.type === 'resume') out.line('INFO', `${name}: resuming at ${formatBytes(inner.from)}`);
        else if (inner.type === 'restart') out.line('INFO', `${name}: starting over (${inner.reason})`);
        else if (inner.type === 'size-mismatch') out.line('INFO', `${name}: local ${inner.localSize} B, camera ${inner.remoteSize} B: downloading again`);
        break;
      }
      case 'done': {
        const { result } = event;
        progress.finish(name, result.size);
        if (result.status === 'skipped') out.line('SKIP', `${result.path} (already downloaded, ${formatBytes(result.size)})`);
        else out.line('SAVE', `${result.path} (${formatBytes(result.size)}${result.status === 'resumed' ? ', resumed' : ''})`);
        out.event({ type: 'download', status: result.status, ...recordingRecord(event.recording), localPath: result.path, bytes: result.bytes, attempts: result.attempts });
        out.progress(progress.text());
        break;
      }
      case 'failed':
        progress.fail(name);
        out.line('FAIL', `${name}: ${event.error.message}`);
        out.event({ type: 'download', status: 'failed', ...recordingRecord(event.recording), error: event.error.message, code: (event.error as { code?: string }).code });
        break;
    }
  };
  const outcomes = await downloadRecordings(client, recordings, {
    directory: partsDirectory(options.outputDir),
    maxConcurrent: options.maxConcurrent,
    rateLimitMbps: options.rateLimitMbps,
    maxRetries: options.maxRetries,
    retryDelay: options.retryDelayMs,
    timeout: options.timeoutMs,
    signal: interrupt.signal,
    shouldContinue: () => !interrupt.stopRequested,
    onEvent,
  });
  out.clearProgress();
  return outcomes;
}

async function removeParts(context: RunContext, paths: string[]): Promise<void> {
  const directory = partsDirectory(context.options.outputDir);
  for (const path of paths) await rm(path, { force: true });
  try {
    if ((await readdir(directory)).length === 0) await rmdir(directory);
  } catch {
    // another run may be using it; leaving it is harmless
  }
  context.out.line('DEL', `${paths.length} downloaded part(s) in ${directory}`);
}

async function run(context: RunContext): Promise<number> {
  const { options, out, interrupt } = context;
  const found = await search(context);
  reportSearch(context, found);
  const { recordings } = found;
  if (recordings.length === 0) {
    out.line('INFO', `No recordings found on channel ${options.channel} between ${found.window.start} and ${found.window.end} (camera time).`);
    out.event({ type: 'done', exitCode: EXIT_CODES.ok, recordings: 0 });
    return EXIT_CODES.ok;
  }
  const totalBytes = recordings.reduce((sum, recording) => sum + (recording.size ?? 0), 0);
  const totalSeconds = recordings.reduce((sum, recording) => sum + recording.durationSeconds, 0);
  if (options.list) {
    for (const recording of recordings) {
      out.line(
        'LIST',
        `${recording.startTime} → ${recording.endTime}  ${formatDuration(recording.durationSeconds).padStart(6)}  ${formatBytes(recording.size ?? Number.NaN).padStart(10)}  ${recording.filePath}`,
      );
      out.event({ type: 'recording', ...recordingRecord(recording) });
    }
  }
  out.line('INFO', `Found ${recordings.length} recording(s): ${formatDuration(totalSeconds)}, ${formatBytes(totalBytes)}`);
  const gapCount = reportGaps(context, found);
  if (options.list) {
    out.event({ type: 'done', exitCode: EXIT_CODES.ok, recordings: recordings.length, bytes: totalBytes, gaps: gapCount });
    return EXIT_CODES.ok;
  }

  // Decided before any download: an existing merged file is never silently replaced.
  const output = resolve(options.outputDir, options.outputFile ?? defaultOutputName(found.window, options.channel, options.format));
  if (options.merge && !options.overwrite && existsSync(output)) {
    throw new ExitError(
      `amcrest-dl: ${output} already exists; nothing was downloaded. Pass --overwrite to replace it, or --output-file for another name.`,
      EXIT_CODES.listFailed,
    );
  }

  context.setPhase('download');
  const outcomes = await download(context, recordings);
  const ok = outcomes.filter((outcome) => outcome.status === 'downloaded' || outcome.status === 'resumed' || outcome.status === 'skipped');
  const failed = outcomes.filter((outcome) => outcome.status === 'failed');
  const notStarted = outcomes.filter((outcome) => outcome.status === 'not-started');
  const reused = outcomes.filter((outcome) => outcome.status === 'skipped').length;
  const received = outcomes.reduce((sum, outcome) => sum + (outcome.result?.bytes ?? 0), 0);
  const partsDir = partsDirectory(options.outputDir);
  const summary = `${recordings.length} recording(s): ${ok.length - reused} downloaded, ${reused} already there, ${failed.length} failed${notStarted.length ? `, ${notStarted.length} not started` : ''}; ${formatBytes(received)} received in ${formatDuration((Date.now() - context.startedAt) / 1000)}`;

  if (interrupt.interrupted) {
    out.text(`Interrupted. ${summary}. Run the same command again to continue: complete files in ${partsDir} are reused.`);
    out.event({ type: 'done', exitCode: EXIT_CODES.interrupted, downloaded: ok.length, failed: failed.length, notStarted: notStarted.length });
    return EXIT_CODES.interrupted;
  }
  const someFailed = failed.length > 0;
  if (someFailed && (!options.allowPartial || !options.merge)) {
    const why = options.merge ? ' Not merging an incomplete set (pass --allow-partial to merge what was downloaded).' : '';
    out.text(`Done with errors. ${summary}.${why} Run the same command again to fetch only the missing files (complete files in ${partsDir} are reused).`);
    out.event({ type: 'done', exitCode: EXIT_CODES.someFailed, downloaded: ok.length, failed: failed.length, merged: false });
    return EXIT_CODES.someFailed;
  }
  if (!options.merge) {
    out.text(`Done. ${summary}. Files are in ${partsDir} (--no-merge).`);
    out.event({ type: 'done', exitCode: EXIT_CODES.ok, downloaded: ok.length, failed: 0, merged: false, directory: partsDir });
    return EXIT_CODES.ok;
  }

  context.setPhase('merge');
  await mkdir(dirname(output), { recursive: true });
  out.line('INFO', `Merging ${ok.length} recording(s) into ${output} (${options.format}, stream copy, chronological)`);
  let merged;
  try {
    merged = await mergeRecordings({
      inputs: ok.map((outcome) => ({ path: outcome.path, start: outcome.recording.start, kind: outcome.recording.kind })),
      output,
      format: options.format,
      ...(context.tools ? { tools: context.tools } : {}),
      signal: context.phaseSignal,
      onProgress: ({ seconds, totalSeconds: total }) => out.progress(`merging ${formatDuration(seconds)} / ${formatDuration(total)}`),
    });
  } catch (error) {
    out.clearProgress();
    if (interrupt.interrupted || isAmcrestError(error, 'ERR_AMCREST_ABORTED')) {
      out.text(`Interrupted during the merge: no merged file was written. The downloaded parts are kept in ${partsDir}.`);
      out.event({ type: 'done', exitCode: EXIT_CODES.interrupted, merged: false });
      return EXIT_CODES.interrupted;
    }
    const code = isAmcrestError(error) ? error.code : 'ERR_UNKNOWN';
    out.line('FAIL', `merge [${code}]: ${message(error)}`);
    out.text(`Merge failed; no merged file was written. The downloaded parts are kept in ${partsDir}.`);
    out.event({ type: 'done', exitCode: EXIT_MERGE_FAILED, merged: false, error: message(error), code });
    return EXIT_MERGE_FAILED;
  }
  out.clearProgress();
  const size = (await stat(merged.output)).size;
  out.line(
    'SAVE',
    `${merged.output} (${formatDuration(merged.durationSeconds)} of video, ${formatBytes(size)}; parts add up to ${merged.expectedSeconds.toFixed(2)} s, merged ${merged.durationSeconds.toFixed(2)} s)`,
  );
  out.event({ type: 'merge', output: merged.output, format: merged.format, durationSeconds: merged.durationSeconds, expectedSeconds: merged.expectedSeconds, size, parts: merged.parts.length });
  if (!options.keepFiles) await removeParts(context, ok.map((outcome) => outcome.path));
  const exitCode = someFailed ? EXIT_CODES.someFailed : EXIT_CODES.ok;
  out.text(`${someFailed ? 'Done with errors' : 'Done'}. ${summary}. Merged into ${merged.output}${gapCount ? ` (${gapCount} gap(s) in coverage)` : ''}.`);
  out.event({ type: 'done', exitCode, downloaded: ok.length, failed: failed.length, merged: true, output: merged.output, gaps: gapCount });
  return exitCode;
}
