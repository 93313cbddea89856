import { describe, expect, it } from 'vitest';
import { archiveNameTime } from './archive-name-time.js';
import { instantToWallClock, parseWallClock, wallClockInstants, wallClockToInstant, zoneOffsetMinutes } from './wall-clock.js';

const iso = (ms: number): string => new Date(ms).toISOString();
const instants = (wallClock: string, zone: string): string[] => wallClockInstants(parseWallClock(wallClock)!, zone).map(iso);

/**
 * One DST change per row: a wall clock inside the repeated or skipped interval, the instants it can
 * mean, and the one instant it is read as (earlier when repeated, shifted forward by the gap when skipped).
 */
const CHANGES = [
  // Europe/Berlin: CET +1 / CEST +2, changes at 01:00 UTC.
  { zone: 'Europe/Berlin', kind: 'skipped', wall: '2026-03-29 02:30:00', candidates: [], reads: '2026-03-29T01:30:00.000Z', shown: '2026-03-29 03:30:00' },
  { zone: 'Europe/Berlin', kind: 'repeated', wall: '2026-10-25 02:30:00', candidates: ['2026-10-25T00:30:00.000Z', '2026-10-25T01:30:00.000Z'], reads: '2026-10-25T00:30:00.000Z', shown: '2026-10-25 02:30:00' },
  // America/New_York: EST -5 / EDT -4, changes at 02:00 local.
  { zone: 'America/New_York', kind: 'skipped', wall: '2026-03-08 02:30:00', candidates: [], reads: '2026-03-08T07:30:00.000Z', shown: '2026-03-08 03:30:00' },
  { zone: 'America/New_York', kind: 'repeated', wall: '2026-11-01 01:30:00', candidates: ['2026-11-01T05:30:00.000Z', '2026-11-01T06:30:00.000Z'], reads: '2026-11-01T05:30:00.000Z', shown: '2026-11-01 01:30:00' },
  // Australia/Sydney (southern hemisphere: DST from October to April): AEST +10 / AEDT +11.
  { zone: 'Australia/Sydney', kind: 'repeated', wall: '2026-04-05 02:30:00', candidates: ['2026-04-04T15:30:00.000Z', '2026-04-04T16:30:00.000Z'], reads: '2026-04-04T15:30:00.000Z', shown: '2026-04-05 02:30:00' },
  { zone: 'Australia/Sydney', kind: 'skipped', wall: '2026-10-04 02:30:00', candidates: [], reads: '2026-10-03T16:30:00.000Z', shown: '2026-10-04 03:30:00' },
  // Australia/Lord_Howe: a 30-minute DST, +10:30 / +11.
  { zone: 'Australia/Lord_Howe', kind: 'repeated', wall: '2026-04-05 01:45:00', candidates: ['2026-04-04T14:45:00.000Z', '2026-04-04T15:15:00.000Z'], reads: '2026-04-04T14:45:00.000Z', shown: '2026-04-05 01:45:00' },
  { zone: 'Australia/Lord_Howe', kind: 'skipped', wall: '2026-10-04 02:15:00', candidates: [], reads: '2026-10-03T15:45:00.000Z', shown: '2026-10-04 02:45:00' },
] as const;

/** The single-pass conversion this module replaces: subtract the offset in force at the wall clock read as UTC. */
function onePass(wallClock: string, zone: string): number {
  const asUtc = parseWallClock(wallClock)!;
  return asUtc - zoneOffsetMinutes(asUtc, zone) * 60_000;
}

describe('wall clock → instant at DST changes', () => {
  it.each(CHANGES)('$zone, $kind hour: $wall', ({ zone, wall, candidates, reads, shown }) => {
    expect(instants(wall, zone)).toEqual(candidates);
    expect(iso(wallClockToInstant(wall, zone))).toBe(reads);
    expect(instantToWallClock(wallClockToInstant(wall, zone), zone)).toBe(shown);
  });

  it('is right where the single-pass conversion is an hour (or, on Lord Howe, 30 minutes) off', () => {
    // West of UTC the wall clock read as UTC comes hours before the change, so the single pass uses the
    // offset from before it and happens to agree with the rule; east of UTC it uses the offset after it.
    const wrong = CHANGES.filter(({ zone, wall, reads }) => iso(onePass(wall, zone)) !== reads).map(({ zone, kind }) => `${zone} ${kind}`);
    expect(wrong).toEqual(CHANGES.filter((change) => change.zone !== 'America/New_York').map(({ zone, kind }) => `${zone} ${kind}`));
  });

  it.each([
    ['Europe/Berlin', '2026-03-29 01:59:59', '2026-03-29T00:59:59.000Z'],
    ['Europe/Berlin', '2026-03-29 03:00:00', '2026-03-29T01:00:00.000Z'],
    ['Europe/Berlin', '2026-10-25 03:00:00', '2026-10-25T02:00:00.000Z'],
    ['America/New_York', '2026-11-01 02:00:00', '2026-11-01T07:00:00.000Z'],
    ['Australia/Lord_Howe', '2026-10-04 02:30:00', '2026-10-03T15:30:00.000Z'],
    ['UTC', '2026-06-01 12:00:00', '2026-06-01T12:00:00.000Z'],
  ])('%s %s, just outside a change, is one instant: %s', (zone, wall, expected) => {
    expect(instants(wall, zone)).toEqual([expected]);
    expect(iso(wallClockToInstant(wall, zone))).toBe(expected);
  });

  it('refuses text that is not a wall-clock time and a zone Node does not know', () => {
    expect(() => wallClockToInstant('2026-02-30 10:00:00', 'UTC')).toThrow(RangeError);
    expect(() => wallClockToInstant('2026-01-01T10:00:00Z', 'UTC')).toThrow(RangeError);
    expect(() => wallClockToInstant('2026-01-01 10:00:00', 'Mars/Olympus')).toThrow(RangeError);
  });

  it('keeps years below 100 as written', () => {
    expect(instantToWallClock(wallClockToInstant('0050-06-01 12:00:00', 'UTC'), 'UTC')).toBe('0050-06-01 12:00:00');
  });
});

describe('archiveNameTime', () => {
  it('reads the date at the end of a Timelapse archive name, with or without a copy number', () => {
    expect(iso(archiveNameTime('Garden_2025_09_30_0815.avi', 'UTC')!)).toBe('2025-09-30T08:15:00.000Z');
    expect(iso(archiveNameTime('Garden_2025_09_30_0815_2.mp4', 'Europe/Berlin')!)).toBe('2025-09-30T06:15:00.000Z');
    expect(iso(archiveNameTime('Garden_2025_09_30_0815', 'UTC')!)).toBe('2025-09-30T08:15:00.000Z');
  });

  it('reads a name in the skipped or repeated hour by the module rule', () => {
    expect(iso(archiveNameTime('a_2026_03_29_0230.avi', 'Europe/Berlin')!)).toBe('2026-03-29T01:30:00.000Z');
    expect(iso(archiveNameTime('a_2026_10_25_0230.avi', 'Europe/Berlin')!)).toBe('2026-10-25T00:30:00.000Z');
  });

  it('has no time for a name without a date or with an impossible one', () => {
    for (const name of ['Garden.avi', 'Garden_2025_13_01_0000.avi', 'Garden_2025_02_30_0000.avi', 'Garden_2025_01_01_2460.avi', 'Garden_2025_01_01_0000.avi.bak']) {
      expect(archiveNameTime(name, 'UTC'), name).toBeUndefined();
    }
  });
});
