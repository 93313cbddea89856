import { describe, expect, it } from 'vitest';
import type { Recording } from './find-recordings.js';
import { planFromSearch } from './search-plan.js';

/** A recording at camera time (UTC-5: wall clock = instant - 5 h). */
function recording(startTime: string, seconds: number, size = 1000): Recording {
  const start = new Date(Date.parse(`${startTime.replace(' ', 'T')}-05:00`));
  const end = new Date(start.getTime() + seconds * 1000);
  const endTime = new Date(end.getTime() - 5 * 3_600_000).toISOString().slice(0, 19).replace('T', ' ');
  return {
    channel: 0,
    startTime,
    endTime,
    filePath: `/mnt/sd/${startTime}.mp4`,
    type: 'dav',
    length: size,
    duration: seconds,
    events: [],
    flags: [],
    fileState: undefined,
    utcOffsetSeconds: undefined,
    raw: {},
    kind: 'mp4',
    searchChannel: 1,
    start,
    end,
    durationSeconds: seconds,
    size,
    fileName: `${startTime.replaceAll(/[ :]/g, '.')}_ch1.mp4`,
  };
}

describe('planFromSearch', () => {
  it('one output without split: every recording, its seconds and bytes', () => {
    const plan = planFromSearch([recording('2026-01-16 20:08:00', 480, 300), recording('2026-01-16 20:00:00', 480, 200)], { output: '/out/night.mp4', format: 'mp4' });
    expect(plan).toHaveLength(1);
    expect(plan[0]).toMatchObject({ path: '/out/night.mp4', label: undefined, seconds: 960, bytes: 500 });
    expect(plan[0]!.pieces.map((piece) => piece.from)).toEqual(['2026-01-16 20:00:00', '2026-01-16 20:08:00']);
  });

  it('split day: a recording from 23:50 to 00:10 counts in both days, cut at midnight', () => {
    const plan = planFromSearch([recording('2026-01-16 23:50:00', 1200, 900)], { output: '/out/a.mkv', format: 'mkv', split: 'day' });
    expect(plan.map((item) => [item.path, item.seconds, item.pieces[0]!.from, item.pieces[0]!.to])).toEqual([
      ['/out/a_2026-01-16.mkv', 600, '2026-01-16 23:50:00', '2026-01-17 00:00:00'],
      ['/out/a_2026-01-17.mkv', 600, '2026-01-17 00:00:00', '2026-01-17 00:10:00'],
    ]);
  });

  it('split hour, trimmed to the range', () => {
    const range = { start: new Date('2026-01-17T01:55:00Z'), end: new Date('2026-01-17T03:05:00Z') }; // 20:55 → 22:05 camera time
    const plan = planFromSearch([recording('2026-01-16 20:50:00', 3600), recording('2026-01-16 21:50:00', 900)], { output: '/o/x.mp4', format: 'mp4', split: 'hour', range });
    expect(plan.map((item) => [item.label, item.seconds])).toEqual([
      ['2026-01-16 20h', 300],
      ['2026-01-16 21h', 3000 + 600],
      ['2026-01-16 22h', 300],
    ]);
  });

  it('leaves out recordings outside the range', () => {
    const range = { start: new Date('2026-01-17T01:00:00Z'), end: new Date('2026-01-17T02:00:00Z') };
    expect(planFromSearch([recording('2026-01-16 22:00:00', 60)], { output: '/o/x.mp4', format: 'mp4', range })).toEqual([]);
  });
});
