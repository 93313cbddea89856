/** A stretch of the requested range without recordings. */
export interface CoverageGap {
  /** Instant the gap starts (the previous recording's end, or the range start). */
  start: Date;
  /** Instant the gap ends (the next recording's start, or the range end). */
  end: Date;
  seconds: number;
  /** `before-first`, `between` two recordings, or `after-last`. */
  position: 'before-first' | 'between' | 'after-last';
}

export interface FindGapsOptions {
  /** Gaps up to this many seconds are ignored (cameras cut files a second apart). @default 1 */
  toleranceSeconds?: number;
  /** Also report missing coverage at the range's edges. @default undefined */
  range?: { start: Date; end: Date };
}

/** Gaps in coverage between chronologically sorted recordings (by their real instants, DST-safe). */
export function findGaps(recordings: ReadonlyArray<{ start: Date; end: Date }>, options: FindGapsOptions = {}): CoverageGap[] {
  const tolerance = (options.toleranceSeconds ?? 1) * 1000;
  const sorted = [...recordings].sort((a, b) => a.start.getTime() - b.start.getTime());
  const gaps: CoverageGap[] = [];
  const push = (start: number, end: number, position: CoverageGap['position']): void => {
    if (end - start > tolerance) gaps.push({ start: new Date(start), end: new Date(end), seconds: (end - start) / 1000, position });
  };
  const first = sorted[0];
  if (options.range && first) push(options.range.start.getTime(), first.start.getTime(), 'before-first');
  let coveredUntil = first?.end.getTime();
  for (const recording of sorted.slice(1)) {
    push(coveredUntil as number, recording.start.getTime(), 'between');
    coveredUntil = Math.max(coveredUntil as number, recording.end.getTime());
  }
  if (options.range && coveredUntil !== undefined) push(coveredUntil, options.range.end.getTime(), 'after-last');
  return gaps;
}
