import { open, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, type TempDir } from '@camdl/test-utils';
import { isArchiveContentType, timelapse2V1FileSize, verifyArchiveFile } from './verify-archive-file.js';

let dir: TempDir;
beforeAll(async () => {
  dir = await makeTempDir('camdl-verify-');
});
afterAll(async () => {
  await dir.cleanup();
});

function mp4(size: number): Buffer {
  const bytes = Buffer.alloc(size, 7);
  bytes.writeUInt32BE(16, 0);
  bytes.write('ftypisom', 4, 'latin1');
  bytes.writeUInt32BE(size - 16, 16);
  bytes.write('mdat', 20, 'latin1');
  return bytes;
}

function avi(size: number, riffSize = size - 8): Buffer {
  const bytes = Buffer.alloc(size, 3);
  bytes.write('RIFF', 0, 'latin1');
  bytes.writeUInt32LE(riffSize, 4);
  bytes.write('AVI LIST', 8, 'latin1');
  return bytes;
}

async function check(name: string, bytes: Buffer, listed: number | undefined, api: 'timelapse3' | 'timelapse2-v1', raw: Record<string, unknown> = {}) {
  const path = join(dir.path, name);
  await writeFile(path, bytes);
  return verifyArchiveFile(path, { filename: name, size: listed, raw }, api);
}

describe('verifyArchiveFile', () => {
  it('3.x: an MP4 whose boxes tile the file and whose size is the listed one', async () => {
    expect(await check('a.mp4', mp4(5000), 5000, 'timelapse3')).toEqual({ ok: true });
    expect(await check('b.mp4', mp4(5000), 6000, 'timelapse3')).toMatchObject({ ok: false, reason: expect.stringMatching(/5000 bytes, the camera lists 6000/) });
    expect(await check('c.mp4', mp4(5000), undefined, 'timelapse3')).toMatchObject({ ok: false });
    // Truncated: the mdat box says more than the file has.
    const cut = mp4(5000).subarray(0, 4000);
    expect(await check('d.mp4', cut, 4000, 'timelapse3')).toMatchObject({ ok: false, reason: expect.stringMatching(/truncated/) });
    expect(await check('e.mp4', Buffer.from('<html>error</html>'), 18, 'timelapse3')).toMatchObject({ ok: false, reason: expect.stringMatching(/not an MP4/) });
    // A name that says nothing: the listing's container decides.
    expect(await check('f.mp4.part', mp4(3000), 3000, 'timelapse3', { container: 'mp4' })).toEqual({ ok: true });
  });

  it('1.x: an AVI whose RIFF size fits, at least as large as the listed JPEG payload', async () => {
    expect(await check('a.avi', avi(4000), 3000, 'timelapse2-v1')).toEqual({ ok: true });
    expect(await check('b.avi', avi(4000, 9000), 3000, 'timelapse2-v1')).toMatchObject({ ok: false, reason: expect.stringMatching(/truncated/) });
    expect(await check('c.avi', avi(2000), 3000, 'timelapse2-v1')).toMatchObject({ ok: false, reason: expect.stringMatching(/less than/) });
    expect(await check('d.avi', Buffer.alloc(4000, 0x41), 3000, 'timelapse2-v1')).toMatchObject({ ok: false, reason: expect.stringMatching(/not an AVI/) });
  });

  it('1.0–1.1.2: the RIFF size 16 bytes past the end is accepted only at the exact 1.x layout size', async () => {
    // 10 frames, 3000 payload bytes: 248 + 240 + 3000 = 3488 bytes; the live header said 3488 + 8.
    expect(timelapse2V1FileSize({ size: 3000, frames: 10 })).toBe(3488);
    expect(timelapse2V1FileSize({ size: 3000, frames: undefined })).toBeUndefined();
    const old = avi(3488, 3488 + 8);
    expect(await check('old.avi', old, 3000, 'timelapse2-v1', { frames: 10 })).toEqual({ ok: true });
    // The same header on a file of any other size is a truncated one.
    expect(await check('cut.avi', avi(3480, 3488 + 8), 3000, 'timelapse2-v1', { frames: 10 })).toMatchObject({ ok: false, reason: expect.stringMatching(/truncated/) });
    expect(await check('nof.avi', old, 3000, 'timelapse2-v1')).toMatchObject({ ok: false, reason: expect.stringMatching(/truncated/) });
  });

  it('reads headers only: a 5 GiB sparse archive is checked in constant memory (64-bit mdat, OpenDML AVI)', async () => {
    const size = 5 * 1024 ** 3;
    const sparse = async (name: string, head: Buffer, length: number): Promise<string> => {
      const path = join(dir.path, name);
      const handle = await open(path, 'w');
      try {
        await handle.write(head, 0, head.length, 0);
        await handle.truncate(length);
      } finally {
        await handle.close();
      }
      return path;
    };
    const mp4Head = Buffer.alloc(32);
    mp4Head.writeUInt32BE(16, 0);
    mp4Head.write('ftypisom', 4, 'latin1');
    mp4Head.writeUInt32BE(1, 16);
    mp4Head.write('mdat', 20, 'latin1');
    mp4Head.writeBigUInt64BE(BigInt(size - 16), 24);
    const rss = process.memoryUsage().rss;
    const big = await sparse('big.mp4', mp4Head, size);
    expect(await verifyArchiveFile(big, { filename: 'big.mp4', size, raw: {} }, 'timelapse3')).toEqual({ ok: true });
    const cut = await sparse('cut.mp4', mp4Head, size - 1);
    expect(await verifyArchiveFile(cut, { filename: 'cut.mp4', size: size - 1, raw: {} }, 'timelapse3')).toMatchObject({ ok: false, reason: expect.stringMatching(/truncated/) });
    // The first RIFF chunk of an OpenDML AVI says at most 4 GiB; RIFF AVIX chunks follow.
    const bigAvi = await sparse('big.avi', avi(12, 0xffff_fff0 - 8), size);
    expect(await verifyArchiveFile(bigAvi, { filename: 'big.avi', size: size - 100_000, raw: {} }, 'timelapse2-v1')).toEqual({ ok: true });
    // Nothing of the 5 GiB was held: far less than one file's worth of memory was used.
    expect(process.memoryUsage().rss - rss).toBeLessThan(256 * 1024 ** 2);
  });

  it('a missing file is not the archive', async () => {
    expect(await verifyArchiveFile(join(dir.path, 'missing.avi'), { filename: 'missing.avi', size: 1, raw: {} }, 'timelapse2-v1')).toMatchObject({ ok: false });
  });
});

describe('isArchiveContentType', () => {
  it.each([
    ['video/mp4', true],
    ['video/x-msvideo', true],
    ['application/octet-stream', true],
    [undefined, true],
    ['text/html; charset=utf-8', false],
    ['text/plain', false],
    ['application/json', false],
    ['application/xhtml+xml', false],
  ])('%s → %s', (type, expected) => {
    expect(isArchiveContentType(type)).toBe(expected);
  });
});
