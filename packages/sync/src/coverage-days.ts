import { instantToWallClock, parseWallClock } from '@camdl/internal';
import type { LedgerRecording, RecordingState } from './ledger.js';

/**
 * What a camera day holds, worst first: a day with one lost recording is `lost` however much else it
 * holds. `missing` is a day a Timelapse camera's cadence expected an archive for and none was ever
 * listed; `not-recorded` is the camera's own doing (nothing was recorded, nothing is owed).
 */
export type DayState = 'lost' | 'missing' | 'at-risk' | 'pending' | 'archived' | 'not-recorded' | 'before-known';

/** Every day state, worst first (the order a camera's channels are combined in). */
export const DAY_STATES: readonly DayState[] = ['lost', 'missing', 'at-risk', 'pending', 'archived', 'not-recorded', 'before-known'];

/** How often a Timelapse camera delivers an archive, inferred from the days of its archives. */
export interface Cadence {
  unit: 'day' | 'month';
  /** Days (or months) between two archives: 1 daily, 7 weekly. */
  every: number;
}

/** The recordings of one day of one channel, by what camdl holds of them. */
export interface DayCounts {
  archived: number;
  pending: number;
  /** Pending recordings the camera may overwrite before they are fetched (part of `pending`). */
  atRisk: number;
  lost: number;
}

/**
 * A stretch of a channel camdl does not hold and should: recordings the camera listed and camdl has
 * not archived (`pending`) or never will (`lost`), or (Timelapse only) archives the cadence expected
 * and the camera never listed (`missing`). The hours between Timelapse archives and the time a
 * continuous recorder did not record are no gap.
 */
export interface ArchiveGap {
  reason: 'lost' | 'pending' | 'missing';
  /** First and last camera day (`YYYY-MM-DD`) of the stretch. */
  firstDay: string;
  lastDay: string;
  /** Listed recordings in the stretch (0 for `missing`). */
  recordings: number;
  /** Archives the cadence expected in a `missing` stretch (0 otherwise). */
  expected: number;
  /** Start of the first and end of the last listed recording (absent for `missing`). */
  startMs?: number;
  endMs?: number;
}

/** The day view of one camera channel. */
export interface ChannelDays {
  /** Timelapse only, once two archive days are known. */
  cadence: Cadence | undefined;
  /** Per camera day with at least one recording. */
  counts: ReadonlyMap<string, DayCounts>;
  /** Days a Timelapse cadence expected an archive for and none was listed. */
  missingDays: ReadonlySet<string>;
  /** First camera day with a recording. */
  firstDay: string | undefined;
  gaps: ArchiveGap[];
}

export interface ChannelDaysInput {
  recordings: Iterable<Pick<LedgerRecording, 'startMs' | 'endMs' | 'cameraStart' | 'state'>>;
  /** Timelapse archives are judged by their cadence; every other kind records continuously (or on events). */
  timelapse: boolean;
  /** The camera's IANA zone, for a recording whose camera time is not a valid wall clock. */
  timeZone: string;
  /** Pending recordings that start before this instant are at risk of being overwritten. @default none */
  atRiskBeforeMs?: number | undefined;
}

const DAY_MS = 86_400_000;

/** Days since 1970-01-01 of a `YYYY-MM-DD`, or undefined when it is no real date. */
export function dayNumber(day: string): number | undefined {
  const wall = parseWallClock(`${day} 00:00:00`);
  return wall === undefined ? undefined : Math.floor(wall / DAY_MS);
}

/** The `YYYY-MM-DD` of a day number. */
export function dayText(number: number): string {
  return new Date(number * DAY_MS).toISOString().slice(0, 10);
}

/** The camera day an instant falls on in a zone, or undefined for an instant no date can hold. */
export function cameraDay(instantMs: number, timeZone: string): string | undefined {
  if (!Number.isFinite(instantMs) || Number.isNaN(new Date(instantMs).getTime())) return undefined;
  try {
    return instantToWallClock(instantMs, timeZone).slice(0, 10);
  } catch {
    return undefined;
  }
}

