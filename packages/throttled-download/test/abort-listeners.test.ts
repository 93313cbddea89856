import { getEventListeners } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deterministicBytes } from '@camdl/test-utils';
import { download, RateLimiter } from '../src/index.js';
import { startHarness, type Harness } from './helpers.js';

let h: Harness;
const FILES = 6;
beforeAll(async () => {
  h = await startHarness(Object.fromEntries(Array.from({ length: FILES }, (_, index) => [`/f${index}`, { content: deterministicBytes(600_000, index) }])));
});
afterAll(async () => {
  await h.close();
});

describe('abort listeners on the caller’s signal (no MaxListenersExceededWarning however many requests)', () => {
  it('concurrent rate-limited downloads sharing one signal add one listener each, and remove it', async () => {
    const controller = new AbortController();
    const limiter = new RateLimiter({ mbps: 8 });
    const warnings: Error[] = [];
    const onWarning = (warning: Error): void => {
      warnings.push(warning);
    };
    process.on('warning', onWarning);
    let peak = 0;
    const sample = setInterval(() => {
      peak = Math.max(peak, getEventListeners(controller.signal, 'abort').length);
    }, 5);
    try {
      const results = await Promise.all(
        Array.from({ length: FILES }, (_, index) =>
          download(h.server.url(`/f${index}`), h.dest(`listeners-${index}.bin`), { rateLimiter: limiter, signal: controller.signal, fsync: false }),
        ),
      );
      expect(results.every((result) => result.status === 'downloaded')).toBe(true);
    } finally {
      clearInterval(sample);
      process.off('warning', onWarning);
    }
    expect(peak).toBeGreaterThan(0);
    expect(peak).toBeLessThanOrEqual(FILES);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    expect(warnings.filter((warning) => warning.name === 'MaxListenersExceededWarning')).toEqual([]);
  });
});
