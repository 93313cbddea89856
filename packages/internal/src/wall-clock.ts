/**
 * Wall-clock time ↔ instant in an IANA time zone, DST-correct, in one place.
 *
 * A wall-clock time is handled as "wall milliseconds": the wall clock's fields read as if they were
 * UTC (`Date.UTC(y, m, d, h, mi, s)`), which makes wall clocks sortable and subtractable.
 *
 * Converting a wall clock to an instant takes two passes: the zone's offset is looked up at every
 * offset the zone has near that day, and a candidate is kept only when it really shows that wall clock.
 * A single pass (subtract the offset in force at the wall clock read as UTC) is wrong by the DST gap for
 * a time in the repeated or the skipped hour. The rule for the two cases (Temporal's
 * `disambiguation: 'compatible'`, and what `new Date(y, m, d, h)` does in the local zone):
 * - **repeated hour** (autumn, the clock goes back): the **earlier** instant (the first occurrence);
 * - **skipped hour** (spring, the clock jumps forward): read with the offset in force **before** the
 *   jump, i.e. shifted forward by the gap (`02:30` → `03:30` on a day that skips 02:00–03:00; on a
 *   30-minute DST zone such as Australia/Lord_Howe, `02:15` → `02:45`).
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

/**
 * The names of UTC itself (IANA's aliases, matched without regard to case as `Intl` does). They are
 * converted without `Intl`: the first `Intl.DateTimeFormat` of a process touches about 8 MiB of ICU's
 * code and data, which a fleet of cameras on UTC never needs.
 */
const UTC_ZONES = new Set(['utc', 'etc/utc', 'uct', 'etc/uct', 'gmt', 'etc/gmt', 'gmt0', 'etc/gmt0', 'gmt+0', 'etc/gmt+0', 'gmt-0', 'etc/gmt-0', 'greenwich', 'etc/greenwich', 'universal', 'etc/universal', 'zulu', 'etc/zulu']);

function isUtcZone(timeZone: string): boolean {
  return UTC_ZONES.has(timeZone.toLowerCase());
}

/** The cached formatter of a zone; throws a `RangeError` for a zone this Node does not know. */
function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** Throws a `RangeError` unless `timeZone` is an IANA zone this Node knows. */
export function assertKnownTimeZone(timeZone: string): void {
  if (!isUtcZone(timeZone)) formatterFor(timeZone);
}

/** This computer's IANA zone (`UTC` when it has none). */
export function localTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

function pad(value: number, width = 2): string {
  return String(value).padStart(width, '0');
}

/** Wall milliseconds of the fields, years 0–99 kept as such (not moved to 1900–1999). */
export function wallMs(year: number, month: number, day: number, hour = 0, minute = 0, second = 0): number {
  const ms = Date.UTC(year, month - 1, day, hour, minute, second);
  return year >= 0 && year < 100 ? new Date(ms).setUTCFullYear(year) : ms;
}

/** `YYYY-MM-DD HH:MM:SS` of wall milliseconds; fractions of a second dropped. */
export function formatWallClock(ms: number): string {
  const date = new Date(Math.floor(ms / 1000) * 1000);
  return `${pad(date.getUTCFullYear(), 4)}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())} ${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}`;
}

const WALL_CLOCK = /^(\d{4})-(\d{1,2})-(\d{1,2}) (\d{1,2}):(\d{1,2}):(\d{1,2})$/;

/**
 * Wall milliseconds of `YYYY-MM-DD HH:MM:SS` (zero-padded or not), or undefined when
 * the text is not one or names an impossible date or time (never rolled over).
 */
export function parseWallClock(text: string): number | undefined {
  const match = WALL_CLOCK.exec(text.trim());
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s] = match.map(Number) as [number, number, number, number, number, number, number];
  const daysInMonth = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth || h > 23 || mi > 59 || s > 59) return undefined;
  return wallMs(y, mo, d, h, mi, s);
}

/** Wall milliseconds shown in `timeZone` at an instant (whole seconds). */
export function instantToWallMs(instantMs: number, timeZone: string): number {
  if (isUtcZone(timeZone)) return Math.floor(instantMs / 1000) * 1000;
  const parts = formatterFor(timeZone).formatToParts(new Date(instantMs));
  const get = (type: Intl.DateTimeFormatPartTypes): number => Number(parts.find((part) => part.type === type)?.value ?? 0);
  return wallMs(get('year'), get('month'), get('day'), get('hour') % 24, get('minute'), get('second'));
}

/** UTC offset of `timeZone` at an instant, in minutes (east of UTC positive). */
export function zoneOffsetMinutes(instantMs: number, timeZone: string): number {
  const seconds = Math.floor(instantMs / 1000) * 1000;
  return Math.round((instantToWallMs(seconds, timeZone) - seconds) / 60_000);
}

/** Hours either side of a wall clock where its zone's possible offsets are looked up. */
const PROBE_HOURS = [-36, -12, 0, 12, 36] as const;

/**
 * Every instant (ms) that shows this wall clock in the zone, earliest first: one normally, two in the
 * repeated hour, none in the skipped hour.
 */
export function wallClockInstants(wall: number, timeZone: string): number[] {
  const offsets = new Set(PROBE_HOURS.map((hours) => zoneOffsetMinutes(wall + hours * 3_600_000, timeZone)));
  const instants = new Set<number>();
  for (const offset of offsets) {
    const candidate = wall - offset * 60_000;
    if (instantToWallMs(candidate, timeZone) === Math.floor(wall / 1000) * 1000) instants.add(candidate);
  }
  return [...instants].sort((a, b) => a - b);
}

/**
 * One instant (ms) for wall milliseconds in a zone: the earlier one in the repeated hour, shifted
 * forward by the gap in the skipped hour (see the rule at the top of this module).
 */
export function wallMsToInstant(wall: number, timeZone: string): number {
  const [earliest] = wallClockInstants(wall, timeZone);
  if (earliest !== undefined) return earliest;
  return wall - zoneOffsetMinutes(wall - 36 * 3_600_000, timeZone) * 60_000;
}

/**
 * The instant (ms) of a wall-clock `YYYY-MM-DD HH:MM:SS` in a zone, by {@link wallMsToInstant}'s rule.
 * Throws a `RangeError` for text that is not a wall-clock time or an unknown zone.
 */
export function wallClockToInstant(wallClock: string, timeZone: string): number {
  const wall = parseWallClock(wallClock);
  if (wall === undefined) throw new RangeError(`not a wall-clock time (YYYY-MM-DD HH:MM:SS): ${JSON.stringify(wallClock)}`);
  return wallMsToInstant(wall, timeZone);
}

/** The wall-clock `YYYY-MM-DD HH:MM:SS` shown in a zone at an instant (ms). */
export function instantToWallClock(instantMs: number, timeZone: string): string {
  return formatWallClock(instantToWallMs(instantMs, timeZone));
}
