import { basename, dirname, extname, join } from 'node:path';
import type { AudioFormat, MediaProbe, StreamFormat, VideoFormat } from './probe-media.js';

/** Containers a merge writes. */
export type MergeFormat = 'mp4' | 'mkv' | 'avi';
export const MERGE_FORMATS: readonly MergeFormat[] = ['mp4', 'mkv', 'avi'];

/** One output per camera day or hour (`day`, `hour`), or outputs only where the format changes (`none`). */
export type SplitMode = 'none' | 'day' | 'hour';
export const SPLIT_MODES: readonly SplitMode[] = ['none', 'day', 'hour'];

/**
 * Cutting to the requested window: `keyframe` (stream copy from the key frame at or before the start to
 * the key frame at or after the end: nothing requested is lost), `exact` (re-encodes only the first and
 * last GOP), `none` (whole parts).
 */
export type TrimMode = 'keyframe' | 'exact' | 'none';
export const TRIM_MODES: readonly TrimMode[] = ['keyframe', 'exact', 'none'];

/**
 * At a format change: `none` starts a new output (`…_part2.mp4`); `auto` re-encodes the odd runs to
 * the dominant format (the one covering the most time) into one output; `h264` makes H.264/AAC that
 * anything plays (re-encoding only what is not already in that format).
 */
export type TranscodeMode = 'none' | 'auto' | 'h264';
export const TRANSCODE_MODES: readonly TranscodeMode[] = ['none', 'auto', 'h264'];

/** A part as the planner sees it: where it is, when it starts, and what ffprobe said (or why it could not). */
export interface PlanPart {
  path: string;
  /** Real start instant: orders the parts (when every part has one) and places the trim window. */
  start?: Date | undefined;
  /** Camera wall-clock start `YYYY-MM-DD HH:MM:SS`: where `--split` cuts. @default `start` in UTC */
  cameraTime?: string | undefined;
  /** ffprobe's answer, or `undefined` when the part could not be read (`error` says why). */
  probe: MediaProbe | undefined;
  error?: string | undefined;
}

export interface PlanOptions {
  /** The output path when everything fits in one file; other outputs (`…_part2`, per day/hour) are named after it. */
  output: string;
  /** @default 'mp4' */
  format?: MergeFormat;
  /** @default 'none' */
  split?: SplitMode;
  /** @default 'keyframe' (applies only with `window`) */
  trim?: TrimMode;
  /** The requested window (instants); parts need `start` for trimming. @default undefined (no trim) */
  window?: { start: Date; end: Date } | undefined;
  /** @default 'none' */
  transcode?: TranscodeMode;
}

/** One part's contribution to an output. */
export interface PlannedPiece {
  path: string;
  /** `copy`: stream copy; `encode`: re-encoded to the output's format (`--transcode`). */
  action: 'copy' | 'encode';
  /** Seconds into the part where the requested window starts (trim), when it starts inside it. */
  trimStart: number | undefined;
  /** Seconds into the part where the requested window ends (trim), when it ends inside it. */
  trimEnd: number | undefined;
  /** The part's own format. */
  source: StreamFormat;
  /** Seconds this piece should contribute (before key-frame rounding). */
  expectedSeconds: number;
}

/** One file the merge writes. */
export interface PlannedOutput {
  path: string;
  /** `2026-01-16` (day) or `2026-01-16 20h` (hour) with `split`. */
  label: string | undefined;
  /** 1 for the first output of a day/hour (or of the whole merge), 2 for `…_part2`... */
  sequence: number;
  /** The output's stream format. */
  target: StreamFormat;
  pieces: PlannedPiece[];
  expectedSeconds: number;
  /** What changed from the previous output of the same day/hour, when a format change started this one. */
  reason: string | undefined;
  /** `aac` when the container cannot hold the parts' audio codec (the video is still copied). */
  audio: 'copy' | 'aac' | 'none';
}

export interface MergePlan {
  format: MergeFormat;
  split: SplitMode;
  trim: TrimMode;
  transcode: TranscodeMode;
  outputs: PlannedOutput[];
  /** Parts ffprobe could not read: named, never silently dropped. */
  unreadable: Array<{ path: string; reason: string }>;
  /** Parts wholly outside the requested window (not merged). */
  outsideWindow: string[];
}

/** Audio codecs each container holds without re-encoding. */
const CONTAINER_AUDIO: Record<MergeFormat, readonly string[] | 'any'> = {
  mp4: ['aac', 'mp3', 'ac3', 'eac3', 'alac', 'opus', 'flac'],
  mkv: 'any',
  avi: ['mp3', 'ac3', 'aac', 'pcm_s16le', 'pcm_alaw', 'pcm_mulaw', 'pcm_u8'],
};

