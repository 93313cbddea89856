import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { frameRateValue } from './encode-args.js';
import { MediaError, isMediaError } from './errors.js';
import { findFfmpeg, runTool, type FfmpegTools } from './ffmpeg-tools.js';
import { concatListLine, mergeMedia } from './merge-media.js';
import { formatKey } from './merge-plan.js';
import { findFilmSources, type Coverage, type FilmSource } from './film-sources.js';
import { keeps, keptFrames, planRuns, type FilmRun, type FrameSelection } from './film-runs.js';
import { inputFormatFor, probeMedia, type MediaProbe } from './probe-media.js';
import { utcOffsetSeconds } from './stamp-clock.js';
import { concatBranch, sequenceExpression, type ConcatSegment } from './film-concat.js';
import { fitFilter, stampFilter } from './film-filters.js';

export interface CreateFilmOptions {
  /** A folder of archives/recordings (searched recursively, hidden folders skipped) or one file. */
  source: string;
  /** The film (MP4), written as `<output>.part.mp4` and renamed once verified. */
  output: string;
  /** Only this camera (folder name or file-name prefix). @default all */
  camera?: string | undefined;
  /** Only what covers time from here (instant). @default no limit */
  from?: Date | undefined;
  /** Only what covers time up to here (instant). @default no limit */
  to?: Date | undefined;
  /** Film length in seconds: frames are dropped evenly to fit. Exclusive with `speed` and `every`. @default all frames */
  lengthSeconds?: number | undefined;
  /** Real seconds per film second (600: ten minutes a second), by dropping frames. @default all frames */
  speed?: number | undefined;
  /** One frame per this many real seconds (a timelapse from continuous recordings). @default all frames */
  everySeconds?: number | undefined;
  /** Burn each frame's date and time in the bottom-right corner. @default false */
  stamp?: boolean;
  /**
   * The IANA zone `stamp` shows a frame's instant in: the camera's, so the film reads as the camera
   * saw the day whatever zone this computer is in. Times already in camera wall clock (Amcrest part
   * names) are shown as they are. @default this computer's zone
   */
  timeZone?: string | undefined;
  /** Film size (letterboxed, never stretched). @default the size most of the material has */
  size?: { width: number; height: number } | undefined;
  /** Known spans by path or file name (the `camdl sync` ledger's `first`/`last`). @default undefined */
  coverage?: ReadonlyMap<string, Coverage> | undefined;
  /** Plan only. @default false */
  dryRun?: boolean;
  /** Replace an existing film. @default false */
  overwrite?: boolean;
  /** @default findFfmpeg() */
  tools?: FfmpegTools;
  /** Kills ffmpeg and removes the partial film. @default undefined */
  signal?: AbortSignal;
  /** Progress events. @default undefined */
  onEvent?: (event: FilmEvent) => void;
  /** Font for `stamp`. @default DejaVu Sans when installed, else fontconfig's default */
  fontFile?: string | undefined;
}

/** One source in the film, in order. */
export interface FilmPart {
  path: string;
  first: Date;
  last: Date;
  origin: FilmSource['origin'];
  /** Frames in the file. */
  frames: number;
  /** Frames the film takes from it. */
  selected: number;
  /** Frames decoded to take them: from the key frame before each seek to the frame kept (0 on a stream copy). */
  decoded: number;
}

export interface FilmPlan {
  parts: FilmPart[];
  /** `copy`: nothing asks for a change (stream copy); `encode`: one re-encode. */
  mode: 'copy' | 'encode';
  fps: number;
  frameRate: string;
  width: number;
  height: number;
  frames: number;
  /** The film's length in seconds (`frames / fps`). */
  seconds: number;
  /** Set when `lengthSeconds` asked for more than the material holds (frames are never repeated). */
  capped: boolean;
}

