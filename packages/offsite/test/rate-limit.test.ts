import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { RateLimiter } from '@camdl/throttled-download';
import { closeAfterEach, findSystemTool, makeTempDir, startS3Server } from '@camdl/test-utils';
import { describe, expect, it } from 'vitest';
import { createTarget, type OffsiteTarget } from '@camdl/offsite';
import { MIB, s3Options, writeLocalFile } from './helpers.js';

const track = closeAfterEach();

/** A limiter fast enough not to slow the test, counting every byte it lets through. */
class CountingLimiter extends RateLimiter {
  granted = 0;
  constructor() {
    super({ mbps: 100_000 });
  }
  override acquire(bytes: number, signal?: AbortSignal): Promise<void> | undefined {
    this.granted += bytes;
    return super.acquire(bytes, signal);
  }
}

async function sentThroughLimiter(target: OffsiteTarget, dir: string, sizes: number[]): Promise<{ granted: number; total: number }> {
  const limiter = new CountingLimiter();
  let total = 0;
  for (const [index, size] of sizes.entries()) {
    const file = await writeLocalFile(dir, `f${index}.mp4`, size, index + 1);
    await target.put(file.path, `cam/f${index}.mp4`, { size: file.size, sha256: file.sha256, rateLimiter: limiter });
    total += size;
  }
  return { granted: limiter.granted, total };
}

describe('the shared rate limiter meters every byte sent', () => {
  it('s3: a single PUT and every multipart part', async () => {
    const server = track(await startS3Server());
    const work = track(await makeTempDir('camdl-offsite-rate-'));
    const target = track(createTarget(s3Options(server)));
    const { granted, total } = await sentThroughLimiter(target, work.path, [300_000, 11 * MIB]);
    expect(granted).toBe(total);
  });

  it('directory', async () => {
    const work = track(await makeTempDir('camdl-offsite-rate-'));
    await mkdir(join(work.path, 'nas'));
    const target = createTarget({ kind: 'directory', name: 'usb', path: join(work.path, 'nas') });
    const { granted, total } = await sentThroughLimiter(target, work.path, [3 * MIB + 1]);
    expect(granted).toBe(total);
  });

  it.skipIf(findSystemTool('rclone') === undefined)('rclone (what is fed to rclone rcat)', async () => {
    const work = track(await makeTempDir('camdl-offsite-rate-'));
    await mkdir(join(work.path, 'remote'));
    // rclone's local backend: a real rclone call path, no server needed for this property.
    const target = createTarget({ kind: 'rclone', name: 'local', remote: 'here:', env: { RCLONE_CONFIG_HERE_TYPE: 'alias', RCLONE_CONFIG_HERE_REMOTE: join(work.path, 'remote') }, retryDelayMs: 1 });
    const { granted, total } = await sentThroughLimiter(target, work.path, [2 * MIB + 7]);
    expect(granted).toBe(total);
  });
});

describe('an upload stopped while the rate limiter holds it back', () => {
  it('s3: rejects as aborted, with no error escaping from the throttled body', async () => {
    const server = track(await startS3Server());
    const work = track(await makeTempDir('camdl-offsite-rate-'));
    const target = track(createTarget(s3Options(server)));
    const file = await writeLocalFile(work.path, 'slow.mp4', 6 * MIB, 9);
    const uncaught: unknown[] = [];
    const onUncaught = (error: unknown): void => void uncaught.push(error);
    process.on('uncaughtException', onUncaught);
    try {
      const controller = new AbortController();
      // 1 Mbps: the first part takes far longer than the 300 ms before the abort.
      const put = target.put(file.path, 'cam/slow.mp4', { size: file.size, sha256: file.sha256, rateLimiter: new RateLimiter({ mbps: 1 }), signal: controller.signal });
      setTimeout(() => controller.abort(), 300);
      await expect(put).rejects.toMatchObject({ code: 'ERR_OFFSITE_ABORTED' });
      // Whatever the streams do after the abort happens within a few ticks.
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(uncaught).toEqual([]);
    } finally {
      process.off('uncaughtException', onUncaught);
    }
  });
});
