import { afterEach, describe, expect, it, vi } from 'vitest';
import { RiskFirstLimiter } from './risk-first-limiter.js';

afterEach(() => {
  vi.useRealTimers();
});

async function grantOrder(priorities: Record<string, number>, requests: string[]): Promise<string[]> {
  vi.useFakeTimers();
  const limiter = new RiskFirstLimiter(1, { now: () => Date.now() });
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

describe('RiskFirstLimiter', () => {
  it('serves the share with the soonest overwrite first, whoever asked first', async () => {
    expect(await grantOrder({ roomy: 500, wrapping: 1 }, ['roomy', 'roomy', 'wrapping', 'wrapping'])).toEqual(['wrapping2', 'wrapping3', 'roomy0', 'roomy1']);
  });

  it('is first come first served among equal priorities (the even share)', async () => {
    expect(await grantOrder({ a: 1, b: 1 }, ['a', 'b', 'a', 'b'])).toEqual(['a0', 'b1', 'a2', 'b3']);
  });

  it('takes the priority a share has when it asks, and keeps the fleet rate', async () => {
    vi.useFakeTimers();
    const start = Date.now();
    const limiter = new RiskFirstLimiter(1, { now: () => Date.now() });
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
    const free = new RiskFirstLimiter(0).share(1);
    expect(free.unlimited).toBe(true);
    expect(free.acquire(1e9)).toBeUndefined();
    const limiter = new RiskFirstLimiter(1, { now: () => 0 });
    const controller = new AbortController();
    const waiting = limiter.share(1).acquire(10_000, controller.signal);
    controller.abort(new Error('stop'));
    await expect(waiting).rejects.toThrow('stop');
    expect(() => limiter.share().setRate()).toThrow(RangeError);
  });
});
