import { execFileSync } from 'node:child_process';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir, mountTmpfs, sha256, type TempDir } from '@camdl/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTarget, isOffsiteError } from '@camdl/offsite';

let work: TempDir;
let tiny: string | undefined;
let skipReason: string | undefined;

beforeAll(async () => {
  work = await makeTempDir('camdl-offsite-full-');
  const mountPoint = join(work.path, 'tiny');
  if (mountTmpfs(mountPoint, '1m')) tiny = mountPoint;
  else skipReason = 'cannot mount a tmpfs (needs root)';
});

afterAll(async () => {
  if (tiny) execFileSync('umount', [tiny]);
  await work?.cleanup();
});

describe('a full local disk during a restore', () => {
  it('fails with one clear line naming the local file and the full disk, leaving nothing behind', async (context) => {
    if (!tiny) return context.skip(skipReason);
    const root = join(work.path, 'nas');
    await mkdir(join(root, 'cam'), { recursive: true });
    const content = Buffer.alloc(3 * 1024 * 1024, 'recording');
    await writeFile(join(root, 'cam/a.mp4'), content);
    const target = createTarget({ kind: 'directory', name: 'usb', path: root, retryDelayMs: 1 });
    const localFile = join(tiny, 'restored', 'a.mp4');
    const error: unknown = await target.get('cam/a.mp4', localFile, { expectedSha256: sha256(content) }).catch((caught: unknown) => caught);
    expect(isOffsiteError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'ERR_OFFSITE_LOCAL_DISK', retryable: false });
    const message = (error as Error).message;
    expect(message).toContain(localFile);
    expect(message).toMatch(/local disk is full \(ENOSPC\)/);
    expect(message).not.toMatch(/\n|target or raise its quota/);
    expect(await readdir(join(tiny, 'restored'))).toEqual([]);
  });
});
