import { describe, expect, it } from 'vitest';
import type { CameraTimeModel } from './camera-time.js';
import { recordingFileName, resolveInstants } from './find-recordings.js';
import { findGaps } from './gaps.js';
import { fileKindOf, type RecordingItem } from './recording-item.js';

const NY: CameraTimeModel = { kind: 'zone', timeZone: 'America/New_York' };

function item(startTime: string, endTime: string, duration?: number): RecordingItem {
  return { channel: 0, startTime, endTime, filePath: `/x/${startTime}.mp4`, type: 'dav', length: 1, duration, events: [], flags: [], fileState: undefined, utcOffsetSeconds: undefined, raw: {} };
}

describe('resolveInstants across DST', () => {
  it('tells the two occurrences of the repeated hour apart by recording order', () => {
    const items = [
      item('2026-11-01 00:50:00', '2026-11-01 01:10:00', 1200),
      item('2026-11-01 01:10:00', '2026-11-01 01:50:00', 2400),
      item('2026-11-01 01:50:00', '2026-11-01 01:10:00', 1200), // spans the fall-back: end < start
      item('2026-11-01 01:10:00', '2026-11-01 01:50:00', 2400), // second occurrence
      item('2026-11-01 01:50:00', '2026-11-01 02:10:00', 1200),
    ];
    const instants = resolveInstants(items, NY).map(({ start, end }) => [start.toISOString(), end.toISOString()]);
    expect(instants).toEqual([
      ['2026-11-01T04:50:00.000Z', '2026-11-01T05:10:00.000Z'],
      ['2026-11-01T05:10:00.000Z', '2026-11-01T05:50:00.000Z'],
      ['2026-11-01T05:50:00.000Z', '2026-11-01T06:10:00.000Z'],
      ['2026-11-01T06:10:00.000Z', '2026-11-01T06:50:00.000Z'],
      ['2026-11-01T06:50:00.000Z', '2026-11-01T07:10:00.000Z'],
    ]);
    expect(findGaps(resolveInstants(items, NY))).toEqual([]);
  });

  it('keeps a file that spans the skipped spring hour at its real length', () => {
    const [spanning] = resolveInstants([item('2026-03-08 01:55:00', '2026-03-08 03:03:00', 480)], NY);
    expect(spanning?.start.toISOString()).toBe('2026-03-08T06:55:00.000Z');
    expect(spanning?.end.toISOString()).toBe('2026-03-08T07:03:00.000Z');
  });

  it('without a Duration, converts EndTime and never ends before the start', () => {
    const [resolved] = resolveInstants([item('2026-11-01 01:55:00', '2026-11-01 01:03:00')], NY);
    expect(resolved?.start.toISOString()).toBe('2026-11-01T05:55:00.000Z');
    expect(resolved?.end.toISOString()).toBe('2026-11-01T06:03:00.000Z');
  });
});

describe('names, kinds and gaps', () => {
  it('derives safe deterministic names', () => {
    expect(recordingFileName(item('2026-01-16 20:00:00', '2026-01-16 20:08:00'), 1, 'mp4')).toBe('2026-01-16_20.00.00-20.08.00_ch1.mp4');
    expect(recordingFileName(item('2026-01-16 23:55:00', '2026-01-17 00:03:00'), 2, 'dav')).toBe('2026-01-16_23.55.00-2026-01-17_00.03.00_ch2.dav');
  });

  it.each([
    ['/a/b[M][0@0][0].mp4', 'mp4'],
    ['/a/b.MP4', 'mp4'],
    ['/a/b.dav', 'dav'],
    ['/a/b.mp4_', 'in-progress'],
    ['/a/b.jpg', 'snapshot'],
    ['/a/b.idx', 'other'],
  ])('%s is %s', (path, kind) => {
    expect(fileKindOf(path)).toBe(kind);
  });

  it('reports gaps over the tolerance, also at the range edges', () => {
    const at = (text: string): Date => new Date(`2026-01-16T${text}Z`);
    const gaps = findGaps(
      [
        { start: at('20:00:00'), end: at('20:08:00') },
        { start: at('20:08:01'), end: at('20:16:00') },
        { start: at('20:30:00'), end: at('20:38:00') },
      ],
      { range: { start: at('19:59:00'), end: at('20:38:00') } },
    );
    expect(gaps.map((gap) => [gap.position, gap.seconds])).toEqual([
      ['before-first', 60],
      ['between', 840],
    ]);
  });
});
