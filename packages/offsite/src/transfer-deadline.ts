import type { RateLimiter } from '@camdl/throttled-download';

/** The slowest link a transfer is given time for, in bytes per second, on top of the fixed deadline. */
const SLOWEST_BYTES_PER_SECOND = 32 * 1024;
/** Uploads assumed to share one limiter at the most, when sizing a deadline under it. */
const MAX_SHARERS = 64;

/**
 * The whole deadline of moving `bytes`: the fixed `timeoutMs` plus their time at a very slow link, or at a
 * small share of the rate limit when that is slower (bytes waiting for the limiter are not the peer's fault).
 * A deadline, not an idle timer: a peer trickling a byte at a time cannot hold a transfer forever.
 */
export function transferDeadlineMs(timeoutMs: number, bytes: number, rateLimiter?: RateLimiter): number {
  const limited = rateLimiter !== undefined && !rateLimiter.unlimited ? rateLimiter.bytesPerSecond / MAX_SHARERS : Number.POSITIVE_INFINITY;
  const rate = Math.max(1, Math.min(SLOWEST_BYTES_PER_SECOND, limited));
  return timeoutMs + Math.ceil((bytes / rate) * 1000);
}
