import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkContainerFile } from './container-check.js';

const execFileAsync = promisify(execFile);
const VIDEO = ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc=duration=6:size=160x120:rate=10', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-g', '10'];

/** Byte offsets of every top-level Cluster (`1F 43 B6 75`). */
function clusterOffsets(bytes: Buffer): number[] {
  const out: number[] = [];
  for (let index = bytes.indexOf('1f43b675', 0, 'hex'); index >= 0; index = bytes.indexOf('1f43b675', index + 1, 'hex')) out.push(index);
  return out;
}

/** The file with every Cluster's size made unknown (8 bytes, all value bits set), as a camera streaming an export writes it. */
function unknownClusterSizes(bytes: Buffer): Buffer {
  const pieces: Buffer[] = [];
  let from = 0;
  for (const at of clusterOffsets(bytes)) {
    const sizeLength = Math.clz32(bytes[at + 4] as number) - 23;
    pieces.push(bytes.subarray(from, at + 4), Buffer.from('01ffffffffffffff', 'hex'));
    from = at + 4 + sizeLength;
  }
  pieces.push(bytes.subarray(from));
  return Buffer.concat(pieces);
}

describe('checkContainerFile', () => {
  let dir: string;
  let seekable: Buffer;
  let streamed: Buffer;
  let mp4: Buffer;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'camdl-container-'));
    await execFileAsync('ffmpeg', [...VIDEO, '-f', 'matroska', join(dir, 'seekable.mkv')]);
    // Written to a pipe: a Segment of unknown size and no Duration, as a streamed export.
    const { stdout } = await execFileAsync('ffmpeg', [...VIDEO, '-f', 'matroska', 'pipe:1'], { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 });
    streamed = stdout;
    await execFileAsync('ffmpeg', [...VIDEO, '-movflags', '+faststart', '-f', 'mp4', join(dir, 'whole.mp4')]);
    seekable = await readFile(join(dir, 'seekable.mkv'));
    mp4 = await readFile(join(dir, 'whole.mp4'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const check = async (bytes: Buffer, container: 'matroska' | 'mp4') => {
    const path = join(dir, `probe-${container}`);
    await writeFile(path, bytes);
    return checkContainerFile(path, container);
  };

  it('a whole Matroska file, seekable or streamed, with its duration', async () => {
    const whole = await check(seekable, 'matroska');
    expect(whole).toMatchObject({ ok: true });
    expect(whole.ok && whole.durationSec).toBeCloseTo(6, 1);
    const live = await check(streamed, 'matroska');
    expect(live.ok).toBe(true);
    // No Duration element: the last block's time plus a frame (the track's DefaultDuration).
    expect(live.ok && live.durationSec).toBeCloseTo(6, 2);
  });

  it('a streamed Matroska file whose Clusters have unknown sizes and open with a CRC-32: every block read', async () => {
    const unsized = unknownClusterSizes(streamed);
    expect(unsized.length).toBeGreaterThan(streamed.length);
    const whole = await check(unsized, 'matroska');
    expect(whole.ok && whole.durationSec).toBeCloseTo(6, 2);
    const clusters = clusterOffsets(unsized);
    const short = await check(unsized.subarray(0, clusters[3]), 'matroska');
    expect(short.ok && short.durationSec).toBeCloseTo(3, 2);
  });

  it('a cut Matroska file: inside an element fails, at a cluster boundary the duration tells', async () => {
    for (const size of [seekable.length - 1, Math.floor(seekable.length / 2), 40]) {
      expect(await check(seekable.subarray(0, size), 'matroska'), `seekable cut at ${size}`).toMatchObject({ ok: false });
    }
    expect(await check(streamed.subarray(0, streamed.length - 3), 'matroska')).toMatchObject({ ok: false });
    const clusters = clusterOffsets(streamed);
    expect(clusters.length).toBeGreaterThan(2);
    const atBoundary = await check(streamed.subarray(0, clusters[2]), 'matroska');
    expect(atBoundary.ok).toBe(true);
    expect(atBoundary.ok && atBoundary.durationSec).toBeLessThan(3);
    expect(await check(Buffer.from('<?xml version="1.0"?><GeneralError/>'), 'matroska')).toMatchObject({ ok: false, reason: expect.stringMatching(/not a Matroska/) });
  });

  it('an MP4: its duration from mvhd, a cut one refused', async () => {
    const whole = await check(mp4, 'mp4');
    expect(whole.ok && whole.durationSec).toBeCloseTo(6, 1);
    expect(await check(mp4.subarray(0, mp4.length - 100), 'mp4')).toMatchObject({ ok: false });
  });

  it('a fragmented MP4 written as a stream: its duration from the fragments, one fragment short tells', async () => {
    const { stdout } = await execFileAsync('ffmpeg', [...VIDEO, '-movflags', 'frag_keyframe+empty_moov', '-f', 'mp4', 'pipe:1'], { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 });
    const whole = await check(stdout, 'mp4');
    expect(whole.ok && whole.durationSec).toBeCloseTo(6, 1);
    const moofs: number[] = [];
    for (let index = stdout.indexOf('moof', 0, 'latin1'); index >= 0; index = stdout.indexOf('moof', index + 1, 'latin1')) moofs.push(index - 4);
    const lastFragmentGone = await check(stdout.subarray(0, moofs.at(-1)), 'mp4');
    expect(lastFragmentGone.ok).toBe(true);
    expect(lastFragmentGone.ok && lastFragmentGone.durationSec).toBeCloseTo(5, 1);
    expect(await check(stdout.subarray(0, stdout.length - 10), 'mp4')).toMatchObject({ ok: false });
  });
});
