import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { makeTempDir, missingSystemTools, type TempDir } from '@camdl/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mergeRecordings } from '@camdl/amcrest-recordings';

const skip = missingSystemTools('ffmpeg', 'ffprobe');

function makeClip(path: string, seconds: number, tone: number): void {
  execFileSync('ffmpeg', [
    ...['-v', 'error', '-y', '-f', 'lavfi', '-i', `testsrc=size=64x48:rate=10:duration=${seconds}`],
    ...['-f', 'lavfi', '-i', `sine=frequency=${tone}:sample_rate=8000:duration=${seconds}`],
    ...['-c:v', 'libx264', '-g', '10', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', path],
  ]);
}

function videoSeconds(path: string): number {
  return Number(execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=duration', '-of', 'csv=p=0', path], { encoding: 'utf8' }).trim());
}

describe.skipIf(skip)('mergeRecordings (real ffmpeg, @camdl/media planner)', () => {
  let dir: TempDir;
  let parts: string[];
  const recording = (startTime: string): { start: Date; startTime: string; kind: 'mp4' } => ({ start: new Date(`${startTime.replace(' ', 'T')}Z`), startTime, kind: 'mp4' });

  beforeAll(async () => {
    dir = await makeTempDir();
    parts = [join(dir.path, "one 'quoted'.mp4"), join(dir.path, 'two.mp4'), join(dir.path, 'three.mp4')];
    parts.forEach((path, index) => makeClip(path, [2, 3, 1][index] as number, 300 + index * 100));
  });

  afterAll(async () => {
    await dir.cleanup();
  });

  it('orders by the recordings start, splits on the camera day, trims to the range', async () => {
    const recordings = [
      { path: parts[1] as string, recording: recording('2026-01-17 00:00:00') },
      { path: parts[0] as string, recording: recording('2026-01-16 23:59:58') },
      { path: parts[2] as string, recording: recording('2026-01-17 00:00:03') },
    ];
    const result = await mergeRecordings({ recordings, output: join(dir.path, 'night.mp4'), split: 'day' });
    expect(result.outputs.map((output) => [output.path, output.parts.map((part) => part.path)])).toEqual([
      [join(dir.path, 'night_2026-01-16.mp4'), [parts[0]]],
      [join(dir.path, 'night_2026-01-17.mp4'), [parts[1], parts[2]]],
    ]);
    expect(videoSeconds(join(dir.path, 'night_2026-01-17.mp4'))).toBeCloseTo(4, 1);
    // Range from 1 s into "two" (a key frame) to its end: "one" and "three" are outside.
    const trimmed = await mergeRecordings({
      recordings,
      output: join(dir.path, 'trimmed.mp4'),
      range: { start: new Date('2026-01-17T00:00:01Z'), end: new Date('2026-01-17T00:00:03Z') },
    });
    expect(trimmed.plan.outsideWindow.sort()).toEqual([parts[0], parts[2]].sort());
    expect(videoSeconds(join(dir.path, 'trimmed.mp4'))).toBeCloseTo(2, 1);
  });
});
