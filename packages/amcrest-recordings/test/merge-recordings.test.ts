import { execFileSync } from 'node:child_process';
import { mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir, missingSystemTools, type TempDir } from '@camdl/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { concatListLine, findFfmpeg, isAmcrestError, mergeRecordings, probeMedia, type MergeFormat } from '@camdl/amcrest-recordings';

const skip = missingSystemTools('ffmpeg', 'ffprobe');

function makeClip(path: string, seconds: number, tone: number): void {
  execFileSync('ffmpeg', [
    ...['-v', 'error', '-y', '-f', 'lavfi', '-i', `testsrc=size=64x48:rate=10:duration=${seconds}`],
    ...['-f', 'lavfi', '-i', `sine=frequency=${tone}:sample_rate=8000:duration=${seconds}`],
    ...['-c:v', 'libx264', '-g', '10', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', path],
  ]);
}

describe.skipIf(skip)('mergeRecordings (real ffmpeg)', () => {
  let dir: TempDir;
  let inputs: string[];

  beforeAll(async () => {
    dir = await makeTempDir();
    // Awkward names on purpose: quotes and spaces must survive the concat list.
    const parts = join(dir.path, "it's a dir");
    await mkdir(parts);
    inputs = [join(parts, "one 'quoted'.mp4"), join(parts, 'two.mp4'), join(parts, 'three [x].mp4')];
    inputs.forEach((path, index) => makeClip(path, [2, 3, 1][index] as number, 300 + index * 100));
  });

  afterAll(async () => {
    await dir.cleanup();
  });

  it.each(['mp4', 'mkv', 'avi'] as MergeFormat[])('merges into %s with the duration of the parts', async (format) => {
    const output = join(dir.path, `merged.${format}`);
    const result = await mergeRecordings({ inputs, output, format });
    expect(result.output).toBe(output);
    expect(Math.abs(result.durationSeconds - 6)).toBeLessThan(0.35);
    expect(Math.abs(result.durationSeconds - result.expectedSeconds)).toBeLessThan(0.35);
    const tools = await findFfmpeg();
    const info = await probeMedia(tools.ffprobe, output);
    expect(info.videoCodec).toBe('h264');
    expect(info.audioCodec).toBe('aac');
    const left = await readdir(dir.path);
    expect(left.filter((name) => name.includes('.part.') || name.startsWith('.camdl-merge-'))).toEqual([]);
  });

  it('merges in chronological order when inputs carry their start', async () => {
    const output = join(dir.path, 'ordered.mkv');
    const result = await mergeRecordings({
      inputs: [
        { path: inputs[1] as string, start: new Date(2000) },
        { path: inputs[0] as string, start: new Date(1000) },
      ],
      output,
      format: 'mkv',
    });
    expect(result.parts.map((part) => part.path)).toEqual([inputs[0], inputs[1]]);
  });

  it('kills ffmpeg on abort and leaves neither the output nor the temporary file', async () => {
    const output = join(dir.path, 'aborted.mp4');
    const controller = new AbortController();
    controller.abort(new Error('Ctrl+C'));
    await expect(mergeRecordings({ inputs, output, signal: controller.signal })).rejects.toMatchObject({ code: 'ERR_AMCREST_ABORTED' });
    await expect(stat(output)).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(stat(`${output}.part.mp4`)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('fails on a broken input without leaving a merged file', async () => {
    const broken = join(dir.path, 'broken.mp4');
    await writeFile(broken, 'not a video');
    const output = join(dir.path, 'broken-merge.mp4');
    const error = await mergeRecordings({ inputs: [inputs[0] as string, broken], output }).catch((caught: unknown) => caught);
    expect(isAmcrestError(error, 'ERR_FFMPEG_FAILED')).toBe(true);
    await expect(stat(output)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('says how to install ffmpeg when it is missing', async () => {
    const error = await findFfmpeg({ env: { PATH: '/nonexistent' } }).catch((caught: unknown) => caught);
    expect(isAmcrestError(error, 'ERR_FFMPEG_NOT_FOUND')).toBe(true);
    expect((error as Error).message).toContain('apt-get install ffmpeg');
    expect((error as Error).message).toContain('brew install ffmpeg');
    const viaEnv = await findFfmpeg({ env: { PATH: '', FFMPEG_PATH: '/nope/ffmpeg' } }).catch((caught: unknown) => caught);
    expect((viaEnv as Error).message).toContain('FFMPEG_PATH');
  });

  it('quotes concat list paths', () => {
    expect(concatListLine("/a/it's.mp4")).toBe("file '/a/it'\\''s.mp4'");
    expect(() => concatListLine('/a/b\nc.mp4')).toThrow(expect.objectContaining({ code: 'ERR_AMCREST_INVALID_OPTIONS' }));
  });
});
