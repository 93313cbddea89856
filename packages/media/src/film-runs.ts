/**
 * Which stretches of a source the film decodes. A film keeps one frame in N; decoding all N to keep one
 * is what makes a one-command ffmpeg film slow. Each run is one ffmpeg input that seeks (`-ss`) to its
 * first kept frame — ffmpeg starts decoding at the key frame before it — and reads only up to its last
 * kept frame; frames close together share a run when decoding the gap costs less than a new seek.
 */

/** Sample points at `phase + k * step`, in frame units of one source. */
export interface FrameSelection {
  phase: number;
  step: number;
}

/** One ffmpeg input of the film: frames `start` … `start + length - 1` of a source, some of them kept. */
export interface FilmRun {
  /** First frame decoded into the film graph (always a kept frame). */
  start: number;
  /** Frames from `start` to the last kept one, inclusive. */
  length: number;
  /** Frames kept from the run. */
  kept: number;
  /** Frames the decoder works through: from the key frame before `start` to the run's end. */
  decoded: number;
}

/** What a new seek costs, in decoded frames (opening the input, the decoder, the filter branch). */
const SEEK_COST_FRAMES = 8;

/** Whether frame `n` is kept when sample points sit at `phase + k * step` (in frame units). */
export function keeps(n: number, { phase, step }: FrameSelection): boolean {
  if (step <= 1) return true;
  return Math.floor((n + 0.5 - phase) / step) - Math.floor((n - 0.5 - phase) / step) >= 1;
}

/** The indexes of the kept frames of a source of `frames` frames, ascending. */
export function keptFrames(frames: number, selection: FrameSelection): number[] {
  const kept: number[] = [];
  for (let n = 0; n < frames; n++) if (keeps(n, selection)) kept.push(n);
  return kept;
}

export interface PlanRunsOptions {
  /** Frames between key frames (1: every frame is one, MJPEG). `undefined`: unknown, never seek. */
  gop: number | undefined;
  /** A key that must not change inside a run (the stamp's UTC offset, so a DST change starts a new run). @default none */
  boundary?: (frame: number) => number;
}

/**
 * Groups kept frames into runs: a frame joins the current run when decoding the frames between costs
 * less than seeking to it (the distance from its key frame plus {@link SEEK_COST_FRAMES}).
 */
export function planRuns(kept: readonly number[], options: PlanRunsOptions): FilmRun[] {
  const { gop, boundary } = options;
  const keyBefore = (n: number): number => (gop === undefined ? 0 : Math.floor(n / gop) * gop);
  const runs: FilmRun[] = [];
  let current: FilmRun | undefined;
  let currentKey = 0;
  for (const n of kept) {
    const key = boundary ? boundary(n) : 0;
    if (current) {
      const end = current.start + current.length - 1;
      const seekCost = n - keyBefore(n) + SEEK_COST_FRAMES;
      if (key === currentKey && (gop === undefined || n - end <= seekCost)) {
        current.decoded += n - end;
        current.length = n - current.start + 1;
        current.kept += 1;
        continue;
      }
    }
    current = { start: n, length: 1, kept: 1, decoded: n - keyBefore(n) + 1 };
    currentKey = key;
    runs.push(current);
  }
  return runs;
}