export type FilmEvent =
  | { type: 'sources'; count: number }
  /** One more source probed (format, frame count, key frames): before the plan. */
  | { type: 'probed'; probed: number; total: number }
  | { type: 'plan'; plan: FilmPlan }
  | { type: 'progress'; frames: number; totalFrames: number; elapsedSeconds: number; etaSeconds: number | undefined }
  | { type: 'done'; result: FilmResult };

export interface FilmResult {
  output: string;
  plan: FilmPlan;
  /** ffprobe of the written film (undefined on a dry run). */
  durationSeconds: number | undefined;
  frames: number | undefined;
  width: number | undefined;
  height: number | undefined;
  dryRun: boolean;
}

const FONT_CANDIDATES = ['/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf', '/usr/share/fonts/TTF/DejaVuSans.ttf', '/Library/Fonts/Arial.ttf', 'C:\\Windows\\Fonts\\arial.ttf'];

interface Probed {
  source: FilmSource;
  probe: MediaProbe;
  frames: number;
  first: Date;
  last: Date;
  /** Real seconds between two frames. */
  interval: number;
  /** Frames between key frames (1 for intra-only MJPEG); undefined when unknown. */
  gop: number | undefined;
  /** Frame `n` sits at `n / fps` seconds, so a frame can be sought by its index. */
  seekable: boolean;
}

/** One ffmpeg input of the film's encode. */
interface FilmInput {
  item: Probed;
  run: FilmRun;
  selection: FrameSelection;
  /** Decode the whole file (no seek, no limit). */
  whole: boolean;
}

/**
 * What one ffmpeg process may hold, in 720p MJPEG inputs. ffmpeg decodes a first frame of every input
 * before the graph starts, and each input keeps its own decoder (single-threaded here: a frame-threaded
 * H.264 decoder keeps a frame per thread): about 6 MiB for a 720p MJPEG input, 13 for H.264 (its
 * reference frames), in proportion to the frame size, on top of ffmpeg's own 70. Eight keeps the film
 * (ffmpeg and Node, whose heap grows during a long film) under 300 MiB with room to spare.
 */
const INPUT_BUDGET = 8;

/** An input's share of {@link INPUT_BUDGET}. */
function inputWeight(input: FilmInput): number {
  const { width, height, codec } = input.item.probe.video;
  return ((width * height) / (1280 * 720)) * (codec === 'mjpeg' ? 1 : 2);
}

/** The inputs in order, cut into groups that each fit one ffmpeg process (at least one input each). */
function processGroups(inputs: readonly FilmInput[]): FilmInput[][] {
  const groups: FilmInput[][] = [];
  let current: FilmInput[] = [];
  let weight = 0;
  for (const input of inputs) {
    const next = inputWeight(input);
    if (current.length > 0 && weight + next > INPUT_BUDGET) {
      groups.push(current);
      current = [];
      weight = 0;
    }
    current.push(input);
    weight += next;
  }
  if (current.length > 0) groups.push(current);
  return groups;
}

/**
 * Kept frames one concat-demuxer process takes at most: its `select` and timing expressions grow with
 * them (about 100 bytes a frame), and an argument must stay well under Linux's 128 KiB.
 */
const CONCAT_FRAMES = 800;

/** Sources whose stretches can go through the concat demuxer: frame-exact seeking by index, a known start. */
function concatable(item: Probed): boolean {
  const start = item.probe.videoStartSeconds;
  return item.seekable && start !== undefined && start >= 0 && /\b(mov|mp4|avi)\b/.test(item.probe.container) && !/[\r\n]/.test(item.source.path);
}

/** One ffmpeg process of the film: consecutive film frames. */
type FilmChunk = { kind: 'concat'; inputs: FilmInput[] } | { kind: 'inputs'; inputs: FilmInput[] };

/**
 * The inputs in order, cut into processes: runs of concatable sources share one concat-demuxer input per
 * format (a decoder each, within {@link INPUT_BUDGET}); the others are an input each, in groups.
 */
