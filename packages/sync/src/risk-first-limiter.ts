import { BYTES_PER_SECOND_PER_MBPS, RateLimiter } from '@camdl/throttled-download';

interface Waiter {
  priority: number;
  order: number;
  bytes: number;
  resolve: () => void;
  reject: (error: unknown) => void;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

/** Options of {@link RiskFirstLimiter}. */
export interface RiskFirstLimiterOptions {
  /** Clock in ms. @default performance.now */
  now?: () => number;
  /** Most tokens saved up while nobody takes them, in ms of the rate (at least 4 KiB). @default 200 */
  burstMs?: number;
}

/**
 * The fleet's bandwidth as a token bucket whose tokens go, whenever some are free, to the waiting
 * consumer with the smallest priority (the camera whose footage the camera overwrites soonest),
 * first come first served among equals. Each camera downloads through its own {@link RiskFirstShare}
 * (a `RateLimiter` for the download engine). While a camera with a sooner overwrite waits, no later
 * one is served; a camera that asks for nothing leaves the bandwidth to the others.
 */
export class RiskFirstLimiter {
  readonly bytesPerSecond: number;
  readonly #now: () => number;
  readonly #capacity: number;
  readonly #queue: Waiter[] = [];
  #tokens = 0;
  #last: number;
  #order = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;

  /** `mbps` 0: unlimited (every share grants at once). */
  constructor(mbps: number, options: RiskFirstLimiterOptions = {}) {
    if (!Number.isFinite(mbps) || mbps < 0) throw new RangeError(`invalid rate: ${mbps}`);
    this.bytesPerSecond = mbps * BYTES_PER_SECOND_PER_MBPS;
    this.#now = options.now ?? (() => performance.now());
    this.#capacity = Math.max(4096, (this.bytesPerSecond * (options.burstMs ?? 200)) / 1000);
    this.#last = this.#now();
  }

  /** A camera's share: its requests wait in this bucket with the share's current priority. */
  share(priority = Number.POSITIVE_INFINITY): RiskFirstShare {
    return new RiskFirstShare(this, priority);
  }

  /** Takes `bytes` for a consumer of `priority`: undefined when granted at once, else a promise (rejected when `signal` aborts). */
  acquire(priority: number, bytes: number, signal?: AbortSignal): Promise<void> | undefined {
    if (this.bytesPerSecond === 0) return undefined;
    if (this.#queue.length === 0) {
      this.#refill();
      if (this.#tokens > 0) {
        this.#tokens -= bytes;
        return undefined;
      }
    }
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { priority, order: this.#order++, bytes, resolve, reject, signal, onAbort: undefined };
      if (signal) {
        waiter.onAbort = () => {
          const index = this.#queue.indexOf(waiter);
          if (index >= 0) this.#queue.splice(index, 1);
          reject(signal.reason);
        };
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      this.#queue.push(waiter);
      this.#schedule();
    });
  }

  #refill(): void {
    const now = this.#now();
    this.#tokens = Math.min(this.#capacity, this.#tokens + (Math.max(0, now - this.#last) * this.bytesPerSecond) / 1000);
    this.#last = now;
  }

  /** Grants the waiting consumers in priority order while the bucket holds tokens. */
  #drain(): void {
    this.#refill();
    while (this.#queue.length > 0 && this.#tokens > 0) {
      let best = 0;
      for (let index = 1; index < this.#queue.length; index += 1) {
        const waiter = this.#queue[index]!;
        const leader = this.#queue[best]!;
        if (waiter.priority < leader.priority || (waiter.priority === leader.priority && waiter.order < leader.order)) best = index;
      }
      const [waiter] = this.#queue.splice(best, 1) as [Waiter];
      this.#tokens -= waiter.bytes;
      if (waiter.signal && waiter.onAbort) waiter.signal.removeEventListener('abort', waiter.onAbort);
      waiter.resolve();
    }
    this.#schedule();
  }

  #schedule(): void {
    if (this.#timer !== undefined || this.#queue.length === 0) return;
    const delay = Math.max(1, ((Math.max(0, -this.#tokens) + 1) / this.bytesPerSecond) * 1000);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#drain();
    }, delay);
  }
}

/** One camera's share of a {@link RiskFirstLimiter}, as the `RateLimiter` its downloads take. */
export class RiskFirstShare extends RateLimiter {
  readonly #limiter: RiskFirstLimiter;
  /** Smaller is served first: the instant the camera overwrites its oldest pending footage. */
  priority: number;

  constructor(limiter: RiskFirstLimiter, priority: number) {
    super(0);
    this.#limiter = limiter;
    this.priority = priority;
  }

  override get bytesPerSecond(): number {
    return this.#limiter.bytesPerSecond;
  }

  override get mbps(): number {
    return this.bytesPerSecond / BYTES_PER_SECOND_PER_MBPS;
  }

  override get unlimited(): boolean {
    return this.bytesPerSecond === 0;
  }

  override setRate(): void {
    throw new RangeError('the fleet bandwidth is fixed for a run');
  }

  override acquire(bytes: number, signal?: AbortSignal): Promise<void> | undefined {
    return this.#limiter.acquire(this.priority, bytes, signal);
  }
}
