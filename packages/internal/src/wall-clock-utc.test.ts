import { describe, expect, it } from 'vitest';
import { assertKnownTimeZone, instantToWallClock, wallClockToInstant } from './wall-clock.js';

/** Runs `body` with `Intl.DateTimeFormat` refusing to be constructed (the ICU load this module avoids for UTC). */
function withoutIntlFormatter<T>(body: () => T): T {
  const original = Intl.DateTimeFormat;
  Intl.DateTimeFormat = function refuse(): never {
    throw new Error('Intl.DateTimeFormat used');
  } as unknown as typeof Intl.DateTimeFormat;
  try {
    return body();
  } finally {
    Intl.DateTimeFormat = original;
  }
}

describe('UTC and its aliases, without Intl', () => {
  // Instants around the epoch, a leap day, year 50 (kept as such) and before the epoch: the fast path
  // must read every one as Intl does.
  const instants = [0, -1, -86_400_500, Date.UTC(2028, 1, 29, 23, 59, 59, 999), new Date('0050-06-01T12:00:00Z').getTime(), Date.UTC(2026, 2, 29, 1, 30)];
  const zones = ['Etc/Zulu', 'UTC', 'utc', 'Etc/UTC', 'GMT', 'Etc/GMT-0', 'Universal'];

  it('converts and validates every alias without constructing a formatter, as Intl would', () => {
    // What the formatter shows for UTC, read before it is taken away.
    const viaIntl = instants.map((ms) => {
      const parts = new Intl.DateTimeFormat('en-US', { timeZone: 'UTC', hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' }).formatToParts(ms);
      const get = (type: string): string => parts.find((part) => part.type === type)?.value ?? '';
      return `${get('year').padStart(4, '0')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')}:${get('second')}`;
    });
    withoutIntlFormatter(() => {
      for (const zone of zones) {
        assertKnownTimeZone(zone);
        for (const [index, ms] of instants.entries()) {
          const shown = instantToWallClock(ms, zone);
          expect(shown, `${zone} ${ms}`).toBe(viaIntl[index]);
          expect(wallClockToInstant(shown, zone)).toBe(Math.floor(ms / 1000) * 1000);
        }
      }
      expect(() => instantToWallClock(0, 'Europe/Berlin')).toThrow('Intl.DateTimeFormat used');
    });
  });
});
