import { instantToWallMs, wallMs, wallMsToInstant } from '@camdl/internal';
import type { RecordingState } from './ledger.js';

/**
 * What a camera-time day of one channel holds, worst first: `lost` (listed, gone before camdl held
 * it), `at-risk` (pending and about to be overwritten), `pending` (listed, not archived yet),
 * `archived`, `not-recorded` (nothing listed that day) and `before-known` (before the first
 * recording camdl knows of).
 */
export type DayState = 'lost' | 'at-risk' | 'pending' | 'archived' | 'not-recorded' | 'before-known';

/** Every day state, worst first (the order a day's state is chosen in). */
export const DAY_STATES: readonly DayState[] = ['lost', 'at-risk', 'pending', 'archived', 'not-recorded', 'before-known'];

/**
 * How a camera records: `continuous` (Amcrest/Dahua: a day without recordings is the camera's
 * doing, never a gap) or `periodic` (Timelapse: one archive per day, week or month, so a missing
 * period is a gap and the hours between archives are not).
 */
export type RecorderKind = 'continuous' | 'periodic';

/** The recorder kind of a camera kind: Timelapse apps deliver periodic archives, the rest record continuously. */
export function recorderOf(cameraKind: string): RecorderKind {
  return cameraKind === 'timelapse' ? 'periodic' : 'continuous';
}

/** One recording as the day model reads it (a ledger row fits). */
export interface DayRecording {
  /** The ledger id, matched against {@link AtRiskInput.ids}. */
  id?: number;
  startMs: number;
  endMs: number;
  state: RecordingState;
}

/** Which pending recordings the camera may overwrite before camdl fetches them. */
export interface AtRiskInput {
  /** Pending recordings that start before this instant are at risk (the camera's overwrite horizon). */
  beforeMs?: number | undefined;
  /** Pending recordings with these ledger ids are at risk. */
  ids?: ReadonlySet<number> | undefined;
}

/** Options of {@link coverageDays}. */
export interface CoverageDaysOptions {
  /** The camera's IANA zone: days start at its midnights. */
  timeZone: string;
  /** First day, `YYYY-MM-DD` (camera time). */
  firstDay: string;
  /** Last day, `YYYY-MM-DD` (camera time), included. */
  lastDay: string;
  /** How the camera records. @default 'continuous' */
  recorder?: RecorderKind;
  /** Days that end before this instant and hold nothing are `before-known`. @default the start of the earliest recording given */
  knownSinceMs?: number | undefined;
  /** Pending recordings at risk of being overwritten. @default none */
  atRisk?: AtRiskInput | undefined;
}

/** One day of a channel. */
export interface DayCoverage {
  /** `YYYY-MM-DD`, camera time. */
  day: string;
  /** The day's first instant and the next day's (23 to 25 hours apart around DST changes). */
  startMs: number;
  endMs: number;
  state: DayState;
  /** Recordings that overlap the day, by what they are. */
  archived: number;
  pending: number;
  atRisk: number;
  lost: number;
  /** A periodic camera delivered nothing this day where its cadence says it should have. */
  gap: boolean;
}

/** A run of days a periodic camera should have delivered an archive in and did not. */
export interface DayGap {
  firstDay: string;
  lastDay: string;
  days: number;
}

/** The days of one channel over a range. */
export interface CoverageDays {
  days: DayCoverage[];
  /** How many days are in each state. */
  counts: Record<DayState, number>;
  /** Missed periods of a periodic camera, oldest first; always empty for a continuous one. */
  gaps: DayGap[];
  /** A periodic camera's cadence in days (1 daily, 7 weekly, about 30 monthly); undefined when unknown. */
  periodDays: number | undefined;
}

const DAY_TEXT = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;
/** The most days one call covers (about 60 years): a range past it is refused, not walked. */
export const MAX_COVERAGE_DAYS = 22_000;

function parseDay(text: string, name: string): number {
  const match = DAY_TEXT.exec(text);
  const wall = match ? wallMs(Number(match[1]), Number(match[2]), Number(match[3])) : Number.NaN;
  if (!match || new Date(wall).toISOString().slice(0, 10) !== text) throw new RangeError(`${name} must be a day YYYY-MM-DD, got ${JSON.stringify(text)}`);
  return wall;
}

/** `YYYY-MM-DD` of wall milliseconds. */
function dayText(wall: number): string {
  return new Date(wall).toISOString().slice(0, 10);
}

/** The camera-time day (`YYYY-MM-DD`) an instant falls on. */
export function dayOf(ms: number, timeZone: string): string {
  return dayText(instantToWallMs(ms, timeZone));
}

/** The first instant of a camera-time day (its midnight, or the first instant after a skipped one). */
export function dayStartMs(day: string, timeZone: string): number {
  return wallMsToInstant(parseDay(day, 'day'), timeZone);
}

/** Index of the last boundary at or before `ms` (boundaries ascending). */
function dayIndexAt(boundaries: readonly number[], ms: number): number {
  let low = 0;
  let high = boundaries.length - 1;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if (boundaries[middle]! <= ms) low = middle;
    else high = middle - 1;
  }
  return low;
}

/**
 * The first instants of `count + 1` days from wall day `firstWall`: each midnight read with the offset
 * of the one before (one zone look-up a day), the full DST-correct conversion only where that misses.
 */
