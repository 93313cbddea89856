import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { MediaError, isMediaError } from './errors.js';
import { findFfmpeg, runTool, type FfmpegTools } from './ffmpeg-tools.js';
import { encoderArgs } from './encode-args.js';
import {
  describeChange,
  MERGE_FORMATS,
  planMerge,
  type MergeFormat,
  type MergePlan,
  type PlannedOutput,
  type PlannedPiece,
  type PlanOptions,
  type PlanPart,
  type TrimMode,
} from './merge-plan.js';
import { inputFormatFor, keyframeTimes, probeMedia, type MediaProbe, type StreamFormat } from './probe-media.js';

/** One file to merge. */
export interface MergeInput {
  path: string;
  /** Real start instant: orders the parts (when all have one) and places the trim window. @default undefined */
  start?: Date | undefined;
  /** Camera wall-clock start `YYYY-MM-DD HH:MM:SS`, where `split` cuts. @default `start` in UTC */
  cameraTime?: string | undefined;
  /** `dav` (Dahua NVR files) are read with ffmpeg's `dhav` demuxer. @default by the extension */
  kind?: 'mp4' | 'dav' | undefined;
  /**
   * How long the part lasts by another account (the recording's listed start and stop), used only when
   * neither its container nor its video packets say. @default undefined
   */
  durationSeconds?: number | undefined;
}

/** What a merge reports while it runs. */
export type MergeEvent =
  | { type: 'probe'; path: string; index: number; total: number }
  | { type: 'unreadable'; path: string; reason: string }
  | { type: 'plan'; plan: MergePlan }
  | { type: 'output-start'; output: PlannedOutput; index: number; total: number }
  | { type: 'progress'; output: string; seconds: number; totalSeconds: number }
  | { type: 'output-done'; result: MergedOutput };

/** The planner's options (output, format, split, trim, window, transcode) and what running the plan needs. */
export interface MergeMediaOptions extends PlanOptions {
  /** Files in chronological order (or each with `start`, then sorted by it; trimming to `window` needs `start`). */
  inputs: ReadonlyArray<string | MergeInput>;
  /** Parts ffprobe cannot read: `fail` (throw `ERR_MEDIA_UNREADABLE` naming them) or `skip` (merge the rest, listed in the result). @default 'fail' */
  unreadable?: 'fail' | 'skip';
  /** Probe and plan only; write nothing. @default false */
  dryRun?: boolean;
  /** Replace existing outputs; without it an existing output throws `ERR_MEDIA_OUTPUT_EXISTS` before anything is written. @default false */
  overwrite?: boolean;
  /** @default $FFMPEG_PATH or `ffmpeg` on PATH */
  ffmpegPath?: string;
  /** @default $FFPROBE_PATH or `ffprobe` on PATH */
  ffprobePath?: string;
  /** Already located tools (skips the lookup). @default undefined */
  tools?: FfmpegTools;
  /** Kills ffmpeg and removes the output being written (outputs already verified stay). @default undefined */
  signal?: AbortSignal;
  /** Progress and plan events. @default undefined */
  onEvent?: (event: MergeEvent) => void;
  /** Check every output with ffprobe. @default true */
  verify?: boolean;
}

/** One verified output. */
export interface MergedOutput {
  path: string;
  format: MergeFormat;
  /** ffprobe's duration of the written file. */
  durationSeconds: number;
  /** What its pieces add up to (after key-frame rounding). */
  expectedSeconds: number;
  /** Allowed difference: 1 % or one GOP. */
  toleranceSeconds: number;
  /** The written file's stream format (ffprobe). */
  streams: StreamFormat;
  parts: Array<{ path: string; action: PlannedPiece['action']; seconds: number }>;
}

export interface MergeMediaResult {
  plan: MergePlan;
  /** Written and verified outputs (empty on `dryRun`). */
  outputs: MergedOutput[];
  /** Parts skipped because ffprobe could not read them (`unreadable: 'skip'`). */
  skipped: Array<{ path: string; reason: string }>;
  dryRun: boolean;
}

