import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deterministicBytes, sha256, sha256File } from '@camdl/test-utils';
import { createThrottleStream, download, RateLimiter } from '../src/index.js';
import { startHarness, type Harness } from './helpers.js';

const SECONDS = 2;
const mbpsBytes = (mbps: number): number => mbps * 125_000;

let h: Harness;
const files: Record<string, Buffer> = {
  '/1': deterministicBytes(mbpsBytes(1) * SECONDS, 1),
  '/10': deterministicBytes(mbpsBytes(10) * SECONDS, 10),
  '/90': deterministicBytes(mbpsBytes(90) * SECONDS, 90),
  '/quarter': deterministicBytes((mbpsBytes(10) * SECONDS) / 4, 4),
};
beforeAll(async () => {
  h = await startHarness(Object.fromEntries(Object.entries(files).map(([path, content]) => [path, { content }])));
});
afterAll(async () => {
  await h.close();
});

/** achieved / target over a transfer of `bytes`. */
function ratio(bytes: number, ms: number, mbps: number): number {
  return bytes / (ms / 1000) / mbpsBytes(mbps);
}

describe('rate limit accuracy (real time, generous bounds; precise figures are in bench/)', () => {
  it.each([1, 10, 90])('one download at %i Mbps', async (mbps) => {
    const dest = h.dest(`rate-${mbps}.bin`);
    const started = performance.now();
    const result = await download(h.server.url(`/${mbps}`), dest, { rateLimitMbps: mbps });
    const elapsed = performance.now() - started;
    expect(ratio(result.bytes, elapsed, mbps)).toBeGreaterThan(0.9);
    expect(ratio(result.bytes, elapsed, mbps)).toBeLessThan(1.1);
    expect(await sha256File(dest)).toBe(sha256(files[`/${mbps}`] as Buffer));
  });

  it('four downloads sharing one 10 Mbps limiter: the sum is the limit, each gets a quarter', async () => {
    const limiter = new RateLimiter(10);
    const started = performance.now();
    const finished: number[] = [];
    const results = await Promise.all(
      [0, 1, 2, 3].map(async (i) => {
        const result = await download(h.server.url('/quarter'), h.dest(`shared-${i}.bin`), { rateLimiter: limiter });
        finished.push(performance.now() - started);
        return result;
      }),
    );
    const total = results.reduce((sum, r) => sum + r.bytes, 0);
    const elapsed = Math.max(...finished);
    expect(ratio(total, elapsed, 10)).toBeGreaterThan(0.9);
    expect(ratio(total, elapsed, 10)).toBeLessThan(1.1);
    // Fair shares: all four finish together, each at about 2.5 Mbps.
    for (const [i, ms] of finished.entries()) {
      expect(ratio(results[i]?.bytes ?? 0, ms, 2.5), `download ${i}`).toBeGreaterThan(0.85);
      expect(ratio(results[i]?.bytes ?? 0, ms, 2.5), `download ${i}`).toBeLessThan(1.15);
    }
  });

  it('applies setRate() while running', async () => {
    const limiter = new RateLimiter(2);
    const timer = setTimeout(() => limiter.setRate({ mbps: 18 }), 500);
    const started = performance.now();
    // 2 Mbps for 0.5 s (125 kB), then 18 Mbps for the remaining 2.375 MB: about 1.56 s in all.
    const result = await download(h.server.url('/10'), h.dest('set-rate.bin'), { rateLimiter: limiter });
    clearTimeout(timer);
    const elapsed = performance.now() - started;
    expect(result.bytes).toBe(mbpsBytes(10) * SECONDS);
    expect(elapsed).toBeGreaterThan(1400);
    expect(elapsed).toBeLessThan(1800);
  });

  it('createThrottleStream() throttles any pipeline', async () => {
    const data = deterministicBytes(500_000, 3);
    let received = 0;
    const started = performance.now();
    await pipeline(
      Readable.from([data.subarray(0, 250_000), data.subarray(250_000)]),
      createThrottleStream(new RateLimiter(4)),
      new Writable({
        write(chunk: Buffer, _encoding, callback) {
          received += chunk.length;
          callback();
        },
      }),
    );
    const elapsed = performance.now() - started;
    expect(received).toBe(500_000);
    expect(ratio(received, elapsed, 4)).toBeGreaterThan(0.9);
    expect(ratio(received, elapsed, 4)).toBeLessThan(1.1);
  });
});
