import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir, missingSystemTools, type TempDir } from '@camdl/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertCamdlBuilt, events, runCamdl } from './camdl-helpers.js';

const skip = missingSystemTools('ffmpeg', 'ffprobe');

function frames(path: string): { frames: number; size: string } {
  const [width, height, count] = execFileSync('ffprobe', ['-v', 'error', '-count_frames', '-select_streams', 'v:0', '-show_entries', 'stream=width,height,nb_read_frames', '-of', 'csv=p=0', path], { encoding: 'utf8' }).trim().split(',');
  return { frames: Number(count), size: `${width}x${height}` };
}

describe.skipIf(skip)('camdl film (built binary, real ffmpeg)', { timeout: 240_000 }, () => {
  let dir: TempDir;
  let archive: string;

  beforeAll(async () => {
    assertCamdlBuilt();
    dir = await makeTempDir();
    archive = join(dir.path, 'archive', 'North Gate');
    await mkdir(archive, { recursive: true });
    const listing = [];
    // A 1.x AVI and a 3.x MP4, 40 frames each, one a minute; the AVI's name says the later day.
    for (const [index, name] of ['North_Gate_2025_10_02_0000.avi', 'North_Gate_2025_10_01_0000.mp4'].entries()) {
      const codec = name.endsWith('.avi') ? ['-c:v', 'mjpeg', '-pix_fmt', 'yuvj420p'] : ['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p'];
      execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc=size=160x120:rate=10:duration=4', ...codec, join(archive, name)]);
      const first = Date.UTC(2025, 8, 30) + index * 86_400_000;
      listing.push({ filename: name, first, last: first + 39 * 60_000 });
    }
    await writeFile(join(archive, 'listing.json'), JSON.stringify(listing));
  });

  afterAll(async () => {
    await dir.cleanup();
  });

  it('makes a film of the asked length from mixed archives, in covered-time order, and reports it as NDJSON', async () => {
    const out = join(dir.path, 'project.mp4');
    const run = await runCamdl(['film', join(dir.path, 'archive'), '--out', out, '--length', '4s', '--stamp', '--size', '320x240', '--json', '--no-progress']);
    expect(run.code, run.stderr).toBe(0);
    const plan = events(run.stdout).find((event) => event.type === 'plan') as { parts: Array<{ path: string }> } | undefined;
    expect(plan?.parts.map((part) => part.path.split('/').pop())).toEqual(['North_Gate_2025_10_02_0000.avi', 'North_Gate_2025_10_01_0000.mp4']);
    expect(frames(out)).toEqual({ frames: 40, size: '320x240' });
    const done = events(run.stdout).find((event) => event.type === 'done');
    expect(done).toMatchObject({ exitCode: 0, frames: 40, width: 320, height: 240 });
  });

  it('usage errors exit 2; an empty folder names it and writes nothing', async () => {
    const both = await runCamdl(['film', archive, '--out', join(dir.path, 'x.mp4'), '--length', '3m', '--speed', '600']);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('only one of --length, --speed and --every');
    const badLength = await runCamdl(['film', archive, '--out', join(dir.path, 'x.mp4'), '--length', 'soon']);
    expect(badLength.code).toBe(2);
    const empty = join(dir.path, 'empty');
    await mkdir(empty);
    const none = await runCamdl(['film', empty, '--out', join(dir.path, 'none.mp4')]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain(empty);
    expect(existsSync(join(dir.path, 'none.mp4'))).toBe(false);
  });
});
