/** Wall-clock `YYYY-MM-DD HH:MM:SS` in a camera's IANA time zone, the format Dahua firmware uses. */
export type WallClock = string;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let value = formatters.get(timeZone);
  if (!value) {
    value = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, value);
  }
  return value;
}

/** Throws a RangeError for an unknown IANA zone. */
export function assertTimeZone(timeZone: string): void {
  formatter(timeZone);
}

/** The camera-local wall clock of an instant (ms since the epoch). */
export function toWallClock(instantMs: number, timeZone: string): WallClock {
  const parts: Record<string, string> = {};
  for (const part of formatter(timeZone).formatToParts(new Date(instantMs))) parts[part.type] = part.value;
  return `${parts['year']}-${parts['month']}-${parts['day']} ${parts['hour']}:${parts['minute']}:${parts['second']}`;
}

const WALL_CLOCK = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;

/** Whether text is exactly `YYYY-MM-DD HH:MM:SS` (no `T`, no fractions, no offset). */
export function isWallClock(text: string): boolean {
  return WALL_CLOCK.test(text);
}

/** The wall clock read as if it were UTC, in ms: a monotonic key for comparing wall clocks. */
export function wallClockAsUtc(wall: WallClock): number {
  const match = WALL_CLOCK.exec(wall);
  if (!match) throw new RangeError(`not a wall-clock time: ${wall}`);
  const [, y, mo, d, h, mi, s] = match.map(Number) as [number, number, number, number, number, number, number];
  return Date.UTC(y, mo - 1, d, h, mi, s);
}

/**
 * Every instant that shows this wall clock in the zone, earliest first: none in the spring gap,
 * two in the repeated autumn hour, one otherwise.
 */
export function fromWallClock(wall: WallClock, timeZone: string): number[] {
  const asUtc = wallClockAsUtc(wall);
  const results = new Set<number>();
  for (const probe of [asUtc - 86_400_000, asUtc, asUtc + 86_400_000]) {
    const offset = wallClockAsUtc(toWallClock(probe, timeZone)) - probe;
    const candidate = asUtc - offset;
    if (toWallClock(candidate, timeZone) === wall) results.add(candidate);
  }
  return [...results].sort((a, b) => a - b);
}