function midnights(firstWall: number, count: number, timeZone: string): number[] {
  const boundaries = [wallMsToInstant(firstWall, timeZone)];
  for (let index = 1; index <= count; index += 1) {
    const wall = firstWall + index * DAY_MS;
    const previous = boundaries[index - 1]!;
    const guess = wall - (instantToWallMs(previous, timeZone) - previous);
    boundaries.push(instantToWallMs(guess, timeZone) === wall ? guess : wallMsToInstant(wall, timeZone));
  }
  return boundaries;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}

/**
 * The state of each camera-time day of one channel from `firstDay` to `lastDay`, with the counts
 * and, for a periodic camera, the missed periods. Pure: the caller reads the recordings (any order)
 * and says how the camera records. A recording counts in every day it overlaps; a day's state is the
 * worst of its recordings ({@link DAY_STATES} order). A lost recording was recorded: it fills its
 * day for the gap search.
 */
export function coverageDays(recordings: Iterable<DayRecording>, options: CoverageDaysOptions): CoverageDays {
  const { timeZone } = options;
  const firstWall = parseDay(options.firstDay, 'firstDay');
  const lastWall = parseDay(options.lastDay, 'lastDay');
  if (lastWall < firstWall) throw new RangeError(`lastDay ${options.lastDay} is before firstDay ${options.firstDay}`);
  const count = Math.round((lastWall - firstWall) / DAY_MS) + 1;
  if (count > MAX_COVERAGE_DAYS) throw new RangeError(`${count} days from ${options.firstDay} to ${options.lastDay}: at most ${MAX_COVERAGE_DAYS}`);
  const boundaries = midnights(firstWall, count, timeZone);
  const days: DayCoverage[] = [];
  for (let index = 0; index < count; index += 1) {
    days.push({ day: dayText(firstWall + index * DAY_MS), startMs: boundaries[index]!, endMs: boundaries[index + 1]!, state: 'not-recorded', archived: 0, pending: 0, atRisk: 0, lost: 0, gap: false });
  }
  const rangeStart = boundaries[0]!;
  const rangeEnd = boundaries[count]!;
  const atRisk = options.atRisk;
  let earliest = Number.POSITIVE_INFINITY;
  for (const recording of recordings) {
    const start = Number.isFinite(recording.startMs) ? recording.startMs : rangeEnd;
    const end = Number.isFinite(recording.endMs) ? Math.max(start, recording.endMs) : start;
    earliest = Math.min(earliest, start);
    if (end < rangeStart || start >= rangeEnd) continue;
    const archived = recording.state === 'verified' || recording.state === 'deleted-on-camera';
    const pending = recording.state === 'listed' || recording.state === 'downloaded';
    const risky = pending && atRisk !== undefined && ((atRisk.beforeMs !== undefined && start < atRisk.beforeMs) || (recording.id !== undefined && atRisk.ids?.has(recording.id) === true));
    const first = dayIndexAt(boundaries, Math.max(start, rangeStart));
    // The end is exclusive: a recording that ends at midnight does not touch the next day.
    const last = end > start ? dayIndexAt(boundaries, Math.min(end, rangeEnd) - 1) : first;
    for (let index = first; index <= Math.min(last, count - 1); index += 1) {
      const day = days[index]!;
      if (archived) day.archived += 1;
      else if (risky) day.atRisk += 1;
      else if (pending) day.pending += 1;
      else day.lost += 1;
    }
  }
  const knownSince = options.knownSinceMs ?? earliest;
  const counts = Object.fromEntries(DAY_STATES.map((state) => [state, 0])) as Record<DayState, number>;
  for (const day of days) {
    day.state = day.lost > 0 ? 'lost' : day.atRisk > 0 ? 'at-risk' : day.pending > 0 ? 'pending' : day.archived > 0 ? 'archived' : day.endMs <= knownSince ? 'before-known' : 'not-recorded';
    counts[day.state] += 1;
  }
  const { gaps, periodDays } = options.recorder === 'periodic' ? periodicGaps(days) : { gaps: [], periodDays: undefined };
  return { days, counts, gaps, periodDays };
}

/**
 * Missed periods between the days a periodic camera delivered: the cadence is the median distance
 * between recorded days, and a distance longer than half a period more than it is a gap (daily: one
 * missing day; weekly: more than four days late).
 */
function periodicGaps(days: DayCoverage[]): { gaps: DayGap[]; periodDays: number | undefined } {
  const recorded: number[] = [];
  days.forEach((day, index) => {
    if (day.archived + day.pending + day.atRisk + day.lost > 0) recorded.push(index);
  });
  if (recorded.length < 2) return { gaps: [], periodDays: undefined };
  const distances = recorded.slice(1).map((index, at) => index - recorded[at]!);
  const periodDays = median(distances);
  const allowed = periodDays <= 1 ? 1 : Math.ceil(periodDays * 1.5);
  const gaps: DayGap[] = [];
  for (let at = 1; at < recorded.length; at += 1) {
    const previous = recorded[at - 1]!;
    const next = recorded[at]!;
    if (next - previous <= allowed) continue;
    for (let index = previous + 1; index < next; index += 1) days[index]!.gap = true;
    gaps.push({ firstDay: days[previous + 1]!.day, lastDay: days[next - 1]!.day, days: next - previous - 1 });
  }
  return { gaps, periodDays };
}