function videoKey(video: VideoFormat): string {
  return [video.codec, video.profile ?? '', `${video.width}x${video.height}`, video.pixelFormat ?? '', video.frameRate].join('|');
}

function audioKey(audio: AudioFormat | undefined): string {
  return audio ? [audio.codec, audio.sampleRate, audio.channels].join('|') : 'none';
}

/** The key two parts must share to be stream-copied into one file (the time base is not part of it: the concat demuxer rescales timestamps). */
export function formatKey(format: StreamFormat): string {
  return `${videoKey(format.video)}#${audioKey(format.audio)}`;
}

function describeAudio(audio: AudioFormat | undefined): string {
  return audio ? `${audio.codec} ${audio.sampleRate} Hz ${audio.channels === 1 ? 'mono' : audio.channels === 2 ? 'stereo' : `${audio.channels} ch`}` : 'no audio';
}

/** `h264 High 1920x1080 yuv420p 25/1 fps, aac 16000 Hz mono` */
export function describeFormat(format: StreamFormat): string {
  const { video } = format;
  return `${[video.codec, video.profile, `${video.width}x${video.height}`, video.pixelFormat, `${video.frameRate} fps`].filter(Boolean).join(' ')}, ${describeAudio(format.audio)}`;
}

/** What differs between two formats, e.g. `resolution 1920x1080 → 1280x720, audio aac 16000 Hz mono → no audio`. */
export function describeChange(from: StreamFormat, to: StreamFormat): string {
  const changes: string[] = [];
  const a = from.video;
  const b = to.video;
  if (a.codec !== b.codec) changes.push(`codec ${a.codec} → ${b.codec}`);
  else if (a.profile !== b.profile) changes.push(`profile ${a.profile ?? '?'} → ${b.profile ?? '?'}`);
  if (a.width !== b.width || a.height !== b.height) changes.push(`resolution ${a.width}x${a.height} → ${b.width}x${b.height}`);
  if (a.pixelFormat !== b.pixelFormat) changes.push(`pixel format ${a.pixelFormat ?? '?'} → ${b.pixelFormat ?? '?'}`);
  if (a.frameRate !== b.frameRate) changes.push(`frame rate ${a.frameRate} → ${b.frameRate}`);
  if (audioKey(from.audio) !== audioKey(to.audio)) changes.push(`audio ${describeAudio(from.audio)} → ${describeAudio(to.audio)}`);
  return changes.join(', ');
}

function streamFormat(probe: MediaProbe): StreamFormat {
  return { video: probe.video, audio: probe.audio };
}

/** The part's camera wall-clock start as ms (wall-clock fields read as UTC), when known. */
function wallStartMs(part: PlanPart): number | undefined {
  const wall = part.cameraTime ?? part.start?.toISOString().slice(0, 19).replace('T', ' ');
  if (!wall) return undefined;
  const ms = Date.parse(`${wall.replace(' ', 'T')}Z`);
  return Number.isFinite(ms) ? ms : undefined;
}

function labelAt(wallMs: number, split: SplitMode): string | undefined {
  if (split === 'none') return undefined;
  const wall = new Date(wallMs).toISOString();
  return split === 'day' ? wall.slice(0, 10) : `${wall.slice(0, 10)} ${wall.slice(11, 13)}h`;
}

/**
 * Where a part crosses a day (or hour) boundary of camera time: the stretches `[from, to)` in seconds
 * into the part, each with its label. A part inside one day/hour is one stretch; a recording from 23:50
 * to 00:10 is two, cut at midnight (the merge then cuts at key frames: nothing is lost, nothing
 * re-encoded unless `trim: 'exact'`).
 */
export function splitStretches(part: PlanPart, split: SplitMode, from: number, to: number): Array<{ label: string | undefined; from: number; to: number }> {
  const start = wallStartMs(part);
  if (split === 'none' || start === undefined) return [{ label: start === undefined ? undefined : labelAt(start, split), from, to }];
  const step = split === 'day' ? 86_400_000 : 3_600_000;
  const stretches: Array<{ label: string | undefined; from: number; to: number }> = [];
  let at = from;
  while (at < to - 1e-6 || stretches.length === 0) {
    const wall = start + at * 1000;
    const boundary = ((Math.floor(wall / step) + 1) * step - start) / 1000;
    const next = Math.min(to, boundary);
    stretches.push({ label: labelAt(wall, split), from: at, to: next });
    if (next <= at) break;
    at = next;
  }
  return stretches;
}

