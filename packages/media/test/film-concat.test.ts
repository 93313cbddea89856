import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir, missingSystemTools, type TempDir } from '@camdl/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { concatBranch, sequenceExpression } from '../src/film-concat.js';

const skip = missingSystemTools('ffmpeg', 'ffprobe');

/** 40 frames at 10 fps whose blue chroma says the frame's index (64 + 4 × n). */
function makeSource(path: string, container: 'avi' | 'mp4'): void {
  const source = 'color=c=gray:size=64x48:rate=10:duration=4,geq=lum=128:cb=64+4*N:cr=128';
  // H.264 with B-frames and a key frame every 10: frames come out of order and depend on earlier ones.
  const codec = container === 'avi' ? ['-c:v', 'mjpeg', '-q:v', '2', '-pix_fmt', 'yuvj420p'] : ['-c:v', 'libx264', '-preset', 'ultrafast', '-qp', '0', '-bf', '2', '-g', '10', '-keyint_min', '10', '-sc_threshold', '0', '-pix_fmt', 'yuv420p'];
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', source, ...codec, path]);
}

/** The source frame index of every frame `filter` lets through from the concat list. */
function framesThrough(list: string, filter: string): number[] {
  const raw = execFileSync('ffmpeg', ['-v', 'error', '-copyts', '-f', 'concat', '-safe', '0', '-i', list, '-vf', `${filter},scale=1:1,format=yuv444p`, '-fps_mode', 'passthrough', '-f', 'rawvideo', '-']);
  const indexes: number[] = [];
  for (let offset = 0; offset + 3 <= raw.length; offset += 3) indexes.push(Math.round(((raw[offset + 1] as number) - 64) / 4));
  return indexes;
}

/** Presentation times (in the stream's time base, milliseconds here) of the frames `filter` puts out. */
function timesThrough(frames: number, filter: string): number[] {
  // showinfo logs each frame on stderr.
  const run = spawnSync('ffmpeg', ['-v', 'info', '-nostats', '-f', 'lavfi', '-i', `color=size=16x16:rate=10:duration=${frames / 10}`, '-vf', `settb=1/1000,${filter},showinfo`, '-fps_mode', 'passthrough', '-f', 'null', '-'], { encoding: 'utf8' });
  return [...run.stderr.matchAll(/\] n:\s*\d+ pts:\s*(-?\d+)/g)].map((match) => Number(match[1]));
}

describe('sequenceExpression', () => {
  it('is the value itself where nothing repeats, one linear piece per run of equal steps', () => {
    expect(sequenceExpression([7])).toBe('7');
    expect(sequenceExpression([0, 1, 2, 3])).toBe('(0+N*1)');
    // Two runs: 0,2,4 then 10,11.
    expect(sequenceExpression([0, 2, 4, 10, 11])).toBe('if(lt(N,3),(0+N*2),(7+N*1))');
    expect(sequenceExpression([])).toBe('0');
  });
});

describe('concatBranch', () => {
  it('places each stretch after everything the one before may put out, on whole frames', () => {
    const branch = concatBranch([
      { path: '/a.mp4', fps: 10, startSeconds: 0, kept: [3, 5] },
      { path: "/it's.mp4", fps: 10, startSeconds: 0.5, kept: [20] },
    ]);
    // Second stretch: 5 - 3 frames, 16 of reordering, 20 of lead-in and one more: frame 20 lands on frame 39.
    expect(branch.list).toBe(
      ["ffconcat version 1.0", "file '/a.mp4'", 'inpoint 0.300000', 'outpoint 0.550000', 'duration 3.900000', "file '/it'\\''s.mp4'", 'inpoint 2.500000', 'outpoint 2.550000', ''].join('\n'),
    );
    expect(branch.frames).toBe(3);
    expect(branch.select).toBe('if(lt(t,0.1),lt(abs(t-0),0.025),if(lt(t,2.05),lt(abs(t-0.2),0.025),lt(abs(t-3.9),0.025)))');
  });
});

describe.skipIf(skip)('concat branch through real ffmpeg', { timeout: 120_000 }, () => {
  let dir: TempDir;
  beforeAll(async () => {
    dir = await makeTempDir();
    makeSource(join(dir.path, 'b.mp4'), 'mp4');
    makeSource(join(dir.path, 'j.avi'), 'avi');
  });
  afterAll(async () => {
    await dir.cleanup();
  });

  it('keeps exactly the asked frames, in order, whatever the decoder puts out around them', () => {
    const mp4 = join(dir.path, 'b.mp4');
    // Kept frames mid-GOP (decoded from the key frame before), across a key frame, one alone, and a
    // stretch of the same file again: every lead-in and reordered frame must be dropped.
    const stretches = [[4, 7], [9, 10, 13], [35], [0, 1, 2], [28]];
    const branch = concatBranch(stretches.map((kept) => ({ path: mp4, fps: 10, startSeconds: 0, kept })));
    const list = join(dir.path, 'b.txt');
    writeFileSync(list, branch.list);
    expect(framesThrough(list, `select='${branch.select}'`)).toEqual(stretches.flat());
    expect(branch.frames).toBe(stretches.flat().length);
  });

  it('MJPEG stretches of single frames decode only those frames', () => {
    const avi = join(dir.path, 'j.avi');
    const stretches = [[39], [0], [17], [18], [5, 6]];
    const branch = concatBranch(stretches.map((kept) => ({ path: avi, fps: 10, startSeconds: 0, kept })));
    const list = join(dir.path, 'j.txt');
    writeFileSync(list, branch.list);
    expect(framesThrough(list, `select='${branch.select}'`)).toEqual(stretches.flat());
    // Nothing but the kept frames reaches the filter (the demuxer seeks to each and stops after it).
    expect(framesThrough(list, 'null')).toEqual(stretches.flat());
  });

  it('a sequence expression times frame N as asked', () => {
    const values = [5, 6, 7, 100, 102, 104, 3, 1000];
    expect(timesThrough(values.length, `setpts='${sequenceExpression(values)}'`)).toEqual(values);
  });
});
