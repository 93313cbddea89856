import { execFileSync } from 'node:child_process';
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ensureMedia } from '@camdl/camera-sim';
import { createFilm, isMediaError, mergeMedia, probeMedia, type MergeFormat } from '@camdl/media';
import { makeTempDir, missingSystemTools, type TempDir } from '@camdl/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const skip = missingSystemTools('ffmpeg', 'ffprobe');
const at = (seconds: number): Date => new Date(Date.UTC(2026, 0, 16, 20, 0, 0) + seconds * 1000);

/** Video packet times of a file, in presentation order. */
function videoTimes(path: string): number[] {
  const out = execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'packet=pts_time', '-of', 'csv=p=0', path], { encoding: 'utf8' });
  return out
    .split('\n')
    .map((line) => Number.parseFloat(line))
    .filter(Number.isFinite)
    .sort((a, b) => a - b);
}

// Axis edge storage exports as the camera simulator serves them: Matroska streamed without a Duration,
// Cues or sizes. The merge must measure them and join them without losing the last frame of each.
describe.skipIf(skip)('merging streamed Matroska exports (Axis edge storage)', { timeout: 120_000 }, () => {
  let dir: TempDir;
  let first: string;
  let second: string;

  beforeAll(async () => {
    dir = await makeTempDir('camdl-mkv-merge-');
    first = join(dir.path, 'SD_DISK_20260116_200000_AE24.mkv');
    second = join(dir.path, 'SD_DISK_20260116_201000_AE25.mkv');
    await copyFile((await ensureMedia({ container: 'mkv-h264-live', durationSec: 4, pattern: 'testsrc' })).path, first);
    await copyFile((await ensureMedia({ container: 'mkv-h264-live', durationSec: 5, pattern: 'testsrc2' })).path, second);
  });
  afterAll(async () => {
    await dir?.cleanup();
  });

  it('probes an export without a Duration by its packets', async () => {
    const probe = await probeMedia('ffprobe', first);
    expect(probe.formatDurationSeconds).toBeUndefined();
    expect(probe.durationFrom).toBe('packets');
    expect(probe.durationSeconds).toBeCloseTo(4, 6);
  });

  it.each(['mp4', 'mkv'] as MergeFormat[])('joins them into one %s by stream copy: every frame, each part starting where the last one ended', async (format) => {
    const output = join(dir.path, `dock.${format}`);
    const result = await mergeMedia({ inputs: [{ path: second, start: at(600) }, { path: first, start: at(0) }], output, format });
    expect(result.outputs).toHaveLength(1);
    expect(result.outputs[0]?.parts.map((part) => [part.action, part.seconds])).toEqual([
      ['copy', 4],
      ['copy', 5],
    ]);
    const times = videoTimes(output);
    expect(times).toHaveLength(90);
    // 10 fps throughout: the second part's first frame at 4.0 s, not on top of the first part's last.
    const steps = times.slice(1).map((time, index) => time - (times[index] as number));
    expect(Math.min(...steps)).toBeGreaterThan(0.099);
    expect(Math.max(...steps)).toBeLessThan(0.101);
    expect(result.outputs[0]?.durationSeconds).toBeCloseTo(9, 2);
  });

  it('trims a window inside streamed parts at key frames', async () => {
    const output = join(dir.path, 'window.mp4');
    // 2.5 s into the first part to 1.5 s into the second (which starts right after it).
    const result = await mergeMedia({ inputs: [{ path: first, start: at(0) }, { path: second, start: at(4) }], output, window: { start: at(2.5), end: at(5.5) } });
    const times = videoTimes(output);
    // Key frames every second: 2.0 s of the first part, 2.0 s of the second.
    expect(times).toHaveLength(40);
    expect(result.outputs[0]?.durationSeconds).toBeCloseTo(4, 2);
  });

  it('films a folder of them: every export measured, the film as long as asked', async () => {
    const source = join(dir.path, 'film-source');
    await mkdir(source);
    await copyFile(first, join(source, 'a.mkv'));
    await copyFile(second, join(source, 'b.mkv'));
    const output = join(dir.path, 'film.mp4');
    const result = await createFilm({ source, output, lengthSeconds: 3 });
    expect(result.plan.parts.map((part) => part.frames).sort()).toEqual([40, 50]);
    expect(result.durationSeconds).toBeCloseTo(3, 1);
  });

  it('takes the recording’s listed length for a file whose packets carry no times, and refuses one without it', async () => {
    const raw = join(dir.path, 'raw.h264');
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', first, '-c', 'copy', '-f', 'h264', raw]);
    const refused = await probeMedia('ffprobe', raw).catch((error: unknown) => error);
    expect(isMediaError(refused, 'ERR_MEDIA_UNREADABLE')).toBe(true);
    const probe = await probeMedia('ffprobe', raw, { fallbackDurationSeconds: 4 });
    expect(probe).toMatchObject({ durationSeconds: 4, durationFrom: 'fallback' });
  });
});
