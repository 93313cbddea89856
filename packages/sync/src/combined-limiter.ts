import { RateLimiter } from '@camdl/throttled-download';

/**
 * A limiter that takes its tokens from two buckets: the fleet's global one and a camera's own cap.
 * Passed to the download engine as one `RateLimiter`.
 */
export class CombinedRateLimiter extends RateLimiter {
  readonly #outer: RateLimiter;
  readonly #inner: RateLimiter;

  constructor(outer: RateLimiter, inner: RateLimiter) {
    super(0);
    this.#outer = outer;
    this.#inner = inner;
  }

  override get bytesPerSecond(): number {
    const rates = [this.#outer.bytesPerSecond, this.#inner.bytesPerSecond].filter((rate) => rate > 0);
    return rates.length === 0 ? 0 : Math.min(...rates);
  }

  override get mbps(): number {
    return this.bytesPerSecond / 125_000;
  }

  override get unlimited(): boolean {
    return this.#outer.unlimited && this.#inner.unlimited;
  }

  override setRate(): void {
    throw new RangeError('set the rate on the global or the camera limiter');
  }

  override acquire(bytes: number, signal?: AbortSignal): Promise<void> | undefined {
    const first = this.#inner.acquire(bytes, signal);
    if (first === undefined) return this.#outer.acquire(bytes, signal);
    return first.then(() => this.#outer.acquire(bytes, signal));
  }
}