function filmChunks(inputs: readonly FilmInput[]): FilmChunk[] {
  const chunks: FilmChunk[] = [];
  let others: FilmInput[] = [];
  let concat: FilmInput[] = [];
  let branches = new Set<string>();
  let weight = 0;
  let frames = 0;
  const flushOthers = (): void => {
    for (const group of processGroups(others)) chunks.push({ kind: 'inputs', inputs: group });
    others = [];
  };
  const flushConcat = (): void => {
    if (concat.length > 0) chunks.push({ kind: 'concat', inputs: concat });
    concat = [];
    branches = new Set();
    weight = 0;
    frames = 0;
  };
  for (const input of inputs) {
    if (!concatable(input.item)) {
      flushConcat();
      others.push(input);
      continue;
    }
    flushOthers();
    const key = formatKey({ video: input.item.probe.video, audio: undefined });
    const added = branches.has(key) ? 0 : inputWeight(input);
    if (concat.length > 0 && (weight + added > INPUT_BUDGET || frames + input.run.kept > CONCAT_FRAMES)) flushConcat();
    if (!branches.has(key)) {
      branches.add(key);
      weight += inputWeight(input);
    }
    concat.push(input);
    frames += input.run.kept;
  }
  flushConcat();
  flushOthers();
  return chunks;
}

interface GraphOptions {
  fps: number;
  size: { width: number; height: number };
  stamp: boolean;
  fontFile: string | undefined;
  /** The stamp's shift from a source frame's instant to the clock shown, in seconds. */
  stampOffset: (item: Probed, frame: number) => number;
}

/**
 * ffmpeg inputs and filter graph of a concat chunk: per format one concat input, its kept frames chosen
 * by time, stamped with each frame's own time, timed by their place in the film; the branches
 * interleaved back into film order.
 */
async function concatChunkArgs(chunk: readonly FilmInput[], listPrefix: string, options: GraphOptions): Promise<{ inputs: string[]; graph: string }> {
  const branches = new Map<string, { segments: ConcatSegment[]; film: number[]; realMs: number[] }>();
  const stamps: number[] = [];
  let film = 0;
  for (const { item, run, selection } of chunk) {
    const key = formatKey({ video: item.probe.video, audio: undefined });
    const branch = branches.get(key) ?? { segments: [], film: [], realMs: [] };
    branches.set(key, branch);
    const kept: number[] = [];
    for (let frame = run.start; frame < run.start + run.length; frame++) if (keeps(frame, selection)) kept.push(frame);
    if (kept.length === 0) continue;
    branch.segments.push({ path: resolve(item.source.path), fps: frameRateValue(item.probe.video.frameRate), startSeconds: item.probe.videoStartSeconds ?? 0, kept });
    for (const frame of kept) {
      branch.film.push(film++);
      const real = Math.round((item.first.getTime() / 1000 + frame * item.interval + options.stampOffset(item, frame)) * 1000);
      branch.realMs.push(real);
      stamps.push(real);
    }
  }
  // Stamp times relative to a whole second before the first, in milliseconds: exact in a 1/1000 time base.
  const baseSeconds = Math.floor(Math.min(...stamps) / 1000);
  const inputs: string[] = [];
  const graph: string[] = [];
  let index = 0;
  for (const branch of branches.values()) {
    const { list, select } = concatBranch(branch.segments);
    const listFile = `${listPrefix}-${index}.txt`;
    await writeFile(listFile, list);
    inputs.push('-threads', '1', '-f', 'concat', '-safe', '0', '-i', listFile);
    const filters = [`select='${select}'`, fitFilter(options.size), 'settb=1/1000'];
    if (options.stamp) {
      filters.push(`setpts='${sequenceExpression(branch.realMs.map((ms) => ms - baseSeconds * 1000))}'`, stampFilter(options.fontFile, baseSeconds));
    }
    filters.push(`setpts='${sequenceExpression(branch.film)}'`);
    graph.push(`[${index}:v]${filters.join(',')}[v${index}]`);
    index++;
  }
  const joined = index === 1 ? '[v0]' : `${Array.from({ length: index }, (_, branch) => `[v${branch}]`).join('')}interleave=nb_inputs=${index},`;
  graph.push(`${joined}setpts=N/(${options.fps}*TB),format=yuv420p[film]`);
  return { inputs: ['-copyts', ...inputs], graph: graph.join(';') };
}
/**
 * ffprobe processes at once: their cost is mostly starting up, and each holds ~55 MiB (the libraries),
 * so more than the two cores can run only adds to the peak memory.
 */
