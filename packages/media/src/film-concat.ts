/**
 * Many stretches of many sources through one ffmpeg input. A film input per stretch costs a demuxer, a
 * decoder and a filter branch each (memory) and an ffmpeg process per few of them (start-up); ffmpeg's
 * concat demuxer instead opens the stretches one after the other (`inpoint` seeks to the key frame at or
 * before it, `outpoint` stops reading) into one decoder. Each stretch is placed on the input's timeline
 * apart from the others, so a `select` by time keeps exactly the asked frames whatever the decoder puts
 * out around them (the frames from the key frame, a few reordered ones after the last).
 */
import { concatListLine } from './merge-media.js';

/** A stretch of one source: from its first kept frame to its last. */
export interface ConcatSegment {
  /** Absolute path of the source (the list is read from another folder). */
  path: string;
  /** Frames per second: source frame `n` sits at `startSeconds + n / fps`. */
  fps: number;
  /** The source's first presentation time, in seconds (0 for most files). */
  startSeconds: number;
  /** Indexes of the source frames kept from the stretch, ascending; at least one. */
  kept: readonly number[];
}

export interface ConcatBranch {
  /** The ffconcat list (`ffconcat version 1.0`, then `file`/`inpoint`/`outpoint`/`duration` per stretch). */
  list: string;
  /** A `select` expression of `t` that is true for the kept frames only. */
  select: string;
  /** How many frames `select` keeps, in the order of the segments. */
  frames: number;
}

/**
 * Frames a decoder may put out past the last one asked for: `outpoint` compares decoding times, so
 * frames displayed after it but decoded before it come out too (at most the reorder depth; 16 for H.264).
 */
const LEAK_FRAMES = 16;

/** Microseconds (the unit ffconcat durations are read in) as the seconds ffconcat reads. */
function seconds(microseconds: number): string {
  return (microseconds / 1e6).toFixed(6);
}

/** `value` with the fewest digits that still tell frames apart (microseconds). */
function decimal(value: number): string {
  return String(Math.round(value * 1e6) / 1e6);
}

/** An ffmpeg expression of `variable` that is `leaves[i]` where `bounds[i - 1] <= variable < bounds[i]`: a balanced tree of `if`s. */
function lookup(variable: string, bounds: readonly number[], leaves: readonly string[]): string {
  const build = (low: number, high: number): string => {
    if (high - low === 1) return leaves[low] as string;
    const middle = (low + high) >> 1;
    return `if(lt(${variable},${decimal(bounds[middle - 1] as number)}),${build(low, middle)},${build(middle, high)})`;
  };
  return build(0, leaves.length);
}

/**
 * An ffmpeg expression of the frame counter `N` that is `values[N]` for `N` in `0 … values.length - 1`:
 * runs of equal steps become one linear piece each, looked up by a balanced tree.
 */
export function sequenceExpression(values: readonly number[]): string {
  if (values.length === 0) return '0';
  const starts: number[] = [];
  const leaves: string[] = [];
  let index = 0;
  while (index < values.length) {
    const first = values[index] as number;
    const step = index + 1 < values.length ? (values[index + 1] as number) - first : 0;
    let end = index + 1;
    while (end < values.length && (values[end] as number) - (values[end - 1] as number) === step) end++;
    const offset = first - index * step;
    leaves.push(step === 0 ? String(first) : `(${offset}+N*${step})`);
    starts.push(index);
    index = end;
  }
  return lookup('N', starts.slice(1), leaves);
}

/**
 * The concat list and `select` of one input made of `segments` (one format: one decoder), in order.
 * Stretch `i` is placed so that its kept frames sit on whole frames of the input's timeline, after
 * everything the stretch before may put out and before anything this one decodes ahead of its first kept frame.
 */
export function concatBranch(segments: readonly ConcatSegment[]): ConcatBranch {
  const lines = ['ffconcat version 1.0'];
  const keptTimes: number[] = [];
  let tolerance = Number.POSITIVE_INFINITY;
  // Where each stretch's first kept frame lands on the timeline, in frames of the stretch's rate.
  let grid = 0;
  let placedAt = 0;
  segments.forEach((segment, index) => {
    const first = segment.kept[0] as number;
    const last = segment.kept[segment.kept.length - 1] as number;
    const frameUs = 1e6 / segment.fps;
    const startUs = segment.startSeconds * 1e6;
    if (index > 0) lines.push(`duration ${seconds(Math.round(grid * frameUs) - placedAt)}`);
    // The first stretch starts at 0 (the demuxer's rule); its lead-in frames fall before it.
    placedAt = Math.round(grid * frameUs);
    lines.push(concatListLine(segment.path), `inpoint ${seconds(Math.round(startUs + first * frameUs))}`, `outpoint ${seconds(Math.round(startUs + (last + 0.5) * frameUs))}`);
    for (const frame of segment.kept) keptTimes.push((grid + frame - first) / segment.fps);
    tolerance = Math.min(tolerance, 0.25 / segment.fps);
    const next = segments[index + 1];
    if (next) grid += last - first + LEAK_FRAMES + (next.kept[0] as number) + 1;
  });
  const leaves = keptTimes.map((time) => `lt(abs(t-${decimal(time)}),${decimal(tolerance)})`);
  const bounds = keptTimes.slice(1).map((time, index) => (time + (keptTimes[index] as number)) / 2);
  return { list: `${lines.join('\n')}\n`, select: keptTimes.length === 0 ? '0' : lookup('t', bounds, leaves), frames: keptTimes.length };
}
