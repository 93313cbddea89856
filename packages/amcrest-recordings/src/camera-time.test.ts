import { describe, expect, it } from 'vitest';
import {
  cameraTimeCandidates,
  normalizeWallClock,
  cameraTimeToInstant,
  cameraWindowForInstants,
  describeTimeModel,
  instantToCameraTime,
  offsetFromCameraClock,
  parseTimeInput,
  type CameraTimeModel,
} from './camera-time.js';
import { isAmcrestError } from './errors.js';

const NY: CameraTimeModel = { kind: 'zone', timeZone: 'America/New_York' };
const iso = (date: Date): string => date.toISOString();

describe('parseTimeInput', () => {
  it('reads a time without offset as camera wall-clock time, sent as is', () => {
    expect(parseTimeInput('2026-01-16T20:00:00')).toEqual({ kind: 'wall-clock', wallClock: '2026-01-16 20:00:00' });
    expect(parseTimeInput('2026-01-16 20:00')).toEqual({ kind: 'wall-clock', wallClock: '2026-01-16 20:00:00' });
    expect(parseTimeInput('2026-01-16')).toEqual({ kind: 'wall-clock', wallClock: '2026-01-16 00:00:00' });
    // Reduced precision, as the seed's datetime.fromisoformat (Python 3.10+) reads it: the hour alone.
    expect(parseTimeInput('2026-01-16T20')).toEqual({ kind: 'wall-clock', wallClock: '2026-01-16 20:00:00' });
    const hourWithOffset = parseTimeInput('2026-01-16 08-08:00');
    expect(hourWithOffset.kind === 'instant' && iso(hourWithOffset.instant)).toBe('2026-01-16T16:00:00.000Z');
  });

  it('reads Z and offsets as instants', () => {
    const withOffset = parseTimeInput('2026-01-16T08:00:00-08:00');
    expect(withOffset.kind === 'instant' && iso(withOffset.instant)).toBe('2026-01-16T16:00:00.000Z');
    const utc = parseTimeInput('2026-01-16T08:00:00Z');
    expect(utc.kind === 'instant' && iso(utc.instant)).toBe('2026-01-16T08:00:00.000Z');
    const compact = parseTimeInput('2026-01-16T08:00:00+0530');
    expect(compact.kind === 'instant' && iso(compact.instant)).toBe('2026-01-16T02:30:00.000Z');
  });

  it('drops fractions: floor for a start, ceil for an end', () => {
    expect(parseTimeInput('2026-01-16T20:00:00.750')).toEqual({ kind: 'wall-clock', wallClock: '2026-01-16 20:00:00' });
    expect(parseTimeInput('2026-01-16T20:00:00.750', 'ceil')).toEqual({ kind: 'wall-clock', wallClock: '2026-01-16 20:00:01' });
    expect(parseTimeInput('2026-01-16T20:00:00.000', 'ceil')).toEqual({ kind: 'wall-clock', wallClock: '2026-01-16 20:00:00' });
  });

  it.each(['the day before', '2026-13-01T00:00:00', '2026-02-30T00:00:00', '2026-01-16T24:00:00', '2026-01-16T20:00:00+25:00', '16/01/2026'])(
    'refuses %j with ERR_AMCREST_INVALID_TIME',
    (text) => {
      let caught: unknown;
      try {
        parseTimeInput(text);
      } catch (error) {
        caught = error;
      }
      expect(isAmcrestError(caught, 'ERR_AMCREST_INVALID_TIME')).toBe(true);
    },
  );
});

