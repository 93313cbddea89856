import { describe, expect, it } from 'vitest';
import { RateLimiter } from './rate-limiter.js';

describe('RateLimiter', () => {
  it('treats numbers as Mbps (1 Mbps = 125,000 B/s) and 0 as unlimited', () => {
    expect(new RateLimiter(8).bytesPerSecond).toBe(1_000_000);
    expect(new RateLimiter({ bytesPerSecond: 5000 }).mbps).toBe(0.04);
    const unlimited = new RateLimiter(0);
    expect(unlimited.acquire(10_000_000)).toBeUndefined();
    expect(() => new RateLimiter(-1)).toThrow(RangeError);
  });

  it('never bursts more than the small bucket after a long idle period', () => {
    let now = 0;
    const limiter = new RateLimiter({ bytesPerSecond: 1_000_000 }, { now: () => now });
    // 50 ms worth = 50,000 bytes fits at once ...
    expect(limiter.acquire(50_000)).toBeUndefined();
    now += 10_000; // a 10 s stall
    // ... and after the stall, still only one bucket: the second grant must wait.
    expect(limiter.acquire(50_000)).toBeUndefined();
    const pending = limiter.acquire(1);
    expect(pending).toBeInstanceOf(Promise);
    limiter.setRate(0);
    return pending;
  });

  it('rejects a waiting grant when its signal aborts', async () => {
    const limiter = new RateLimiter({ bytesPerSecond: 1000 });
    limiter.acquire(100_000);
    const controller = new AbortController();
    const pending = limiter.acquire(10, controller.signal);
    controller.abort(new Error('stop'));
    await expect(pending).rejects.toThrow('stop');
  });

  it('serves waiters in FIFO order', async () => {
    const limiter = new RateLimiter({ bytesPerSecond: 200_000 });
    limiter.acquire(20_000);
    const order: number[] = [];
    await Promise.all([1, 2, 3, 4].map((n) => limiter.acquire(5000)?.then(() => order.push(n))));
    expect(order).toEqual([1, 2, 3, 4]);
  });
});
