import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deterministicBytes, mountTmpfs } from '@camdl/test-utils';
import { download, isDownloadError } from '../src/index.js';
import { leftovers, startHarness, type Harness } from './helpers.js';

let h: Harness;
let tmpfs: string | undefined;
let skipReason: string | undefined;

beforeAll(async () => {
  h = await startHarness({ '/big': { content: deterministicBytes(3 * 1024 * 1024, 5) } });
  const mountPoint = join(h.dir.path, 'tiny');
  if (mountTmpfs(mountPoint, '1m')) tmpfs = mountPoint;
  else skipReason = 'cannot mount a tmpfs (needs root)';
});

afterAll(async () => {
  if (tmpfs) {
    execFileSync('umount', [tmpfs]);
    rmSync(tmpfs, { recursive: true, force: true });
  }
  await h.close();
});

describe('disk errors', () => {
  it('a full disk (1 MiB tmpfs) fails with ERR_DOWNLOAD_DISK and leaves no file', async (context) => {
    if (!tmpfs) {
      context.skip(skipReason);
      return;
    }
    const dest = join(tmpfs, 'big.bin');
    const error = await download(h.server.url('/big'), dest, h.options()).catch((e: unknown) => e);
    expect(isDownloadError(error) && error.code).toBe('ERR_DOWNLOAD_DISK');
    expect(isDownloadError(error) && (error.cause as { code?: string }).code).toBe('ENOSPC');
    expect(isDownloadError(error) && error.message).toMatch(/cannot write to disk \(ENOSPC\)/);
    // Not retried: another attempt cannot help.
    expect(h.server.requests).toHaveLength(1);
    expect(leftovers(dest)).toEqual({ final: false, part: false, sidecar: false });
  });

  it('a missing destination directory fails with ERR_DOWNLOAD_DISK', async () => {
    const dest = join(h.dir.path, 'missing', 'x.bin');
    const error = await download(h.server.url('/big'), dest, h.options()).catch((e: unknown) => e);
    expect(isDownloadError(error) && error.code).toBe('ERR_DOWNLOAD_DISK');
  });
});