describe('instants and camera time', () => {
  it('converts with an IANA zone, DST-aware', () => {
    expect(instantToCameraTime(new Date('2026-01-16T16:00:00Z'), NY)).toBe('2026-01-16 11:00:00');
    expect(instantToCameraTime(new Date('2026-07-16T16:00:00Z'), NY)).toBe('2026-07-16 12:00:00');
  });

  it('converts with a fixed offset', () => {
    const model: CameraTimeModel = { kind: 'offset', offsetMinutes: -480, source: 'given' };
    expect(instantToCameraTime(new Date('2026-01-16T16:00:00Z'), model)).toBe('2026-01-16 08:00:00');
    expect(iso(cameraTimeToInstant('2026-01-16 08:00:00', model))).toBe('2026-01-16T16:00:00.000Z');
  });

  it('gives two instants in the repeated autumn hour and none in the skipped spring hour', () => {
    expect(cameraTimeCandidates('2026-11-01 01:30:00', NY).map(iso)).toEqual(['2026-11-01T05:30:00.000Z', '2026-11-01T06:30:00.000Z']);
    expect(cameraTimeCandidates('2026-03-08 02:30:00', NY)).toEqual([]);
    expect(iso(cameraTimeToInstant('2026-11-01 01:30:00', NY, 'later'))).toBe('2026-11-01T06:30:00.000Z');
    // Skipped hour: read with the offset before the jump (02:30 EST = 03:30 EDT).
    expect(iso(cameraTimeToInstant('2026-03-08 02:30:00', NY))).toBe('2026-03-08T07:30:00.000Z');
    expect(cameraTimeCandidates('2026-03-08 03:00:00', NY).map(iso)).toEqual(['2026-03-08T07:00:00.000Z']);
  });

  it('searches the whole wall-clock span of an instant range across the autumn fall-back', () => {
    const window = (start: string, end: string): { start: string; end: string } => cameraWindowForInstants(new Date(start), new Date(end), NY);
    // 01:30 EDT .. 01:10 EST: the wall clock ran 01:30 → 01:59:59 → 01:00 → 01:10.
    expect(window('2026-11-01T05:30:00Z', '2026-11-01T06:10:00Z')).toEqual({ start: '2026-11-01 01:00:00', end: '2026-11-01 01:59:59' });
    // The first occurrence only: 01:00 EDT .. 01:00 EST (one real hour) still covers 01:00..01:59:59.
    expect(window('2026-11-01T05:00:00Z', '2026-11-01T06:00:00Z')).toEqual({ start: '2026-11-01 01:00:00', end: '2026-11-01 01:59:59' });
    // Spring forward: a plain span, the skipped hour is simply never shown.
    expect(window('2026-03-08T06:30:00Z', '2026-03-08T07:30:00Z')).toEqual({ start: '2026-03-08 01:30:00', end: '2026-03-08 03:30:00' });
    // A long range without transitions is just its two ends.
    expect(window('2026-01-01T00:00:00Z', '2026-02-01T00:00:00Z')).toEqual({ start: '2025-12-31 19:00:00', end: '2026-01-31 19:00:00' });
  });

  it('measures the camera offset rounded to 15 minutes and reports the clock error', () => {
    const model = offsetFromCameraClock('2026-09-09 06:24:29', new Date('2026-09-09T10:24:26Z'));
    expect(model).toEqual({ kind: 'offset', offsetMinutes: -240, source: 'measured', skewSeconds: 3 });
    expect(offsetFromCameraClock('2026-09-09 16:09:00', new Date('2026-09-09T10:24:00Z')).offsetMinutes).toBe(345);
    expect(describeTimeModel(model)).toBe('UTC-04:00 (measured from the camera clock)');
    expect(describeTimeModel(NY)).toBe('America/New_York');
  });

  it('refuses an unknown zone', () => {
    expect(() => instantToCameraTime(new Date(), { kind: 'zone', timeZone: 'Mars/Olympus' })).toThrow(
      expect.objectContaining({ code: 'ERR_AMCREST_INVALID_TIME' }),
    );
  });
});

describe('assertTimeOrder', () => {
  it('refuses an end not after the start when both are of one kind', async () => {
    const { assertTimeOrder } = await import('./camera-time.js');
    expect(() => assertTimeOrder(parseTimeInput('2026-01-16T22:00:00'), parseTimeInput('2026-01-16T20:00:00'))).toThrow(/end must be after start/);
    expect(() => assertTimeOrder(parseTimeInput('2026-01-16T20:00:00Z'), parseTimeInput('2026-01-16T20:00:00Z'))).toThrow(/end must be after start/);
    expect(() => assertTimeOrder(parseTimeInput('2026-01-16T20:00:00'), parseTimeInput('2026-01-16T22:00:00'))).not.toThrow();
    // One wall-clock time against an instant needs the camera's time model: not decided here.
    expect(() => assertTimeOrder(parseTimeInput('2026-01-16T22:00:00'), parseTimeInput('2026-01-16T20:00:00Z'))).not.toThrow();
  });
});

describe('parseTimeInput: relative times (as timelapse2-dl --since)', () => {
  const now = new Date(2026, 0, 16, 21, 30, 15).getTime();
  it('24h, 7d, 90m and now are instants before now', () => {
    expect(parseTimeInput('24h', 'floor', now)).toEqual({ kind: 'instant', instant: new Date(now - 86_400_000) });
    expect(parseTimeInput('7d', 'floor', now)).toEqual({ kind: 'instant', instant: new Date(now - 7 * 86_400_000) });
    expect(parseTimeInput('90m', 'floor', now)).toEqual({ kind: 'instant', instant: new Date(now - 90 * 60_000) });
    expect(parseTimeInput('now', 'ceil', now)).toEqual({ kind: 'instant', instant: new Date(now) });
  });
  it('today and yesterday are midnight camera wall-clock time of this computer’s date', () => {
    expect(parseTimeInput('today', 'floor', now)).toEqual({ kind: 'wall-clock', wallClock: '2026-01-16 00:00:00' });
    expect(parseTimeInput('yesterday', 'floor', now)).toEqual({ kind: 'wall-clock', wallClock: '2026-01-15 00:00:00' });
  });
  it('impossible dates are refused', () => {
    for (const text of ['2026-02-30', '2026-13-01T00:00:00', '2025-02-29']) expect(() => parseTimeInput(text), text).toThrow(/out of range/);
  });
});

describe('normalizeWallClock: camera times zero-padded or not', () => {
  it.each([
    ['2011-7-3 21:02:32', '2011-07-03 21:02:32'],
    ['2026-1-6 6:5:0', '2026-01-06 06:05:00'],
    [' 2026-01-16 20:00:00 ', '2026-01-16 20:00:00'],
  ])('%j → %j', (input, expected) => {
    expect(normalizeWallClock(input)).toBe(expected);
  });

  it.each(['2026-2-30 10:00:00', '2026-13-1 10:00:00', '2026-1-1 24:00:00', '2026-1-1T10:00:00', '26-1-1 10:00:00'])('refuses %j', (input) => {
    expect(normalizeWallClock(input)).toBeUndefined();
  });
});