/** The camera day of a recording: its camera time, or its start in the zone when that is not a wall clock. */
function recordingDay(recording: Pick<LedgerRecording, 'startMs' | 'cameraStart'>, timeZone: string): number | undefined {
  const day = parseWallClock(recording.cameraStart) !== undefined ? recording.cameraStart.slice(0, 10) : cameraDay(recording.startMs, timeZone);
  return day === undefined ? undefined : dayNumber(day);
}

function isHeld(state: RecordingState): boolean {
  return state === 'verified' || state === 'deleted-on-camera';
}

function monthOf(day: number): number {
  const date = new Date(day * DAY_MS);
  return date.getUTCFullYear() * 12 + date.getUTCMonth();
}

function firstDayOfMonth(month: number): number {
  return Math.floor(Date.UTC(Math.floor(month / 12), month % 12, 1) / DAY_MS);
}

/** The typical step between archive days: the median, so one missed day does not change it. */
export function inferCadence(days: readonly number[]): Cadence | undefined {
  const sorted = [...new Set(days)].sort((a, b) => a - b);
  if (sorted.length < 2) return undefined;
  const steps = sorted.slice(1).map((day, index) => day - sorted[index]!).sort((a, b) => a - b);
  const median = steps[Math.floor((steps.length - 1) / 2)]!;
  return median >= 28 ? { unit: 'month', every: Math.max(1, Math.round(median / 30.44)) } : { unit: 'day', every: median };
}

type Slot = { kind: 'held' } | { kind: 'gap'; gap: ArchiveGap };

/** The state of each day of one channel, and its gaps, from its ledger rows (any order). */
export function channelDays(input: ChannelDaysInput): ChannelDays {
  const counts = new Map<number, DayCounts>();
  const ordered: Array<{ day: number; startMs: number; endMs: number; state: RecordingState; atRisk: boolean }> = [];
  for (const recording of input.recordings) {
    const day = recordingDay(recording, input.timeZone);
    if (day === undefined) continue;
    const atRisk = !isHeld(recording.state) && recording.state !== 'lost' && input.atRiskBeforeMs !== undefined && recording.startMs < input.atRiskBeforeMs;
    let entry = counts.get(day);
    if (!entry) counts.set(day, (entry = { archived: 0, pending: 0, atRisk: 0, lost: 0 }));
    if (isHeld(recording.state)) entry.archived += 1;
    else if (recording.state === 'lost') entry.lost += 1;
    else entry.pending += 1;
    if (atRisk) entry.atRisk += 1;
    ordered.push({ day, startMs: recording.startMs, endMs: recording.endMs, state: recording.state, atRisk });
  }
  const days = [...counts.keys()].sort((a, b) => a - b);
  const cadence = input.timelapse ? inferCadence(days) : undefined;
  const missingDays = new Set<number>();
  const slots: Slot[] = [];
  if (input.timelapse) {
    // One slot per period (day, or month) with rows, and the expected periods in between without any.
    const periodOf = (day: number): number => (cadence?.unit === 'month' ? monthOf(day) : day);
    const periods = new Map<number, DayCounts & { first: number; last: number; startMs: number; endMs: number }>();
    for (const row of ordered) {
      const period = periodOf(row.day);
      let entry = periods.get(period);
      if (!entry) periods.set(period, (entry = { archived: 0, pending: 0, atRisk: 0, lost: 0, first: row.day, last: row.day, startMs: row.startMs, endMs: row.endMs }));
      if (isHeld(row.state)) entry.archived += 1;
      else if (row.state === 'lost') entry.lost += 1;
      else entry.pending += 1;
      entry.first = Math.min(entry.first, row.day);
      entry.last = Math.max(entry.last, row.day);
      entry.startMs = Math.min(entry.startMs, row.startMs);
      entry.endMs = Math.max(entry.endMs, row.endMs);
    }
    const keys = [...periods.keys()].sort((a, b) => a - b);
    keys.forEach((period, index) => {
      const previous = keys[index - 1];
      const every = cadence?.every ?? 1;
      if (cadence && previous !== undefined && period - previous > every * 1.5) {
        const expected = Math.round((period - previous) / every) - 1;
        const step = (period - previous) / (expected + 1);
        for (let k = 1; k <= expected; k += 1) {
          const slot = Math.round(previous + k * step);
          missingDays.add(cadence.unit === 'month' ? firstDayOfMonth(slot) : slot);
        }
        const firstDay = cadence.unit === 'month' ? firstDayOfMonth(previous + 1) : previous + 1;
        const lastDay = cadence.unit === 'month' ? firstDayOfMonth(period) - 1 : period - 1;
        slots.push({ kind: 'gap', gap: { reason: 'missing', firstDay: dayText(firstDay), lastDay: dayText(lastDay), recordings: 0, expected } });
      }
      const entry = periods.get(period)!;
      if (entry.archived > 0) slots.push({ kind: 'held' });
      else
        slots.push({
          kind: 'gap',
          gap: { reason: entry.lost > 0 ? 'lost' : 'pending', firstDay: dayText(entry.first), lastDay: dayText(entry.last), recordings: entry.lost + entry.pending, expected: 0, startMs: entry.startMs, endMs: entry.endMs },
        });
    });
  } else {
    ordered.sort((a, b) => a.startMs - b.startMs);
    for (const row of ordered) {
      if (isHeld(row.state)) slots.push({ kind: 'held' });
      else {
        const reason = row.state === 'lost' ? 'lost' : 'pending';
        slots.push({ kind: 'gap', gap: { reason, firstDay: dayText(row.day), lastDay: dayText(row.day), recordings: 1, expected: 0, startMs: row.startMs, endMs: row.endMs } });
      }
    }
  }
  return {
    cadence,
    counts: new Map([...days].map((day) => [dayText(day), counts.get(day)!])),
    missingDays: new Set([...missingDays].sort((a, b) => a - b).map(dayText)),
    firstDay: days[0] === undefined ? undefined : dayText(days[0]),
    gaps: mergeGaps(slots),
  };
}

