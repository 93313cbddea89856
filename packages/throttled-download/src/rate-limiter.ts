/** 1 Mbps, in bytes per second (megabit, decimal: 1,000,000 bits / 8). */
export const BYTES_PER_SECOND_PER_MBPS = 125_000;

/** A rate: a number is Mbps; `0` means unlimited. */
export type Rate = number | { mbps: number } | { bytesPerSecond: number };

export interface RateLimiterOptions {
  /** Clock in ms, injectable for tests. @default performance.now */
  now?: () => number;
  /**
   * Bucket size: the most tokens saved up while nobody takes them, so the most a consumer can take at
   * once after an idle period or a stall (plus the one slice that may overdraw the bucket). Large enough
   * that a consumer descheduled for a moment (GC, a busy CPU) does not lose its share, small enough that
   * a stall is never followed by a catch-up burst. The bucket starts empty.
   * @default 200 (ms worth of the rate, at least 4 KiB)
   */
  burstMs?: number;
}

interface Waiter {
  priority: number;
  bytes: number;
  resolve: () => void;
  reject: (error: unknown) => void;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

function toBytesPerSecond(rate: Rate): number {
  const value = typeof rate === 'number' ? rate * BYTES_PER_SECOND_PER_MBPS : 'mbps' in rate ? rate.mbps * BYTES_PER_SECOND_PER_MBPS : rate.bytesPerSecond;
  if (!Number.isFinite(value) || value < 0) throw new RangeError(`invalid rate: ${JSON.stringify(rate)}`);
  return value;
}

const MIN_BURST_BYTES = 4 * 1024;
const DEFAULT_BURST_MS = 200;

/**
 * A token bucket shared by any number of concurrent consumers (one global limit for many downloads).
 *
 * - Grants are FIFO, so concurrent consumers get equal shares when they ask in equal slices.
 * - {@link RateLimiter.share} gives a consumer its own view of the bucket with a priority: while tokens
 *   are short, the waiter with the smallest priority is served first (FIFO among equals).
 * - A consumer may take a slice larger than the bucket: the bucket goes into debt and the next
 *   grant waits until it is repaid, so the long-run rate is exact and bursts stay small.
 * - The bucket starts empty and holds at most `burstMs` (200 ms) of tokens: after a stall of any
 *   length, at most one bucket (+ one slice) goes through at once, never a catch-up of the stall.
 * - {@link RateLimiter.setRate} applies at once, to waiting consumers too.
 *
 * @example
 * const limiter = new RateLimiter(10); // 10 Mbps shared by every download given this limiter
 * limiter.setRate({ mbps: 2 });         // slow everyone down while running
 */
export class RateLimiter {
  /**
   * Where this consumer's waits stand among the others of the bucket: smaller is served first, equal
   * ones first come first served. A waiter keeps the priority it had when it asked.
   * @default Infinity (every consumer equal: FIFO)
   */
  priority = Number.POSITIVE_INFINITY;
  /** The limiter whose bucket a share draws on (undefined: this one's own). */
  #bucket: RateLimiter | undefined;
  #bytesPerSecond: number;
  #tokens: number;
  #last: number;
  readonly #now: () => number;
  readonly #burstMs: number;
  readonly #queue: Waiter[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(rate: Rate = 0, options: RateLimiterOptions = {}) {
    this.#now = options.now ?? (() => performance.now());
    this.#burstMs = options.burstMs ?? DEFAULT_BURST_MS;
    if (!Number.isFinite(this.#burstMs) || this.#burstMs < 0) throw new RangeError(`invalid burstMs: ${this.#burstMs}`);
    this.#bytesPerSecond = toBytesPerSecond(rate);
    this.#last = this.#now();
    // Empty at first: a transfer starts at the rate instead of with a bucket-sized burst.
    this.#tokens = 0;
  }

  /**
   * A consumer of this limiter's bucket with its own {@link RateLimiter.priority}: pass it where a
   * `RateLimiter` is taken (a download's `rateLimiter`). Its rate is the bucket's; it has no `setRate`.
   */
  share(priority = Number.POSITIVE_INFINITY): RateLimiter {
    const share = new RateLimiter(0, { now: this.#now, burstMs: this.#burstMs });
    share.#bucket = this.#bucket ?? this;
    share.priority = priority;
    return share;
  }

  /** Current limit in bytes per second; `0` = unlimited. */
  get bytesPerSecond(): number {
    return this.#bucket ? this.#bucket.bytesPerSecond : this.#bytesPerSecond;
  }

  /** Current limit in Mbps; `0` = unlimited. */
  get mbps(): number {
    return this.bytesPerSecond / BYTES_PER_SECOND_PER_MBPS;
  }

  /** Whether there is no limit right now. */
  get unlimited(): boolean {
    return this.bytesPerSecond === 0;
  }

  /** Changes the limit while consumers are running (a number is Mbps, `0` = unlimited). */
  setRate(rate: Rate): void {
    if (this.#bucket) throw new RangeError('a share takes the rate of the limiter it shares');
    const next = toBytesPerSecond(rate);
    this.#refill();
    this.#bytesPerSecond = next;
    this.#tokens = Math.min(this.#tokens, this.#capacity());
    this.#drain();
  }

  /**
   * Takes `bytes` tokens: returns `undefined` when granted at once (no promise, so an unlimited
   * limiter costs nothing), else a promise that resolves when granted or rejects when `signal` aborts.
   */
  acquire(bytes: number, signal?: AbortSignal): Promise<void> | undefined {
    return (this.#bucket ?? this).#take(bytes, signal, this.priority);
  }

  #take(bytes: number, signal: AbortSignal | undefined, priority: number): Promise<void> | undefined {
    if (this.#bytesPerSecond === 0) return undefined;
    if (this.#queue.length === 0) {
      this.#refill();
      if (this.#tokens > 0) {
        this.#tokens -= bytes;
        return undefined;
      }
    }
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { priority, bytes, resolve, reject, signal, onAbort: undefined };
      if (signal) {
        waiter.onAbort = () => {
          const index = this.#queue.indexOf(waiter);
          if (index >= 0) this.#queue.splice(index, 1);
          reject(signal.reason);
          this.#drain();
        };
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      // Behind every waiter of the same or a smaller priority: FIFO among equals.
      const before = this.#queue.findIndex((queued) => queued.priority > priority);
      this.#queue.splice(before < 0 ? this.#queue.length : before, 0, waiter);
      this.#schedule();
    });
  }

  #capacity(): number {
    return Math.max(MIN_BURST_BYTES, (this.#bytesPerSecond * this.#burstMs) / 1000);
  }

  #refill(): void {
    const now = this.#now();
    const elapsed = Math.max(0, now - this.#last);
    this.#last = now;
    this.#tokens = Math.min(this.#capacity(), this.#tokens + (elapsed * this.#bytesPerSecond) / 1000);
  }

  #drain(): void {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    this.#refill();
    while (this.#queue.length > 0 && (this.#bytesPerSecond === 0 || this.#tokens > 0)) {
      const waiter = this.#queue.shift() as Waiter;
      if (this.#bytesPerSecond !== 0) this.#tokens -= waiter.bytes;
      if (waiter.signal && waiter.onAbort) waiter.signal.removeEventListener('abort', waiter.onAbort);
      waiter.resolve();
    }
    this.#schedule();
  }

  #schedule(): void {
    if (this.#timer !== undefined || this.#queue.length === 0) return;
    const deficit = Math.max(0, -this.#tokens) + 1;
    const delay = Math.max(1, (deficit / this.#bytesPerSecond) * 1000);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#drain();
    }, delay);
  }
}
