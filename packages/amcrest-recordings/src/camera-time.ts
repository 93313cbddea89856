import {
  assertKnownTimeZone,
  formatWallClock as formatWallMs,
  instantToWallMs,
  wallClockInstants,
  wallMsToInstant,
  zoneOffsetMinutes as zoneOffsetAt,
} from '@camdl/internal';
import { AmcrestError } from './errors.js';

/**
 * How camera wall-clock times (what the camera's overlay shows, what its API speaks) relate to
 * instants: either an IANA zone (DST-aware) or a fixed offset (measured from the camera's clock, blind
 * to DST changes inside the searched range).
 */
export type CameraTimeModel =
  | { kind: 'zone'; timeZone: string }
  | {
      kind: 'offset';
      /** Camera wall clock minus UTC, in minutes (e.g. -300 for EST). */
      offsetMinutes: number;
      /** `measured`: from `getCurrentTime` against the local clock, rounded to 15 min. */
      source: 'measured' | 'given';
      /** Camera clock error after rounding the offset, in seconds (positive: camera ahead). */
      skewSeconds?: number;
    };

/** A parsed `--start`/`--end`: camera wall-clock time, or an instant (it had `Z` or an offset). */
export type TimeInput = { kind: 'wall-clock'; wallClock: string } | { kind: 'instant'; instant: Date };