/** Neighbouring gaps of one reason with nothing held between them are one gap. */
function mergeGaps(slots: readonly Slot[]): ArchiveGap[] {
  const gaps: ArchiveGap[] = [];
  let open: ArchiveGap | undefined;
  for (const slot of slots) {
    if (slot.kind === 'held') {
      open = undefined;
      continue;
    }
    const gap = slot.gap;
    if (open && open.reason === gap.reason) {
      open.lastDay = gap.lastDay > open.lastDay ? gap.lastDay : open.lastDay;
      open.recordings += gap.recordings;
      open.expected += gap.expected;
      if (gap.startMs !== undefined) open.startMs = Math.min(open.startMs ?? gap.startMs, gap.startMs);
      if (gap.endMs !== undefined) open.endMs = Math.max(open.endMs ?? gap.endMs, gap.endMs);
      continue;
    }
    open = { ...gap };
    gaps.push(open);
  }
  return gaps;
}

/** The state of one day of a channel; `knownFrom` is the first camera day camdl knew the camera. */
export function dayState(channel: ChannelDays, day: string, knownFrom: string | undefined): DayState {
  const counts = channel.counts.get(day);
  if (counts) {
    if (counts.lost > 0) return 'lost';
    if (counts.atRisk > 0) return 'at-risk';
    if (counts.pending > 0) return 'pending';
    return 'archived';
  }
  if (channel.missingDays.has(day)) return 'missing';
  if (knownFrom === undefined || day < knownFrom) return 'before-known';
  return 'not-recorded';
}

/** The worst of some day states (a camera day from its channels' days). */
export function worstDayState(states: Iterable<DayState>): DayState {
  let worst = DAY_STATES.length - 1;
  for (const state of states) worst = Math.min(worst, DAY_STATES.indexOf(state));
  return DAY_STATES[worst]!;
}

/** The `count` camera days ending with `lastDay`, oldest first. */
export function dayRange(lastDay: string, count: number): string[] {
  const last = dayNumber(lastDay);
  if (last === undefined) return [];
  return Array.from({ length: count }, (_, index) => dayText(last - count + 1 + index));
}
