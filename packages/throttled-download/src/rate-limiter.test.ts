import { afterEach, describe, expect, it, vi } from 'vitest';
import { RateLimiter } from './rate-limiter.js';

describe('RateLimiter', () => {
  it('treats numbers as Mbps (1 Mbps = 125,000 B/s) and 0 as unlimited', () => {
    expect(new RateLimiter(8).bytesPerSecond).toBe(1_000_000);
    expect(new RateLimiter({ bytesPerSecond: 5000 }).mbps).toBe(0.04);
    const unlimited = new RateLimiter(0);
    expect(unlimited.acquire(10_000_000)).toBeUndefined();
    expect(() => new RateLimiter(-1)).toThrow(RangeError);
  });

  it('starts empty and never banks more than burstMs (200 ms) of tokens after an idle period', () => {
    let now = 0;
    const limiter = new RateLimiter({ bytesPerSecond: 1_000_000 }, { now: () => now });
    // Empty at first: one slice may overdraw it, the next must wait.
    now += 0.001;
    expect(limiter.acquire(16_384)).toBeUndefined();
    const first = limiter.acquire(1);
    expect(first).toBeInstanceOf(Promise);
    limiter.setRate({ bytesPerSecond: 1_000_000 });
    now += 10_000; // a 10 s idle period
    limiter.setRate({ bytesPerSecond: 1_000_000 }); // grants the waiter
    // ... then only one bucket (200 ms = 200,000 bytes) is there, not 10 s worth.
    expect(limiter.acquire(199_000)).toBeUndefined();
    expect(limiter.acquire(16_384)).toBeUndefined(); // the overdraw slice
    expect(limiter.acquire(1)).toBeInstanceOf(Promise);
    limiter.setRate(0);
    return first;
  });

  it('a consumer that stalls for 2 s gets no more than one bucket extra afterwards, and loses no rate while flowing', async () => {
    vi.useFakeTimers({ now: 0 });
    try {
      const rate = 1_000_000;
      const slice = 16_384;
      const limiter = new RateLimiter({ bytesPerSecond: rate }, { now: () => Date.now() });
      const bucket = rate * 0.2;
      const grants: [number, number][] = [];
      let stopAt = 0;
      const consume = async (): Promise<void> => {
        while (Date.now() < stopAt) {
          const wait = limiter.acquire(slice);
          if (wait) await wait;
          grants.push([Date.now(), slice]);
        }
      };
      const bytesBetween = (from: number, to: number): number =>
        grants.filter(([time]) => time >= from && time < to).reduce((sum, [, bytes]) => sum + bytes, 0);

      // (Each phase runs the clock 100 ms past its end: the last grant is awaited.)
      stopAt = 1000;
      const flowing = consume();
      await vi.advanceTimersByTimeAsync(1100);
      await flowing;
      // Flowing for 1 s from an empty bucket: the rate, within a slice.
      expect(Math.abs(bytesBetween(0, 1000) - rate)).toBeLessThanOrEqual(slice);

      await vi.advanceTimersByTimeAsync(2000); // the stall: nobody asks for 2 s
      const start = Date.now();
      stopAt = start + 1000;
      const resumed = consume();
      await vi.advanceTimersByTimeAsync(1100);
      await resumed;
      // At once after the stall: at most the bucket (+ one overdrawing slice), not the 2 s missed.
      expect(bytesBetween(start, start + 1)).toBeGreaterThan(0);
      expect(bytesBetween(start, start + 1)).toBeLessThanOrEqual(bucket + slice);
      // Over the second after the stall: the rate plus at most one bucket.
      const after = bytesBetween(start, start + 1000);
      expect(after).toBeLessThanOrEqual(rate + bucket + slice);
      expect(after).toBeGreaterThanOrEqual(rate - slice);
    } finally {
      vi.useRealTimers();
    }
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

afterEach(() => {
  vi.useRealTimers();
});

/** The order in which shares of a 1 Mbps limiter with these priorities are granted these requests. */
async function grantOrder(priorities: Record<string, number>, requests: string[]): Promise<string[]> {
  vi.useFakeTimers();
  const limiter = new RateLimiter(1, { now: () => Date.now() });
  const shares = new Map(Object.entries(priorities).map(([name, priority]) => [name, limiter.share(priority)]));
  const order: string[] = [];
  const waits = requests.map((name, index) => {
    const granted = shares.get(name)!.acquire(10_000);
    expect(granted).toBeInstanceOf(Promise);
    return granted!.then(() => order.push(`${name}${index}`));
  });
  await vi.advanceTimersByTimeAsync(1_000);
  await Promise.all(waits);
  return order;
}

describe('RateLimiter shares: served by priority', () => {
  it('serves the share with the soonest overwrite first, whoever asked first', async () => {
    expect(await grantOrder({ roomy: 500, wrapping: 1 }, ['roomy', 'roomy', 'wrapping', 'wrapping'])).toEqual(['wrapping2', 'wrapping3', 'roomy0', 'roomy1']);
  });

  it('is first come first served among equal priorities (the even share)', async () => {
    expect(await grantOrder({ a: 1, b: 1 }, ['a', 'b', 'a', 'b'])).toEqual(['a0', 'b1', 'a2', 'b3']);
  });

  it('takes the priority a share has when it asks, and keeps the fleet rate', async () => {
    vi.useFakeTimers();
    const start = Date.now();
    const limiter = new RateLimiter(1, { now: () => Date.now() });
    const share = limiter.share();
    expect(share.bytesPerSecond).toBe(125_000);
    expect(share.mbps).toBe(1);
    const other = limiter.share(10);
    const order: string[] = [];
    const first = share.acquire(125_000)!.then(() => order.push('share'));
    const second = other.acquire(125_000)!.then(() => order.push('other'));
    await vi.advanceTimersByTimeAsync(5);
    // The first grant put the bucket a second in debt: the next waits for it.
    expect(order).toEqual(['other']);
    await vi.advanceTimersByTimeAsync(990);
    expect(order).toEqual(['other']);
    await vi.advanceTimersByTimeAsync(20);
    await Promise.all([first, second]);
    expect(order).toEqual(['other', 'share']);
    expect(Date.now() - start).toBeGreaterThanOrEqual(1_000);
  });

  it('grants at once when unlimited and rejects a waiter whose signal aborts', async () => {
    const free = new RateLimiter(0).share(1);
    expect(free.unlimited).toBe(true);
    expect(free.acquire(1e9)).toBeUndefined();
    const limiter = new RateLimiter(1, { now: () => 0 });
    const controller = new AbortController();
    const waiting = limiter.share(1).acquire(10_000, controller.signal);
    controller.abort(new Error('stop'));
    await expect(waiting).rejects.toThrow('stop');
    expect(() => limiter.share().setRate(2)).toThrow(RangeError);
  });
});
