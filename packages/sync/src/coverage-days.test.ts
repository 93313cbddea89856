import { describe, expect, it } from 'vitest';
import { coverageDays, dayOf, dayStartMs, recorderOf, type DayRecording } from './coverage-days.js';

const HOUR = 3_600_000;

/** Daily Timelapse archives 06:00–18:00 UTC from `first` for `count` days, with states by day index. */
function dailyArchives(first: string, count: number, states: Record<number, DayRecording['state']> = {}): DayRecording[] {
  const start = Date.parse(`${first}T00:00:00Z`);
  return Array.from({ length: count }, (_, index) => ({
    id: index + 1,
    startMs: start + index * 24 * HOUR + 6 * HOUR,
    endMs: start + index * 24 * HOUR + 18 * HOUR,
    state: states[index] ?? 'verified',
  }));
}

describe('coverageDays', () => {
  it('a daily Timelapse camera with every archive: every day archived, no gap, the nights are not gaps', () => {
    const result = coverageDays(dailyArchives('2025-01-01', 400), { timeZone: 'UTC', firstDay: '2025-01-01', lastDay: '2026-02-04', recorder: 'periodic' });
    expect(result.days).toHaveLength(400);
    expect(result.counts.archived).toBe(400);
    expect(result.gaps).toEqual([]);
    expect(result.periodDays).toBe(1);
  });

  it('a daily Timelapse camera with a missing day: that day, and only it, is a gap; lost and pending days are named by state', () => {
    const archives = dailyArchives('2025-01-01', 30, { 3: 'lost', 4: 'listed' }).filter((_, index) => index !== 10);
    const result = coverageDays(archives, { timeZone: 'UTC', firstDay: '2025-01-01', lastDay: '2025-01-30', recorder: 'periodic' });
    expect(result.gaps).toEqual([{ firstDay: '2025-01-11', lastDay: '2025-01-11', days: 1 }]);
    expect(result.days.filter((day) => day.gap).map((day) => day.day)).toEqual(['2025-01-11']);
    expect(result.days[10]).toMatchObject({ state: 'not-recorded', gap: true });
    expect(result.days[3]).toMatchObject({ day: '2025-01-04', state: 'lost', lost: 1 });
    expect(result.days[4]).toMatchObject({ day: '2025-01-05', state: 'pending', pending: 1 });
    expect(result.counts).toEqual({ lost: 1, 'at-risk': 0, pending: 1, archived: 27, 'not-recorded': 1, 'before-known': 0 });
  });

  it('a weekly Timelapse camera: the six days between archives are no gap, a missed week is', () => {
    const start = Date.parse('2025-01-01T06:00:00Z');
    const weeks = [0, 1, 2, 4, 5].map((week) => ({ startMs: start + week * 7 * 24 * HOUR, endMs: start + week * 7 * 24 * HOUR + HOUR, state: 'verified' as const }));
    const result = coverageDays(weeks, { timeZone: 'UTC', firstDay: '2025-01-01', lastDay: '2025-02-05', recorder: 'periodic' });
    expect(result.periodDays).toBe(7);
    expect(result.gaps).toEqual([{ firstDay: '2025-01-16', lastDay: '2025-01-28', days: 13 }]);
  });

  it('a continuous recorder: days it recorded nothing stay not-recorded and are never gaps; days before the first recording are before-known', () => {
    const start = Date.parse('2026-03-10T00:00:00Z');
    const rows: DayRecording[] = [];
    for (let hour = 0; hour < 24 * 5; hour += 1) if (hour < 48 || hour >= 96) rows.push({ startMs: start + hour * HOUR, endMs: start + (hour + 1) * HOUR, state: 'verified' });
    const result = coverageDays(rows, { timeZone: 'UTC', firstDay: '2026-03-08', lastDay: '2026-03-14' });
    expect(result.days.map((day) => day.state)).toEqual(['before-known', 'before-known', 'archived', 'archived', 'not-recorded', 'not-recorded', 'archived']);
    expect(result.days[2]!.archived).toBe(24);
    expect(result.gaps).toEqual([]);
    expect(coverageDays(rows, { timeZone: 'UTC', firstDay: '2026-03-08', lastDay: '2026-03-14', knownSinceMs: Date.parse('2026-03-01T00:00:00Z') }).counts['before-known']).toBe(0);
  });

  it('days follow the camera zone: a recording at 23:30 UTC is the next day in Berlin; DST days are 23 and 25 hours', () => {
    const result = coverageDays([{ startMs: Date.parse('2026-03-28T23:30:00Z'), endMs: Date.parse('2026-03-28T23:45:00Z'), state: 'verified' }], {
      timeZone: 'Europe/Berlin',
      firstDay: '2026-03-28',
      lastDay: '2026-03-30',
    });
    expect(result.days.map((day) => [day.day, day.state, (day.endMs - day.startMs) / HOUR])).toEqual([
      ['2026-03-28', 'before-known', 24],
      ['2026-03-29', 'archived', 23],
      ['2026-03-30', 'not-recorded', 24],
    ]);
    const autumn = coverageDays([], { timeZone: 'America/New_York', firstDay: '2026-11-01', lastDay: '2026-11-01' });
    expect((autumn.days[0]!.endMs - autumn.days[0]!.startMs) / HOUR).toBe(25);
    expect(dayOf(Date.parse('2026-03-28T23:30:00Z'), 'Europe/Berlin')).toBe('2026-03-29');
    expect(dayStartMs('2026-03-29', 'Europe/Berlin')).toBe(Date.parse('2026-03-28T23:00:00Z'));
  });

  it('a recording across midnight counts in both days; one that ends at midnight only in its own', () => {
    const rows: DayRecording[] = [
      { startMs: Date.parse('2026-01-01T23:00:00Z'), endMs: Date.parse('2026-01-02T01:00:00Z'), state: 'lost' },
      { startMs: Date.parse('2026-01-03T23:00:00Z'), endMs: Date.parse('2026-01-04T00:00:00Z'), state: 'verified' },
    ];
    const result = coverageDays(rows, { timeZone: 'UTC', firstDay: '2026-01-01', lastDay: '2026-01-04' });
    expect(result.days.map((day) => day.state)).toEqual(['lost', 'lost', 'archived', 'not-recorded']);
  });

  it('at risk: pending recordings before the overwrite horizon or named by id; archived and lost ones never', () => {
    const rows = dailyArchives('2026-01-01', 6, { 0: 'listed', 1: 'downloaded', 2: 'listed', 3: 'lost', 4: 'listed' });
    const horizon = Date.parse('2026-01-02T12:00:00Z');
    const result = coverageDays(rows, { timeZone: 'UTC', firstDay: '2026-01-01', lastDay: '2026-01-06', atRisk: { beforeMs: horizon, ids: new Set([5, 6]) } });
    expect(result.days.map((day) => day.state)).toEqual(['at-risk', 'at-risk', 'pending', 'lost', 'at-risk', 'archived']);
    expect(result.counts['at-risk']).toBe(3);
    expect(result.days[0]).toMatchObject({ atRisk: 1, pending: 0 });
    expect(coverageDays(rows, { timeZone: 'UTC', firstDay: '2026-01-01', lastDay: '2026-01-06' }).counts['at-risk']).toBe(0);
  });

  it('ignores recordings outside the range and times no date holds; refuses a malformed or endless range', () => {
    const rows: DayRecording[] = [
      { startMs: 1e300, endMs: 1e300, state: 'lost' },
      { startMs: -1e300, endMs: 0, state: 'lost' },
      { startMs: Number.NaN, endMs: Number.NaN, state: 'lost' },
    ];
    expect(coverageDays(rows, { timeZone: 'UTC', firstDay: '2026-01-01', lastDay: '2026-01-02', knownSinceMs: 0 }).counts['not-recorded']).toBe(2);
    expect(() => coverageDays([], { timeZone: 'UTC', firstDay: '2026-02-30', lastDay: '2026-03-01' })).toThrow(/firstDay must be a day/);
    expect(() => coverageDays([], { timeZone: 'UTC', firstDay: '2026-03-02', lastDay: '2026-03-01' })).toThrow(/before firstDay/);
    expect(() => coverageDays([], { timeZone: 'UTC', firstDay: '1900-01-01', lastDay: '2026-03-01' })).toThrow(/at most/);
  });

  it('Timelapse cameras are periodic, the others continuous', () => {
    expect(recorderOf('timelapse')).toBe('periodic');
    expect(recorderOf('amcrest')).toBe('continuous');
  });
});