/** Camera times, zero-padded or not (`2011-7-3 21:02:32` in the Dahua API document's own examples). */
const WALL_CLOCK = /^(\d{4})-(\d{1,2})-(\d{1,2}) (\d{1,2}):(\d{1,2}):(\d{1,2})$/;
const ISO_INPUT =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2})(?::(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

function pad(value: number, width = 2): string {
  return String(value).padStart(width, '0');
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function invalidTime(text: string, why: string): AmcrestError {
  return new AmcrestError(`invalid time ${JSON.stringify(text)}: ${why}`, { code: 'ERR_AMCREST_INVALID_TIME' });
}

const RELATIVE = /^(\d+(?:\.\d+)?)\s*(m|min|h|d|w)$/i;
const RELATIVE_UNIT_MS = { m: 60_000, min: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;

/**
 * Parses ISO 8601 (`2026-01-16T20:00:00`, `…-08:00`, `…Z`, a space instead of `T`, minutes and seconds
 * optional as in Python's `datetime.fromisoformat` that the seed tool used, a bare date = midnight). Without an offset the result is camera wall-clock time; fractions of a
 * second are dropped (`round: 'floor'`) or rounded up (`'ceil'`, for an end) since cameras answer 400
 * to fractions. Also the relative forms of `timelapse2-dl --since`: `90m`, `24h`, `7d`, `2w` ago and
 * `now` (instants), `today` / `yesterday` (midnight of this computer's date, as camera wall-clock time).
 * An impossible date (`2026-02-30`) is refused, never rolled over.
 */
export function parseTimeInput(text: string, round: 'floor' | 'ceil' = 'floor', now: number = Date.now()): TimeInput {
  const trimmed = text.trim();
  const relative = RELATIVE.exec(trimmed);
  if (relative) {
    const ms = Number(relative[1]) * RELATIVE_UNIT_MS[relative[2]!.toLowerCase() as keyof typeof RELATIVE_UNIT_MS];
    return { kind: 'instant', instant: new Date(Math.floor((now - ms) / 1000) * 1000) };
  }
  const word = trimmed.toLowerCase();
  if (word === 'now') return { kind: 'instant', instant: new Date(Math.floor(now / 1000) * 1000) };
  if (word === 'today' || word === 'yesterday') {
    const local = new Date(now);
    const midnight = Date.UTC(local.getFullYear(), local.getMonth(), local.getDate() - (word === 'yesterday' ? 1 : 0));
    return { kind: 'wall-clock', wallClock: formatWallClock(midnight) };
  }
  const match = ISO_INPUT.exec(trimmed);
  if (!match) throw invalidTime(text, 'expected ISO 8601 like 2026-01-16T20:00:00 or 2026-01-16T20:00:00-08:00, or 24h, 7d, today, yesterday');
  const [, y, mo, d, h = '00', mi = '00', s = '00', fraction, zone] = match;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (month < 1 || month > 12) throw invalidTime(text, 'month out of range');
  if (day < 1 || day > daysInMonth(year, month)) throw invalidTime(text, 'day out of range');
  if (hour > 23 || minute > 59 || second > 59) throw invalidTime(text, 'time of day out of range');
  const hasFraction = fraction !== undefined && /[1-9]/.test(fraction);
  let ms = Date.UTC(year, month - 1, day, hour, minute, second) + (round === 'ceil' && hasFraction ? 1000 : 0);
  if (year < 100) ms = new Date(ms).setUTCFullYear(year);
  if (zone === undefined) return { kind: 'wall-clock', wallClock: formatWallClock(ms) };
  let offsetMinutes = 0;
  if (zone.toUpperCase() !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const oh = Number(digits.slice(0, 2));
    const om = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
    if (oh > 23 || om > 59) throw invalidTime(text, 'offset out of range');
    offsetMinutes = sign * (oh * 60 + om);
  }
  return { kind: 'instant', instant: new Date(ms - offsetMinutes * 60_000) };
}

/** Milliseconds of a wall-clock value read as if it were UTC (for arithmetic on wall clocks). */
export function wallClockToMs(wallClock: string): number {
  const match = WALL_CLOCK.exec(wallClock.trim());
  if (!match) throw new AmcrestError(`not a camera time (YYYY-MM-DD HH:MM:SS): ${JSON.stringify(wallClock)}`, { code: 'ERR_AMCREST_BAD_RESPONSE' });
  const [, y, mo, d, h, mi, s] = match.map(Number) as [number, number, number, number, number, number, number];
  return Date.UTC(y, mo - 1, d, h, mi, s);
}

/** Whether a string is a camera time `YYYY-MM-DD HH:MM:SS`. */
export function isWallClock(text: string): boolean {
  return normalizeWallClock(text) !== undefined;
}

/**
 * A camera time as `YYYY-MM-DD HH:MM:SS`, zero-padded (cameras may send `2011-7-3 21:02:32`);
 * undefined when it is not a valid date and time.
 */
export function normalizeWallClock(text: string): string | undefined {
  const match = WALL_CLOCK.exec(text.trim());
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s] = match.map(Number) as [number, number, number, number, number, number, number];
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h > 23 || mi > 59 || s > 59) return undefined;
  return `${pad(y, 4)}-${pad(mo)}-${pad(d)} ${pad(h)}:${pad(mi)}:${pad(s)}`;
}

/** `YYYY-MM-DD HH:MM:SS` from wall-clock milliseconds (see {@link wallClockToMs}); fractions dropped. */
export function formatWallClock(ms: number): string {
  return formatWallMs(ms);
}

/**
 * Throws `ERR_AMCREST_INVALID_TIME` when `end` is not after `start` and both are of one kind (two
 * wall-clock times, or two instants). A wall-clock time against an instant can only be compared with
 * the camera's time model: `findRecordings` checks that case once it has one.
 */
export function assertTimeOrder(start: TimeInput, end: TimeInput): void {
  const backwards =
    (start.kind === 'instant' && end.kind === 'instant' && end.instant.getTime() <= start.instant.getTime()) ||
    (start.kind === 'wall-clock' && end.kind === 'wall-clock' && end.wallClock <= start.wallClock);
  if (backwards) throw new AmcrestError('end must be after start', { code: 'ERR_AMCREST_INVALID_TIME' });
}

/** Throws `ERR_AMCREST_INVALID_TIME` unless `timeZone` is an IANA zone this Node knows. */
export function assertTimeZone(timeZone: string): void {
  try {
    assertKnownTimeZone(timeZone);
  } catch (error) {
    throw new AmcrestError(`unknown time zone ${JSON.stringify(timeZone)} (expected an IANA name like America/New_York)`, {
      code: 'ERR_AMCREST_INVALID_TIME',
      cause: error,
    });
  }
}

/** Wall-clock milliseconds of `instantMs` in `timeZone` (whole seconds). */
function wallMsInZone(instantMs: number, timeZone: string): number {
  assertTimeZone(timeZone);
  return instantToWallMs(instantMs, timeZone);
}

/** UTC offset of `timeZone` at an instant, in minutes. */
export function zoneOffsetMinutes(instant: Date, timeZone: string): number {
  assertTimeZone(timeZone);
  return zoneOffsetAt(instant.getTime(), timeZone);
}

/** The camera wall-clock time (`YYYY-MM-DD HH:MM:SS`) of an instant. */
export function instantToCameraTime(instant: Date, model: CameraTimeModel): string {
  if (model.kind === 'offset') return formatWallClock(instant.getTime() + model.offsetMinutes * 60_000);
  return formatWallClock(wallMsInZone(instant.getTime(), model.timeZone));
}

/**
 * Every instant a camera wall-clock time can mean: one normally, two in the repeated autumn hour
 * (earlier first), none in the skipped spring hour.
 */
export function cameraTimeCandidates(wallClock: string, model: CameraTimeModel): Date[] {
  const wallMs = wallClockToMs(wallClock);
  if (model.kind === 'offset') return [new Date(wallMs - model.offsetMinutes * 60_000)];
  assertTimeZone(model.timeZone);
  return wallClockInstants(wallMs, model.timeZone).map((ms) => new Date(ms));
}

/**
 * One instant for a camera wall-clock time. Ambiguous (repeated hour): `prefer` picks the earlier or
 * later occurrence. Nonexistent (skipped hour): read with the offset in force before the jump, i.e.
 * moved forward by the gap (`02:30` → `03:30` on a 1 h spring-forward day), like Temporal's
 * `disambiguation: 'compatible'`.
 */
export function cameraTimeToInstant(wallClock: string, model: CameraTimeModel, prefer: 'earlier' | 'later' = 'earlier'): Date {
  const candidates = cameraTimeCandidates(wallClock, model);
  if (prefer === 'later' && candidates.length > 0) return candidates[candidates.length - 1] as Date;
  if (model.kind === 'offset') return candidates[0] as Date;
  return new Date(wallMsToInstant(wallClockToMs(wallClock), model.timeZone));
}

/**
 * The camera search window covering the instants [start, end]: the smallest and largest wall-clock
 * time shown during that span. Across an autumn fall-back the wall clock runs backwards, so the window
 * reaches to the last second before the jump (01:59:59) even when `end` reads 01:30 again.
 */
export function cameraWindowForInstants(start: Date, end: Date, model: CameraTimeModel): { start: string; end: string } {
  const startMs = Math.floor(start.getTime() / 1000) * 1000;
  const endMs = Math.ceil(end.getTime() / 1000) * 1000;
  if (model.kind === 'offset') {
    return { start: instantToCameraTime(new Date(startMs), model), end: instantToCameraTime(new Date(endMs), model) };
  }
  const zone = model.timeZone;
  const walls = [wallMsInZone(startMs, zone), wallMsInZone(endMs, zone)];
  const offsetAt = (ms: number): number => wallMsInZone(ms, zone) - ms;
  const step = 3_600_000;
  let previous = startMs;
  let previousOffset = offsetAt(previous);
  while (previous < endMs) {
    const t = Math.min(previous + step, endMs);
    const offset = offsetAt(t);
    if (offset !== previousOffset) {
      // Bisect to the first second with the new offset; the second before shows the extreme wall time.
      let lo = previous;
      let hi = t;
      while (hi - lo > 1000) {
        const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
        if (offsetAt(mid) === previousOffset) lo = mid;
        else hi = mid;
      }
      walls.push(wallMsInZone(lo, zone), wallMsInZone(hi, zone));
    }
    previous = t;
    previousOffset = offset;
  }
  return { start: formatWallClock(Math.min(...walls)), end: formatWallClock(Math.max(...walls)) };
}

/**
 * The camera's offset from its clock: camera wall-clock time minus the local clock's UTC at the middle
 * of the request, rounded to 15 minutes (what time zones use); the remainder is the camera's clock error.
 */
export function offsetFromCameraClock(cameraTime: string, localMidpoint: Date): Extract<CameraTimeModel, { kind: 'offset' }> {
  const diffMs = wallClockToMs(cameraTime) - localMidpoint.getTime();
  const offsetMinutes = Math.round(diffMs / 60_000 / 15) * 15;
  const skewSeconds = Math.round((diffMs - offsetMinutes * 60_000) / 1000);
  return { kind: 'offset', offsetMinutes: offsetMinutes === 0 ? 0 : offsetMinutes, source: 'measured', skewSeconds };
}

/** `UTC-05:00` */
export function formatOffset(offsetMinutes: number): string {
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return `UTC${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** How a time model reads in messages: `America/New_York` or `UTC-05:00 (measured from the camera clock)`. */
export function describeTimeModel(model: CameraTimeModel): string {
  if (model.kind === 'zone') return model.timeZone;
  return `${formatOffset(model.offsetMinutes)}${model.source === 'measured' ? ' (measured from the camera clock)' : ''}`;
}
