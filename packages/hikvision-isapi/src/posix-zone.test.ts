import { describe, expect, it } from 'vitest';
import { parsePosixZone, posixZoneInstantOf, posixZoneOffsetAt } from './posix-zone.js';
import { deviceTimeFrom, instantOfWallClock, wallClockAt } from './device-clock.js';

const at = (iso: string): number => Date.parse(iso);

describe('Hikvision <timeZone> with daylight-saving rules', () => {
  it('reads the standard offset (sign inverted), the shift and the Mm.w.d/time rules', () => {
    expect(parsePosixZone('CST-8:00:00')).toEqual({ standardMinutes: 480 });
    expect(parsePosixZone('CST+5:00:00DST01:00:00,M3.2.0/02:00:00,M11.1.0/02:00:00')).toEqual({
      standardMinutes: -300,
      dst: { shiftMinutes: 60, start: { month: 3, week: 2, weekday: 0, seconds: 7200 }, end: { month: 11, week: 1, weekday: 0, seconds: 7200 } },
    });
    // POSIX's own spelling: the daylight part is an offset from UTC, not a shift.
    expect(parsePosixZone('PST8PDT7,M3.2.0,M11.1.0')?.dst?.shiftMinutes).toBe(60);
    expect(parsePosixZone('CET-1CEST-2,M3.5.0,M10.5.0/3')?.dst).toMatchObject({ shiftMinutes: 60, end: { seconds: 10_800 } });
    for (const bad of ['', 'CST', 'CST+99:00:00', 'CST+5:00:00DST01:00:00,M13.2.0/02:00:00,M11.1.0', 'CST+5:00:00DST01:00:00,M3.2.0']) expect(parsePosixZone(bad), bad).toBeUndefined();
  });

  it('US Eastern (CST+5:00:00DST01:00:00,M3.2.0/02:00:00,M11.1.0/02:00:00): offsets around both changes of 2026', () => {
    const zone = parsePosixZone('CST+5:00:00DST01:00:00,M3.2.0/02:00:00,M11.1.0/02:00:00')!;
    expect(posixZoneOffsetAt(zone, at('2026-01-16T12:00:00Z'))).toBe(-300);
    // 8 March 2026, 02:00 EST = 07:00Z.
    expect(posixZoneOffsetAt(zone, at('2026-03-08T06:59:59Z'))).toBe(-300);
    expect(posixZoneOffsetAt(zone, at('2026-03-08T07:00:00Z'))).toBe(-240);
    // 1 November 2026, 02:00 EDT = 06:00Z.
    expect(posixZoneOffsetAt(zone, at('2026-11-01T05:59:59Z'))).toBe(-240);
    expect(posixZoneOffsetAt(zone, at('2026-11-01T06:00:00Z'))).toBe(-300);
    // The repeated 01:30: the first (daylight) one; the skipped 02:30 read with the standard offset.
    expect(posixZoneInstantOf(zone, at('2026-11-01T01:30:00Z'))).toBe(at('2026-11-01T05:30:00Z'));
    expect(posixZoneInstantOf(zone, at('2026-03-08T02:30:00Z'))).toBe(at('2026-03-08T07:30:00Z'));
  });

  it('the last Sunday (week 5) and a southern zone whose daylight saving spans the new year', () => {
    const europe = parsePosixZone('CST-1:00:00DST01:00:00,M3.5.0/02:00:00,M10.5.0/03:00:00')!;
    expect(posixZoneOffsetAt(europe, at('2026-03-29T00:59:59Z'))).toBe(60);
    expect(posixZoneOffsetAt(europe, at('2026-03-29T01:00:00Z'))).toBe(120);
    expect(posixZoneOffsetAt(europe, at('2026-10-25T00:59:59Z'))).toBe(120);
    expect(posixZoneOffsetAt(europe, at('2026-10-25T01:00:00Z'))).toBe(60);
    const sydney = parsePosixZone('CST-10:00:00DST01:00:00,M10.1.0/02:00:00,M4.1.0/03:00:00')!;
    expect(posixZoneOffsetAt(sydney, at('2026-01-16T00:00:00Z'))).toBe(660);
    expect(posixZoneOffsetAt(sydney, at('2026-07-16T00:00:00Z'))).toBe(600);
  });

  it('a recorder writing localTime with its standard offset in summer: the rules decide, and convert other seasons right', () => {
    const time = deviceTimeFrom({ localTime: '2026-09-09T07:24:29-05:00', timeZone: 'CST+5:00:00DST01:00:00,M3.2.0/02:00:00,M11.1.0/02:00:00' }, at('2026-09-09T11:24:29Z'));
    expect(time.offsetMinutes).toBe(-240);
    const model = { z: 'local' as const, offsetMinutes: time.offsetMinutes, zone: time.zone };
    expect(instantOfWallClock('2026-01-16 20:00:00', model)).toBe(at('2026-01-17T01:00:00Z'));
    expect(instantOfWallClock('2026-07-16 20:00:00', model)).toBe(at('2026-07-17T00:00:00Z'));
    expect(wallClockAt(at('2026-01-17T01:00:00Z'), model)).toBe('2026-01-16 20:00:00');
    // Without rules the localTime offset stands, as before.
    expect(deviceTimeFrom({ localTime: '2026-09-09T07:24:29-05:00', timeZone: 'CST+5:00:00' }, at('2026-09-09T12:24:29Z'))).toMatchObject({ offsetMinutes: -300, zone: undefined });
  });
});