const PROBES_AT_ONCE = 2;

/**
 * The film's encoder: two frame threads (the machines this targets have two cores; a third only holds
 * more 720p frames), no lookahead queue between the threads (`sync-lookahead=0`: a thread-handoff
 * buffer) and a five-frame rate-control lookahead instead of ten: film frames are far apart in real
 * time, so looking further ahead finds little to predict from. About 35 MiB less at 720p, the same size.
 */
const ENCODER_ARGS = ['-c:v', 'libx264', '-preset', 'veryfast', '-crf', '23', '-threads', '2', '-x264-params', 'sync-lookahead=0:rc-lookahead=5'];

async function countFrames(ffprobe: string, path: string, signal: AbortSignal | undefined): Promise<number> {
  const format = /\.dav$/i.test(path) ? ['-f', 'dhav'] : [];
  const { stdout } = await runTool(ffprobe, ['-v', 'error', ...format, '-select_streams', 'v:0', '-count_packets', '-show_entries', 'stream=nb_read_packets', '-of', 'csv=p=0', path], signal ? { signal } : {});
  const frames = Number.parseInt(stdout.trim(), 10);
  if (!Number.isFinite(frames) || frames <= 0) throw new MediaError(`cannot read ${path}: no video frames`, { code: 'ERR_MEDIA_UNREADABLE', path });
  return frames;
}

/** The container's frame count when its index can be trusted (it agrees with the duration), else a count of the packets. */
async function frameCountOf(ffprobe: string, probe: MediaProbe, signal: AbortSignal | undefined): Promise<number> {
  const fps = frameRateValue(probe.video.frameRate);
  const indexed = probe.frameCount;
  if (indexed !== undefined && /mp4|mov|avi/.test(probe.container) && fps > 0 && Math.abs(indexed / fps - probe.durationSeconds) <= 1.5 / fps + 0.01) return indexed;
  return countFrames(ffprobe, probe.path, signal);
}

/** Runs `work` on every item, at most `limit` at once, results in the items' order; the first failure rejects. */
async function mapLimited<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

function dominant<T>(items: Array<{ key: string; weight: number; value: T }>): T {
  const totals = new Map<string, { weight: number; value: T }>();
  for (const item of items) {
    const entry = totals.get(item.key) ?? { weight: 0, value: item.value };
    entry.weight += item.weight;
    totals.set(item.key, entry);
  }
  return [...totals.values()].sort((a, b) => b.weight - a.weight)[0]!.value;
}

/**
 * ffmpeg input options of one run: seek to a quarter frame before its first frame (ffmpeg decodes from
 * the key frame before and drops what precedes the seek point; a quarter frame stays clear of rounding
 * to a 1/fps time base) and stop reading after its last (`trim` in the branch cuts it exactly).
 */
function inputArgs(input: FilmInput): string[] {
  const path = input.item.source.path;
  const format = inputFormatFor(path);
  const formatArgs = format ? ['-f', format] : [];
  if (input.whole) return ['-threads', '1', ...formatArgs, '-i', path];
  const mediaFps = frameRateValue(input.item.probe.video.frameRate);
  const seek = Math.max(0, (input.run.start - 0.25) / mediaFps);
  const end = (input.run.start + input.run.length + 0.25) / mediaFps;
  return ['-threads', '1', ...(seek > 0 ? ['-ss', seek.toFixed(6)] : []), '-t', (end - seek).toFixed(6), ...formatArgs, '-i', path];
}