const MUXERS: Record<MergeFormat, string> = { mp4: 'mp4', mkv: 'matroska', avi: 'avi' };
const TS_AUDIO = ['aac', 'mp3', 'ac3'];

/** One line of an ffconcat list: `file '<path>'` with `'` escaped as `'\''` (the demuxer's quoting). */
export function concatListLine(path: string): string {
  if (/[\r\n]/.test(path)) {
    throw new MediaError(`cannot merge a file whose name contains a line break: ${JSON.stringify(path)}`, { code: 'ERR_MEDIA_INVALID_OPTIONS', path });
  }
  return `file '${path.replaceAll("'", "'\\''")}'`;
}

interface NormalizedInput extends MergeInput {
  path: string;
  kind: 'mp4' | 'dav';
}

function normalizeInputs(inputs: MergeMediaOptions['inputs']): NormalizedInput[] {
  return inputs.map((input) => {
    const value = typeof input === 'string' ? { path: input } : input;
    const kind = value.kind ?? (inputFormatFor(value.path) === 'dhav' ? 'dav' : 'mp4');
    return { ...value, path: resolve(value.path), kind };
  });
}

/** A resolved stretch of one source file: stream-copied between key frames, or re-encoded. */
interface Segment {
  file: string;
  inputFormat: string | undefined;
  action: 'copy' | 'encode';
  /** File timestamps (seconds), as the concat demuxer's `inpoint`/`outpoint` take them. */
  inpoint: number | undefined;
  outpoint: number | undefined;
  seconds: number;
  source: StreamFormat;
  partPath: string;
  /** The file's first video timestamp (seconds): `-ss` takes offsets from it. */
  origin: number;
  /** The source's key frame interval (seconds), for the verification tolerance. */
  gopSeconds: number;
  /**
   * The source's header says how long it lasts. Without that (streamed Matroska) the concat demuxer
   * places the next file at this one's last timestamp, a frame early: the list then gives `duration`.
   */
  durationInHeader: boolean;
}

interface PreparedSource {
  file: string;
  inputFormat: string | undefined;
  probe: MediaProbe;
  keyframes: number[] | undefined;
  startSeconds: number;
}

function lastAtOrBefore(times: number[], value: number): number | undefined {
  let found: number | undefined;
  for (const time of times) if (time <= value + 1e-6) found = time;
  return found;
}

function firstAtOrAfter(times: number[], value: number): number | undefined {
  return times.find((time) => time >= value - 1e-6);
}

/**
 * Probes every part, plans the merge ({@link planMerge}), writes each output under a temporary name,
 * verifies it with ffprobe (duration within 1 % or one GOP of its pieces, the planned codec and size)
 * and renames it. On failure or abort the output being written is removed.
 */