/** `night.mp4` → `night_2026-01-16_20h_part2.mp4` */
export function outputName(base: string, label: string | undefined, sequence: number, format: MergeFormat): string {
  const extension = extname(base);
  const stem = basename(base, extension);
  const suffix = `${label ? `_${label.replace(' ', '_')}` : ''}${sequence > 1 ? `_part${sequence}` : ''}`;
  const ext = extension ? extension.slice(1) : format;
  return join(dirname(base), `${stem}${suffix}.${ext}`);
}

function h264Target(dominant: StreamFormat): StreamFormat {
  const keepsProfile = dominant.video.codec === 'h264' && dominant.video.pixelFormat === 'yuv420p';
  return {
    video: {
      ...dominant.video,
      codec: 'h264',
      profile: keepsProfile ? dominant.video.profile : 'High',
      pixelFormat: 'yuv420p',
    },
    audio: dominant.audio ? (dominant.audio.codec === 'aac' ? dominant.audio : { codec: 'aac', sampleRate: dominant.audio.sampleRate, channels: dominant.audio.channels }) : undefined,
  };
}

function audioHandling(format: MergeFormat, audio: AudioFormat | undefined): PlannedOutput['audio'] {
  if (!audio) return 'none';
  const allowed = CONTAINER_AUDIO[format];
  return allowed === 'any' || allowed.includes(audio.codec) ? 'copy' : 'aac';
}

interface ReadablePart {
  part: PlanPart;
  probe: MediaProbe;
  format: StreamFormat;
  key: string;
  label: string | undefined;
  trimStart: number | undefined;
  trimEnd: number | undefined;
  seconds: number;
}

/**
 * Plans a merge from the parts' probes (pure: no I/O). Parts are ordered by `start` when all have one;
 * unreadable parts are listed in `unreadable`; parts outside the window in `outsideWindow`. Each day/hour
 * (`split`) is cut into runs of parts that share a format ({@link formatKey}); each run becomes one
 * output, or with `transcode` the odd runs are re-encoded into the day's single output.
 */