/** The filter branch of one run: its kept frames, stamped with their time, at the film's size. */
function inputFilters(input: FilmInput, options: { fps: number; size: { width: number; height: number }; stamp: boolean; fontFile: string | undefined; offsetSeconds: number }): string {
  const { item, run, selection } = input;
  // Frame indexes and times restart at the run's first frame.
  const filters = [`trim=end_frame=${run.length}`, 'setpts=PTS-STARTPTS'];
  const phase = selection.phase - run.start;
  if (run.kept < run.length) filters.push(`select='gte(floor((n+0.5-(${phase}))/${selection.step})-floor((n-0.5-(${phase}))/${selection.step}),1)'`);
  filters.push(fitFilter(options.size));
  if (options.stamp) {
    // Presentation time scaled to real seconds since the run's first frame, added to that frame's real
    // time shifted to the camera's clock: each frame's time, printed as UTC (drawtext rounds to the ms).
    const mediaFps = frameRateValue(item.probe.video.frameRate) || options.fps;
    const base = item.first.getTime() / 1000 + run.start * item.interval + options.offsetSeconds;
    filters.push(`setpts=PTS*${item.interval * mediaFps}`, stampFilter(options.fontFile, base));
  }
  filters.push('format=yuv420p');
  return filters.join(',');
}

/**
 * Makes one film from a folder of Timelapse2 1.x (MJPEG AVI), Timelapse 3.x (H.264 MP4) archives and
 * Amcrest recordings: ordered by the time each covers, frames dropped evenly for `lengthSeconds`,
 * `speed` or `everySeconds` (never slowed down or repeated), optionally stamped with each frame's time.
 * Stream copy when nothing asks for a change and every source shares one format; one re-encode
 * otherwise. The film is verified with ffprobe (frame count, length within one frame, size).
 */