export async function mergeMedia(options: MergeMediaOptions): Promise<MergeMediaResult> {
  const format = options.format ?? 'mp4';
  if (!MERGE_FORMATS.includes(format)) {
    throw new MediaError(`format must be one of ${MERGE_FORMATS.join(', ')}, got ${String(format)}`, { code: 'ERR_MEDIA_INVALID_OPTIONS' });
  }
  if (options.inputs.length === 0) throw new MediaError('nothing to merge', { code: 'ERR_MEDIA_INVALID_OPTIONS' });
  const inputs = normalizeInputs(options.inputs);
  for (const input of inputs) concatListLine(input.path);
  const tools =
    options.tools ??
    (await findFfmpeg({
      ...(options.ffmpegPath ? { ffmpegPath: options.ffmpegPath } : {}),
      ...(options.ffprobePath ? { ffprobePath: options.ffprobePath } : {}),
    }));
  const signal = options.signal;
  const signalOption = signal ? { signal } : {};
  const emit = (event: MergeEvent): void => options.onEvent?.(event);

  // A few ffprobes at a time: each is short, and a month of parts is hundreds of them.
  const planParts: PlanPart[] = new Array<PlanPart>(inputs.length);
  let nextProbe = 0;
  const prober = async (): Promise<void> => {
    while (nextProbe < inputs.length) {
      const index = nextProbe++;
      const input = inputs[index] as NormalizedInput;
      emit({ type: 'probe', path: input.path, index, total: inputs.length });
      try {
        const probe = await probeMedia(tools.ffprobe, input.path, { ...signalOption, ...(input.kind === 'dav' ? { inputFormat: 'dhav' } : {}), fallbackDurationSeconds: input.durationSeconds });
        planParts[index] = { path: input.path, start: input.start, cameraTime: input.cameraTime, probe };
      } catch (error) {
        if (!isMediaError(error, 'ERR_MEDIA_UNREADABLE')) throw error;
        emit({ type: 'unreadable', path: input.path, reason: error.message });
        planParts[index] = { path: input.path, start: input.start, cameraTime: input.cameraTime, probe: undefined, error: error.stderr ?? error.message };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(3, inputs.length) }, prober));
  const plan = planMerge(planParts, {
    output: resolve(options.output),
    format,
    split: options.split ?? 'none',
    trim: options.trim ?? 'keyframe',
    window: options.window,
    transcode: options.transcode ?? 'none',
  });
  emit({ type: 'plan', plan });
  if (plan.unreadable.length > 0 && (options.unreadable ?? 'fail') === 'fail' && !options.dryRun) {
    const names = plan.unreadable.map((item) => item.path);
    throw new MediaError(`cannot read ${names.length} part(s): ${names.join(', ')} (${plan.unreadable[0]?.reason ?? ''})`, {
      code: 'ERR_MEDIA_UNREADABLE',
      path: names[0] as string,
    });
  }
  if (plan.outputs.length === 0 && !options.dryRun) {
    throw new MediaError('nothing to merge: no readable part in the window', { code: 'ERR_MEDIA_INVALID_OPTIONS' });
  }
  if (!options.overwrite) {
    const existing = plan.outputs.filter((output) => existsSync(output.path)).map((output) => output.path);
    if (existing.length > 0 && !options.dryRun) {
      throw new MediaError(`already exists: ${existing.join(', ')}`, { code: 'ERR_MEDIA_OUTPUT_EXISTS', path: existing[0] as string });
    }
  }
  const result: MergeMediaResult = { plan, outputs: [], skipped: plan.unreadable, dryRun: options.dryRun === true };
  if (options.dryRun) return result;

  const inputByPath = new Map(inputs.map((input) => [input.path, input]));
  const first = plan.outputs[0] as PlannedOutput;
  await mkdir(dirname(first.path), { recursive: true });
  const workDir = await mkdtemp(join(dirname(first.path), '.camdl-merge-'));
  try {
    const prepared = new Map<string, PreparedSource>();
    let counter = 0;
    const prepare = async (path: string, needKeyframes: boolean): Promise<PreparedSource> => {
      let source = prepared.get(path);
      if (!source) {
        const input = inputByPath.get(path) as NormalizedInput;
        let file = input.path;
        let inputFormat: string | undefined;
        if (input.kind === 'dav') {
          // Remux (no re-encode) to Matroska: exact timestamps and an index for the concat demuxer.
          file = join(workDir, `${String(counter++).padStart(5, '0')}.mkv`);
          await runTool(tools.ffmpeg, ['-hide_banner', '-nostdin', '-v', 'error', '-y', '-f', 'dhav', '-i', input.path, '-map', '0', '-c', 'copy', file], signalOption);
          inputFormat = undefined;
        }
        const planned = planParts.find((item) => item.path === path)?.probe;
        const probe = input.kind !== 'dav' && planned ? planned : await probeMedia(tools.ffprobe, file, signalOption);
        source = { file, inputFormat, probe, keyframes: undefined, startSeconds: 0 };
        prepared.set(path, source);
      }
      if (needKeyframes && source.keyframes === undefined) {
        const times = await keyframeTimes(tools.ffprobe, source.file, signalOption);
        source.keyframes = times.keyframes;
        source.startSeconds = times.startSeconds;
      }
      return source;
    };

    for (const [index, output] of plan.outputs.entries()) {
      emit({ type: 'output-start', output, index, total: plan.outputs.length });
      const segments: Segment[] = [];
      for (const piece of output.pieces) segments.push(...(await resolvePiece(piece, plan.trim, await prepare(piece.path, piece.trimStart !== undefined || piece.trimEnd !== undefined))));
      const merged = await writeOutput({ output, segments, format, tools, workDir, signal, emit, verify: options.verify !== false, index });
      result.outputs.push(merged);
      emit({ type: 'output-done', result: merged });
    }
    return result;
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

/** Turns a planned piece into copy/encode segments with real key-frame times. */
async function resolvePiece(piece: PlannedPiece, trim: TrimMode, source: PreparedSource): Promise<Segment[]> {
  const base = {
    file: source.file,
    inputFormat: source.inputFormat,
    source: piece.source,
    partPath: piece.path,
    origin: source.startSeconds,
    gopSeconds: source.probe.keyframeIntervalSeconds ?? 0,
    durationInHeader: source.probe.durationFrom === 'container',
  };
  const duration = source.probe.durationSeconds;
  const origin = source.startSeconds;
  const end = origin + duration;
  if (piece.trimStart === undefined && piece.trimEnd === undefined) {
    return [{ ...base, action: piece.action, inpoint: undefined, outpoint: undefined, seconds: duration }];
  }
  const keyframes = source.keyframes ?? [];
  const wantStart = origin + (piece.trimStart ?? 0);
  const wantEnd = origin + (piece.trimEnd ?? duration);
  if (piece.action === 'encode') {
    // Re-encoded anyway: cut exactly.
    return [{ ...base, action: 'encode', inpoint: piece.trimStart === undefined ? undefined : wantStart, outpoint: piece.trimEnd === undefined ? undefined : wantEnd, seconds: wantEnd - wantStart }];
  }
  if (trim === 'keyframe' || trim === 'none') {
    const inpoint = piece.trimStart === undefined ? undefined : lastAtOrBefore(keyframes, wantStart);
    const outpoint = piece.trimEnd === undefined ? undefined : firstAtOrAfter(keyframes, wantEnd);
    const from = inpoint ?? origin;
    const to = outpoint ?? end;
    return [{ ...base, action: 'copy', inpoint: inpoint !== undefined && inpoint > origin + 1e-6 ? inpoint : undefined, outpoint, seconds: to - from }];
  }
  // exact: re-encode [start, next key frame) and [last key frame, end), copy between.
  const segments: Segment[] = [];
  const headKey = piece.trimStart === undefined ? origin : firstAtOrAfter(keyframes, wantStart);
  const tailKey = piece.trimEnd === undefined ? end : lastAtOrBefore(keyframes, wantEnd);
  if (headKey === undefined || tailKey === undefined || headKey >= tailKey) {
    // The window lies inside one GOP: re-encode just that.
    return [{ ...base, action: 'encode', inpoint: wantStart, outpoint: wantEnd, seconds: wantEnd - wantStart }];
  }
  if (piece.trimStart !== undefined && headKey > wantStart + 1e-6) {
    segments.push({ ...base, action: 'encode', inpoint: wantStart, outpoint: headKey, seconds: headKey - wantStart });
  }
  segments.push({
    ...base,
    action: 'copy',
    inpoint: headKey > origin + 1e-6 ? headKey : undefined,
    outpoint: piece.trimEnd === undefined ? undefined : tailKey,
    seconds: tailKey - headKey,
  });
  if (piece.trimEnd !== undefined && wantEnd > tailKey + 1e-6) {
    segments.push({ ...base, action: 'encode', inpoint: tailKey, outpoint: wantEnd, seconds: wantEnd - tailKey });
  }
  return segments;
}

/** Seconds between a file's start time (its earliest stream) and its first video timestamp. */
async function videoLead(ffprobe: string, path: string, signal: AbortSignal | undefined): Promise<number> {
  const { stdout } = await runTool(ffprobe, ['-v', 'error', '-show_entries', 'format=start_time:stream=codec_type,start_time', '-of', 'json', path], signal ? { signal } : {});
  const parsed = JSON.parse(stdout) as { format?: { start_time?: string }; streams?: Array<{ codec_type?: string; start_time?: string }> };
  const start = Number(parsed.format?.start_time);
  const video = Number(parsed.streams?.find((stream) => stream.codec_type === 'video')?.start_time);
  return Number.isFinite(start) && Number.isFinite(video) ? Math.max(0, video - start) : 0;
}

function listEntry(segment: Pick<Segment, 'file' | 'inpoint' | 'outpoint' | 'seconds' | 'durationInHeader'>): string {
  const lines = [concatListLine(segment.file)];
  if (segment.inpoint !== undefined) lines.push(`inpoint ${segment.inpoint.toFixed(6)}`);
  if (segment.outpoint !== undefined) lines.push(`outpoint ${segment.outpoint.toFixed(6)}`);
  if (!segment.durationInHeader) lines.push(`duration ${segment.seconds.toFixed(6)}`);
  return lines.join('\n');
}

function progressReader(emit: (event: MergeEvent) => void, output: string, totalSeconds: number, offset = 0): (line: string) => void {
  return (line) => {
    const match = /^out_time_us=(\d+)$/.exec(line);
    if (match) emit({ type: 'progress', output, seconds: Math.min(totalSeconds, offset + Number(match[1]) / 1e6), totalSeconds });
  };
}

function containerArgs(format: MergeFormat, target: StreamFormat): string[] {
  const args: string[] = [];
  if (format === 'mp4') {
    args.push('-movflags', '+faststart');
    // Apple players and browsers open H.265 in MP4 only with the `hvc1` sample entry.
    if (target.video.codec === 'hevc') args.push('-tag:v', 'hvc1');
  }
  if (format === 'avi' && target.video.codec === 'h264') args.push('-bsf:v', 'h264_mp4toannexb');
  if (format === 'avi' && target.video.codec === 'hevc') args.push('-bsf:v', 'hevc_mp4toannexb');
  return args;
}

async function writeOutput(context: {
  output: PlannedOutput;
  segments: Segment[];
  format: MergeFormat;
  tools: FfmpegTools;
  workDir: string;
  signal: AbortSignal | undefined;
  emit: (event: MergeEvent) => void;
  verify: boolean;
  index: number;
}): Promise<MergedOutput> {
  const { output, segments, format, tools, workDir, signal, emit } = context;
  const signalOption = signal ? { signal } : {};
  const temp = `${output.path}.part.${format}`;
  const expectedSeconds = segments.reduce((sum, segment) => sum + segment.seconds, 0);
  const base = ['-hide_banner', '-nostdin', '-v', 'error', '-nostats', '-y'];
  await rm(temp, { force: true });
  try {
    const allCopy = segments.every((segment) => segment.action === 'copy');
    let listLines: string[];
    let audioArgs: string[];
    if (allCopy) {
      listLines = segments.map(listEntry);
      audioArgs = output.audio === 'aac' ? ['-c:a', 'aac', '-b:a', '96k'] : [];
    } else {
      // Pieces from different encoders: join through MPEG-TS, which carries each piece's parameter
      // sets in-band, so a decoder follows the change where the MP4/MKV header holds only the first.
      listLines = [];
      const written: Array<{ ts: string; seconds: number; videoLead: number }> = [];
      let done = 0;
      for (const [index, segment] of segments.entries()) {
        const ts = join(workDir, `out${context.index}-${String(index).padStart(5, '0')}.ts`);
        const input = [
          ...(segment.inputFormat ? ['-f', segment.inputFormat] : []),
          ...(segment.inpoint !== undefined ? ['-ss', (segment.inpoint - segment.origin).toFixed(6)] : []),
          ...(segment.inpoint !== undefined || segment.outpoint !== undefined ? ['-t', segment.seconds.toFixed(6)] : []),
          '-i',
          segment.file,
        ];
        let args: string[];
        if (segment.action === 'copy') {
          const list = join(workDir, `copy${context.index}-${index}.txt`);
          await writeFile(list, `ffconcat version 1.0\n${listEntry(segment)}\n`);
          const audio = output.target.audio === undefined ? ['-an'] : TS_AUDIO.includes(output.target.audio.codec) ? ['-c:a', 'copy'] : ['-c:a', 'aac', '-b:a', '96k'];
          args = [...base, '-f', 'concat', '-safe', '0', '-i', list, '-map', '0:v:0', ...(output.target.audio ? ['-map', '0:a:0'] : []), '-c:v', 'copy', ...audio, '-f', 'mpegts', ts];
        } else {
          args = [
            ...base,
            '-progress',
            'pipe:1',
            ...input,
            ...encoderArgs(segment.source, output.target, { tsAudio: true }),
            '-f',
            'mpegts',
            ts,
          ];
        }
        await runTool(tools.ffmpeg, args, { ...signalOption, onStdoutLine: progressReader(emit, output.path, expectedSeconds, done) });
        done += segment.seconds;
        written.push({ ts, seconds: segment.seconds, videoLead: await videoLead(tools.ffprobe, ts, signal) });
      }
      // The concat demuxer places each file at the previous ones' total duration, counted from the
      // file's start time (its earliest stream: AAC priming starts audio before video). Give it
      // durations that make the video run on without a gap or an overlap.
      for (const [index, item] of written.entries()) {
        const next = written[index + 1];
        const duration = item.seconds + item.videoLead - (next?.videoLead ?? 0);
        listLines.push(`${concatListLine(item.ts)}\nduration ${duration.toFixed(6)}`);
      }
      audioArgs = [];
    }
    const listFile = join(workDir, `list${context.index}.txt`);
    await writeFile(listFile, `ffconcat version 1.0\n${listLines.join('\n')}\n`);
    await runTool(
      tools.ffmpeg,
      [
        ...base,
        '-progress',
        'pipe:1',
        '-f',
        'concat',
        '-safe',
        '0',
        '-i',
        listFile,
        '-map',
        '0:v:0',
        ...(output.target.audio ? ['-map', '0:a:0?'] : []),
        '-c',
        'copy',
        ...audioArgs,
        ...containerArgs(format, output.target),
        '-f',
        MUXERS[format],
        temp,
      ],
      { ...signalOption, onStdoutLine: progressReader(emit, output.path, expectedSeconds) },
    );
    const written = await probeMedia(tools.ffprobe, temp, signalOption).catch((error: unknown) => {
      throw new MediaError(`the merged file ${output.path} cannot be read back: ${(error as Error).message}`, { code: 'ERR_MERGE_VERIFY_FAILED', path: output.path, cause: error });
    });
    const keyInterval = Math.max(written.keyframeIntervalSeconds ?? 0, ...segments.map((segment) => segment.gopSeconds));
    const toleranceSeconds = Math.max(0.01 * expectedSeconds, keyInterval, 0.1);
    if (context.verify) {
      if (Math.abs(written.durationSeconds - expectedSeconds) > toleranceSeconds) {
        throw new MediaError(
          `merged file ${output.path} lasts ${written.durationSeconds.toFixed(3)} s but its ${segments.length} piece(s) add up to ${expectedSeconds.toFixed(3)} s (tolerance ${toleranceSeconds.toFixed(2)} s: 1 % or one GOP)`,
          { code: 'ERR_MERGE_VERIFY_FAILED', path: output.path },
        );
      }
      const wantVideo = output.target.video;
      if (written.video.codec !== wantVideo.codec || written.video.width !== wantVideo.width || written.video.height !== wantVideo.height) {
        throw new MediaError(
          `merged file ${output.path} holds ${written.video.codec} ${written.video.width}x${written.video.height}, planned ${wantVideo.codec} ${wantVideo.width}x${wantVideo.height}`,
          { code: 'ERR_MERGE_VERIFY_FAILED', path: output.path },
        );
      }
      if ((written.audio === undefined) !== (output.target.audio === undefined)) {
        throw new MediaError(`merged file ${output.path} ${written.audio ? 'has' : 'lacks'} audio, unlike its plan (${describeChange(output.target, written)})`, {
          code: 'ERR_MERGE_VERIFY_FAILED',
          path: output.path,
        });
      }
    }
    await rename(temp, output.path);
    return {
      path: output.path,
      format,
      durationSeconds: written.durationSeconds,
      expectedSeconds,
      toleranceSeconds,
      streams: { video: written.video, audio: written.audio },
      parts: segments.map((segment) => ({ path: segment.partPath, action: segment.action, seconds: segment.seconds })),
    };
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