export function planMerge(parts: readonly PlanPart[], options: PlanOptions): MergePlan {
  const format = options.format ?? 'mp4';
  const split = options.split ?? 'none';
  const trim = options.trim ?? 'keyframe';
  const transcode = options.transcode ?? 'none';
  const ordered = parts.map((part, order) => ({ part, order }));
  if (ordered.every(({ part }) => part.start !== undefined)) {
    ordered.sort((a, b) => (a.part.start as Date).getTime() - (b.part.start as Date).getTime() || a.order - b.order);
  }
  const unreadable: MergePlan['unreadable'] = [];
  const outsideWindow: string[] = [];
  const readable: ReadablePart[] = [];
  for (const { part } of ordered) {
    if (!part.probe) {
      unreadable.push({ path: part.path, reason: part.error ?? 'ffprobe could not read it' });
      continue;
    }
    const duration = part.probe.durationSeconds;
    let trimStart: number | undefined;
    let trimEnd: number | undefined;
    if (options.window && trim !== 'none' && part.start) {
      const offsetStart = (options.window.start.getTime() - part.start.getTime()) / 1000;
      const offsetEnd = (options.window.end.getTime() - part.start.getTime()) / 1000;
      if (offsetEnd <= 0 || offsetStart >= duration) {
        outsideWindow.push(part.path);
        continue;
      }
      if (offsetStart > 0) trimStart = offsetStart;
      if (offsetEnd < duration) trimEnd = offsetEnd;
    }
    const streams = streamFormat(part.probe);
    // A part crossing midnight (or the hour, with split hour) goes partly into each day's output.
    const stretches = splitStretches(part, split, trimStart ?? 0, trimEnd ?? duration);
    for (const [index, stretch] of stretches.entries()) {
      const cutStart = index > 0 ? stretch.from : trimStart;
      const cutEnd = index < stretches.length - 1 ? stretch.to : trimEnd;
      readable.push({
        part,
        probe: part.probe,
        format: streams,
        key: formatKey(streams),
        label: stretch.label,
        trimStart: cutStart,
        trimEnd: cutEnd,
        seconds: (cutEnd ?? duration) - (cutStart ?? 0),
      });
    }
  }

  // Consecutive parts of the same day/hour form a segment.
  const segments: ReadablePart[][] = [];
  for (const item of readable) {
    const current = segments[segments.length - 1];
    if (current && current[0]?.label === item.label) current.push(item);
    else segments.push([item]);
  }

  const outputs: PlannedOutput[] = [];
  const piece = (item: ReadablePart, action: PlannedPiece['action']): PlannedPiece => ({
    path: item.part.path,
    action,
    trimStart: item.trimStart,
    trimEnd: item.trimEnd,
    source: item.format,
    expectedSeconds: item.seconds,
  });
  const makeOutput = (label: string | undefined, sequence: number, target: StreamFormat, pieces: PlannedPiece[], reason: string | undefined): PlannedOutput => ({
    path: outputName(options.output, label, sequence, format),
    label,
    sequence,
    target,
    pieces,
    expectedSeconds: pieces.reduce((sum, item) => sum + item.expectedSeconds, 0),
    reason,
    audio: audioHandling(format, target.audio),
  });

  for (const segment of segments) {
    const label = segment[0]?.label;
    const runs: ReadablePart[][] = [];
    for (const item of segment) {
      const current = runs[runs.length - 1];
      if (current && current[0]?.key === item.key) current.push(item);
      else runs.push([item]);
    }
    if (transcode === 'none') {
      runs.forEach((run, index) => {
        const previous = runs[index - 1];
        const first = run[0] as ReadablePart;
        const reason = previous ? describeChange((previous[0] as ReadablePart).format, first.format) : undefined;
        outputs.push(makeOutput(label, index + 1, first.format, run.map((item) => piece(item, 'copy')), reason));
      });
      continue;
    }
    // The dominant format: the one covering the most time in this day/hour (the earliest on a tie).
    const totals = new Map<string, { seconds: number; format: StreamFormat }>();
    for (const item of segment) {
      const entry = totals.get(item.key) ?? { seconds: 0, format: item.format };
      entry.seconds += item.seconds;
      totals.set(item.key, entry);
    }
    let dominant = (segment[0] as ReadablePart).format;
    let best = -1;
    for (const entry of totals.values()) {
      if (entry.seconds > best) {
        best = entry.seconds;
        dominant = entry.format;
      }
    }
    const target = transcode === 'h264' ? h264Target(dominant) : dominant;
    const targetKey = formatKey(target);
    outputs.push(
      makeOutput(
        label,
        1,
        target,
        segment.map((item) => piece(item, item.key === targetKey ? 'copy' : 'encode')),
        undefined,
      ),
    );
  }
  return { format, split, trim, transcode, outputs, unreadable, outsideWindow };
}

function seconds(value: number): string {
  const total = Math.round(value);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m${String(s).padStart(2, '0')}s` : m > 0 ? `${m}m${String(s).padStart(2, '0')}s` : `${s}s`;
}

/** The plan as human-readable lines (what `--dry-run` prints). */
export function describePlan(plan: MergePlan): string[] {
  const lines: string[] = [];
  const encoded = plan.outputs.reduce((sum, output) => sum + output.pieces.filter((item) => item.action === 'encode').length, 0);
  lines.push(
    `Plan: ${plan.outputs.length} output(s) (${plan.format}, split ${plan.split}, trim ${plan.trim}, transcode ${plan.transcode}${encoded ? `, ${encoded} part(s) re-encoded` : ', stream copy'})`,
  );
  for (const output of plan.outputs) {
    const counts = output.pieces.length;
    const why = output.reason ? ` — new file: ${output.reason}` : '';
    lines.push(`  ${output.path}: ${counts} part(s), ~${seconds(output.expectedSeconds)}, ${describeFormat(output.target)}${output.audio === 'aac' ? ' (audio re-encoded to aac for the container)' : ''}${why}`);
    for (const item of output.pieces) {
      const trims = [item.trimStart !== undefined ? `from ${item.trimStart.toFixed(1)} s` : '', item.trimEnd !== undefined ? `to ${item.trimEnd.toFixed(1)} s` : ''].filter(Boolean).join(' ');
      const encode = item.action === 'encode' ? ` re-encode from ${describeFormat(item.source)}` : '';
      lines.push(`    ${item.action === 'copy' ? 'copy  ' : 'encode'} ${item.path}${trims ? ` (${trims}, trim ${plan.trim})` : ''}${encode}`);
    }
  }
  for (const item of plan.unreadable) lines.push(`  UNREADABLE ${item.path}: ${item.reason}`);
  for (const path of plan.outsideWindow) lines.push(`  outside the window, not merged: ${path}`);
  return lines;
}
