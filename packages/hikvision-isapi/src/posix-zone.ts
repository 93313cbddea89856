/**
 * The time zone a Hikvision device states in `/ISAPI/System/time` `<timeZone>`: POSIX-like with the
 * sign inverted (`CST+8:00:00` is UTC−8) and, where daylight saving applies, Hikvision's own DST part:
 * `CST+5:00:00DST01:00:00,M3.2.0/02:00:00,M11.1.0/02:00:00` — `DST01:00:00` is the shift (one hour
 * ahead), not a second UTC offset as in POSIX `TZ`; the rules are POSIX's `Mm.w.d/time` (week 5 is the
 * last), the start in standard time, the end in daylight time.
 */
export interface PosixZone {
  /** Minutes east of UTC outside daylight saving. */
  standardMinutes: number;
  /** Daylight saving, when the zone has it. */
  dst?: { shiftMinutes: number; start: PosixRule; end: PosixRule } | undefined;
}

/** `Mm.w.d/time`: month 1–12, week 1–5 (5: the last), weekday 0–6 (Sunday 0), local seconds of the day. */
export interface PosixRule {
  month: number;
  week: number;
  weekday: number;
  seconds: number;
}

const CLOCK = String.raw`(\d{1,2})(?::(\d{2}))?(?::(\d{2}))?`;
const RULE = String.raw`M(\d{1,2})\.([1-5])\.([0-6])(?:/${CLOCK})?`;
const ZONE = new RegExp(String.raw`^[A-Za-z]{1,10}([+-]?)${CLOCK}(?:[A-Za-z]{1,10}(?:([+-]?)${CLOCK})?,${RULE},${RULE})?$`);

function seconds(hours: string | undefined, minutes: string | undefined, secs: string | undefined): number | undefined {
  const value = Number(hours ?? 0) * 3600 + Number(minutes ?? 0) * 60 + Number(secs ?? 0);
  return Number(minutes ?? 0) < 60 && Number(secs ?? 0) < 60 ? value : undefined;
}

function rule(parts: Array<string | undefined>): PosixRule | undefined {
  const [month, week, weekday, hours, minutes, secs] = parts;
  const at = hours === undefined ? 7200 : seconds(hours, minutes, secs);
  const m = Number(month);
  if (at === undefined || at > 26 * 3600 || m < 1 || m > 12) return undefined;
  return { month: m, week: Number(week), weekday: Number(weekday), seconds: at };
}

/** Reads a `<timeZone>` text; undefined when it is not one. */
export function parsePosixZone(text: string): PosixZone | undefined {
  const match = ZONE.exec(text.trim());
  if (!match) return undefined;
  const standard = seconds(match[2], match[3], match[4]);
  if (standard === undefined || standard > 15 * 3600) return undefined;
  // Inverted sign: `CST-8` is east of UTC.
  const standardMinutes = (match[1] === '-' ? 1 : -1) * Math.round(standard / 60);
  if (match[9] === undefined) return { standardMinutes };
  const value = match[6] === undefined ? 3600 : seconds(match[6], match[7], match[8]);
  if (value === undefined) return undefined;
  // Hikvision writes the shift (`DST01:00:00`); a signed value, or one too large for a shift, is POSIX's
  // own daylight offset from UTC (sign inverted, `PST8PDT7`).
  const posixOffset = match[6] !== undefined && (match[5] !== '' || value > 2 * 3600);
  const shift = posixOffset ? (match[5] === '-' ? 1 : -1) * Math.round(value / 60) * 60 - standardMinutes * 60 : value;
  const start = rule(match.slice(9, 15));
  const end = rule(match.slice(15, 21));
  if (shift <= 0 || shift > 2 * 3600 || start === undefined || end === undefined) return undefined;
  return { standardMinutes, dst: { shiftMinutes: Math.round(shift / 60), start, end } };
}

/** The rule's day in `year`, as ms since the epoch of its local midnight (wall clock read as UTC). */
function ruleDay(year: number, { month, week, weekday }: PosixRule): number {
  const first = Date.UTC(year, month - 1, 1);
  const firstMatch = 1 + ((weekday - new Date(first).getUTCDay() + 7) % 7);
  let day = firstMatch + (week - 1) * 7;
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  while (day > daysInMonth) day -= 7;
  return Date.UTC(year, month - 1, day);
}

/** Minutes east of UTC that the zone keeps at the instant `ms`. */
export function posixZoneOffsetAt(zone: PosixZone, ms: number): number {
  const { dst } = zone;
  if (dst === undefined) return zone.standardMinutes;
  const year = new Date(ms + zone.standardMinutes * 60_000).getUTCFullYear();
  const start = ruleDay(year, dst.start) + dst.start.seconds * 1000 - zone.standardMinutes * 60_000;
  const end = ruleDay(year, dst.end) + dst.end.seconds * 1000 - (zone.standardMinutes + dst.shiftMinutes) * 60_000;
  // South of the equator daylight saving spans the new year: the end comes before the start.
  const inDst = start < end ? ms >= start && ms < end : ms >= start || ms < end;
  return zone.standardMinutes + (inDst ? dst.shiftMinutes : 0);
}

/**
 * The instant of a wall-clock time (given as its fields read as UTC, in ms): the earlier of two in
 * the repeated autumn hour; a time in the skipped spring hour is read with the standard offset.
 */
export function posixZoneInstantOf(zone: PosixZone, wallAsUtc: number): number {
  const offsets = zone.dst === undefined ? [zone.standardMinutes] : [zone.standardMinutes + zone.dst.shiftMinutes, zone.standardMinutes];
  for (const offset of offsets) {
    const instant = wallAsUtc - offset * 60_000;
    if (posixZoneOffsetAt(zone, instant) === offset) return instant;
  }
  return wallAsUtc - zone.standardMinutes * 60_000;
}