export async function createFilm(options: CreateFilmOptions): Promise<FilmResult> {
  const asked = [options.lengthSeconds, options.speed, options.everySeconds].filter((value) => value !== undefined);
  if (asked.length > 1) throw new MediaError('give only one of length, speed and every', { code: 'ERR_MEDIA_INVALID_OPTIONS' });
  for (const [name, value] of [
    ['length', options.lengthSeconds],
    ['speed', options.speed],
    ['every', options.everySeconds],
  ] as const) {
    if (value !== undefined && !(Number.isFinite(value) && value > 0)) throw new MediaError(`${name} must be a positive number, got ${value}`, { code: 'ERR_MEDIA_INVALID_OPTIONS' });
  }
  const output = resolve(options.output);
  if (!options.dryRun && !options.overwrite && existsSync(output)) {
    throw new MediaError(`already exists: ${output}`, { code: 'ERR_MEDIA_OUTPUT_EXISTS', path: output });
  }
  const tools = options.tools ?? (await findFfmpeg());
  const signal = options.signal;
  const emit = (event: FilmEvent): void => options.onEvent?.(event);

  const found = await findFilmSources(options.source, { camera: options.camera, coverage: options.coverage });
  emit({ type: 'sources', count: found.length });
  if (found.length === 0) {
    throw new MediaError(`nothing to make a film of: no archives or recordings (.avi, .mp4, .mkv, .mov, .dav) in ${options.source}${options.camera ? ` for camera ${options.camera}` : ''}`, {
      code: 'ERR_MEDIA_INVALID_OPTIONS',
      path: options.source,
    });
  }
  if (options.timeZone !== undefined) {
    try {
      utcOffsetSeconds(0, options.timeZone);
    } catch {
      throw new MediaError(`unknown time zone ${JSON.stringify(options.timeZone)} (an IANA zone such as Europe/Berlin)`, { code: 'ERR_MEDIA_INVALID_OPTIONS' });
    }
  }
  let probedCount = 0;
  const probed = await mapLimited(found, PROBES_AT_ONCE, async (source): Promise<Probed> => {
    let probe: MediaProbe;
    let frames: number;
    try {
      probe = await probeMedia(tools.ffprobe, source.path, signal ? { signal } : {});
      frames = await frameCountOf(tools.ffprobe, probe, signal);
    } catch (error) {
      if (isMediaError(error, 'ERR_FFMPEG_FAILED') || isMediaError(error, 'ERR_MEDIA_UNREADABLE')) {
        throw new MediaError(`cannot read ${source.path}: ${error.stderr || error.message}`, { code: 'ERR_MEDIA_UNREADABLE', path: source.path, cause: error });
      }
      throw error;
    }
    const duration = probe.durationSeconds;
    let first = source.first;
    let last = source.last;
    if (source.origin === 'mtime') {
      last = source.first;
      first = new Date(source.first.getTime() - duration * 1000);
    }
    if (!last) last = new Date(first.getTime() + duration * 1000);
    // Timelapse spans run first → last frame; a recording's (name, file time) is real time: its frames
    // are its duration apart.
    const realTime = source.origin === 'name' || source.origin === 'mtime' || source.last === undefined;
    const interval = realTime ? duration / frames : frames > 1 ? (last.getTime() - first.getTime()) / 1000 / (frames - 1) : duration;
    const mediaFps = frameRateValue(probe.video.frameRate);
    const gop = probe.video.codec === 'mjpeg' ? 1 : probe.keyframeIntervalSeconds !== undefined && mediaFps > 0 ? Math.max(1, Math.round(probe.keyframeIntervalSeconds * mediaFps)) : undefined;
    // Seek only where frame n sits at n / fps, in a container whose seeking is frame-exact (not Dahua's).
    const seekable = mediaFps > 0 && Math.abs(frames / mediaFps - duration) <= 1.5 / mediaFps + 0.01 && probe.container !== 'dhav';
    emit({ type: 'probed', probed: ++probedCount, total: found.length });
    return { source, probe, frames, first, last, interval: interval > 0 ? interval : 1 / Math.max(1, mediaFps), gop, seekable };
  });
  const inWindow = probed
    .filter((item) => (!options.from || item.last >= options.from) && (!options.to || item.first <= options.to))
    .sort((a, b) => a.first.getTime() - b.first.getTime() || a.source.path.localeCompare(b.source.path));
  if (inWindow.length === 0) {
    throw new MediaError(`nothing to make a film of between ${options.from?.toISOString() ?? 'the start'} and ${options.to?.toISOString() ?? 'the end'} in ${options.source}`, {
      code: 'ERR_MEDIA_INVALID_OPTIONS',
      path: options.source,
    });
  }

  const frameRate = dominant(inWindow.map((item) => ({ key: item.probe.video.frameRate, weight: item.frames, value: item.probe.video.frameRate })));
  const fps = frameRateValue(frameRate) || 10;
  const size = options.size ?? dominant(inWindow.map((item) => ({ key: `${item.probe.video.width}x${item.probe.video.height}`, weight: item.frames, value: { width: item.probe.video.width, height: item.probe.video.height } })));
  const totalFrames = inWindow.reduce((sum, item) => sum + item.frames, 0);

  // Sample points in frame units per source: phase + k * step.
  let capped = false;
  const selection: Array<{ phase: number; step: number }> = [];
  if (options.lengthSeconds !== undefined) {
    const wanted = Math.max(1, Math.round(options.lengthSeconds * fps));
    if (wanted > totalFrames) capped = true;
    const step = Math.max(1, totalFrames / wanted);
    let offset = 0;
    for (const item of inWindow) {
      selection.push({ phase: -offset, step });
      offset += item.frames;
    }
  } else if (options.speed !== undefined || options.everySeconds !== undefined) {
    const every = options.everySeconds ?? (options.speed as number) / fps;
    const origin = (options.from ?? inWindow[0]!.first).getTime() / 1000;
    for (const item of inWindow) {
      const start = item.first.getTime() / 1000;
      // The first sample point at or after this source's first frame (less half a frame).
      const k = Math.ceil((start - item.interval / 2 - origin) / every);
      selection.push({ phase: (origin + k * every - start) / item.interval, step: every / item.interval });
    }
  } else {
    for (let index = 0; index < inWindow.length; index++) selection.push({ phase: 0, step: 1 });
  }
  const sameFormat = new Set(inWindow.map((item) => formatKey({ video: item.probe.video, audio: undefined }))).size === 1;
  const firstVideo = inWindow[0]!.probe.video;
  const changes = options.stamp || selection.some((item) => item.step > 1) || (options.size && (options.size.width !== firstVideo.width || options.size.height !== firstVideo.height));
  const mode: FilmPlan['mode'] = !changes && sameFormat ? 'copy' : 'encode';
  const timeZone = options.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
  /** The stamp's shift from a frame's instant to the clock shown (0 for camera wall-clock sources). */
  const stampOffset = (item: Probed, frame: number): number =>
    !options.stamp || item.source.wallClock ? 0 : utcOffsetSeconds(item.first.getTime() + frame * item.interval * 1000, timeZone);
  const inputs: FilmInput[] = [];
  const parts: FilmPart[] = inWindow.map((item, index) => {
    const itemSelection = selection[index]!;
    const kept = keptFrames(item.frames, itemSelection);
    const part = { path: item.source.path, first: item.first, last: item.last, origin: item.source.origin, frames: item.frames, selected: kept.length, decoded: 0 };
    if (mode === 'copy' || kept.length === 0) return part;
    // A variable frame rate cannot be sought by frame index: decode the file and select, as one input.
    const runs = item.seekable ? planRuns(kept, { gop: item.gop, boundary: (frame) => stampOffset(item, frame) }) : [{ start: 0, length: item.frames, kept: kept.length, decoded: item.frames }];
    for (const run of runs) inputs.push({ item, run, selection: itemSelection, whole: !item.seekable });
    part.decoded = runs.reduce((sum, run) => sum + run.decoded, 0);
    return part;
  });
  const frames = parts.reduce((sum, part) => sum + part.selected, 0);
  const plan: FilmPlan = { parts, mode, fps, frameRate, width: size.width, height: size.height, frames, seconds: frames / fps, capped };
  emit({ type: 'plan', plan });
  if (frames === 0) {
    throw new MediaError('no frame falls on the asked interval: choose a shorter --every or --speed', { code: 'ERR_MEDIA_INVALID_OPTIONS' });
  }
  if (options.dryRun) return { output, plan, durationSeconds: undefined, frames: undefined, width: undefined, height: undefined, dryRun: true };

  await mkdir(dirname(output), { recursive: true });
  const temp = `${output}.part.mp4`;
  const workDir = await mkdtemp(join(dirname(output), '.camdl-film-'));
  const startedAt = Date.now();
  let done = 0;
  const progress = (current: number): void => {
    const elapsedSeconds = (Date.now() - startedAt) / 1000;
    const fraction = current / frames;
    emit({ type: 'progress', frames: current, totalFrames: frames, elapsedSeconds, etaSeconds: fraction > 0.01 ? (elapsedSeconds / fraction) * (1 - fraction) : undefined });
  };
  try {
    await rm(temp, { force: true });
    if (mode === 'copy') {
      await mergeMedia({
        inputs: inWindow.map((item) => ({ path: item.source.path, start: item.first })),
        output: temp,
        format: 'mp4',
        transcode: 'auto',
        overwrite: true,
        tools,
        ...(signal ? { signal } : {}),
        onEvent: (event) => {
          if (event.type === 'progress') progress(Math.round(event.seconds * fps));
        },
      });
    } else {
      const fontFile = options.stamp ? (options.fontFile ?? FONT_CANDIDATES.find((candidate) => existsSync(candidate))) : undefined;
      const list: string[] = [];
      const graphOptions: GraphOptions = { fps, size, stamp: options.stamp === true, fontFile, stampOffset };
      for (const { kind, inputs: chunk } of filmChunks(inputs)) {
        const chunkFrames = chunk.reduce((sum, input) => sum + input.run.kept, 0);
        const name = join(workDir, String(list.length).padStart(5, '0'));
        const ts = `${name}.ts`;
        const before = done;
        let args: { inputs: string[]; graph: string };
        if (kind === 'concat') {
          args = await concatChunkArgs(chunk, name, graphOptions);
        } else {
          const graph = chunk.map((input, index) => `[${index}:v]${inputFilters(input, { fps, size, stamp: options.stamp === true, fontFile, offsetSeconds: stampOffset(input.item, input.run.start) })}[v${index}]`);
          graph.push(`${chunk.map((_, index) => `[v${index}]`).join('')}concat=n=${chunk.length}:v=1:a=0,setpts=N/(${fps}*TB)[film]`);
          args = { inputs: chunk.flatMap(inputArgs), graph: graph.join(';') };
        }
        await runTool(
          tools.ffmpeg,
          [
            ...['-hide_banner', '-nostdin', '-v', 'error', '-nostats', '-y', '-progress', 'pipe:1'],
            ...args.inputs,
            '-filter_complex',
            args.graph,
            '-map',
            '[film]',
            '-an',
            ...['-fps_mode', 'passthrough', ...ENCODER_ARGS, '-g', String(Math.max(1, Math.round(fps * 2))), '-frames:v', String(chunkFrames)],
            '-f',
            'mpegts',
            ts,
          ],
          {
            ...(signal ? { signal } : {}),
            onStdoutLine: (line) => {
              const match = /^frame=(\d+)$/.exec(line);
              if (match) progress(before + Number(match[1]));
            },
          },
        );
        done += chunkFrames;
        progress(done);
        list.push(`${concatListLine(ts)}\nduration ${(chunkFrames / fps).toFixed(6)}`);
      }
      const listFile = join(workDir, 'list.txt');
      await writeFile(listFile, `ffconcat version 1.0\n${list.join('\n')}\n`);
      await runTool(
        tools.ffmpeg,
        ['-hide_banner', '-nostdin', '-v', 'error', '-y', '-f', 'concat', '-safe', '0', '-i', listFile, '-map', '0:v:0', '-c', 'copy', '-movflags', '+faststart', '-f', 'mp4', temp],
        signal ? { signal } : {},
      );
    }
    const written = await probeMedia(tools.ffprobe, temp, signal ? { signal } : {});
    const writtenFrames = await countFrames(tools.ffprobe, temp, signal);
    const expectedFrames = mode === 'copy' ? totalFrames : frames;
    const problems: string[] = [];
    if (writtenFrames !== expectedFrames) problems.push(`${writtenFrames} frames instead of ${expectedFrames}`);
    if (Math.abs(written.durationSeconds - expectedFrames / fps) > 1 / fps + 1e-3) problems.push(`${written.durationSeconds.toFixed(3)} s instead of ${(expectedFrames / fps).toFixed(3)} s`);
    if (mode === 'encode' && (written.video.width !== size.width || written.video.height !== size.height)) problems.push(`${written.video.width}x${written.video.height} instead of ${size.width}x${size.height}`);
    if (problems.length > 0) throw new MediaError(`the film ${output} is not what was planned: ${problems.join(', ')}`, { code: 'ERR_MERGE_VERIFY_FAILED', path: output });
    await rename(temp, output);
    const result: FilmResult = { output, plan, durationSeconds: written.durationSeconds, frames: writtenFrames, width: written.video.width, height: written.video.height, dryRun: false };
    emit({ type: 'done', result });
    return result;
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}
