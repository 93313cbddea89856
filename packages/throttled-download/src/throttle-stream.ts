import { Transform, type TransformCallback } from 'node:stream';
import type { RateLimiter } from './rate-limiter.js';

/** Largest slice taken from the limiter at once: keeps shares fair and the flow smooth. */
const SLICE_BYTES = 16 * 1024;
const MIN_SLICE_BYTES = 1024;

/** About 10 ms worth of the rate: a grant runs ahead of the rate by at most one slice. */
function sliceBytes(limiter: RateLimiter): number {
  return Math.max(MIN_SLICE_BYTES, Math.min(SLICE_BYTES, Math.floor(limiter.bytesPerSecond / 100)));
}

export interface ThrottleStreamOptions {
  /** Stops waiting for tokens (the stream errors with the signal's reason). @default undefined */
  signal?: AbortSignal;
}

/**
 * A pass-through Transform that lets bytes out only as fast as `limiter` allows. It holds back its
 * callback while waiting, so backpressure reaches the source (and the TCP window of a socket).
 *
 * @example
 * await pipeline(source, createThrottleStream(new RateLimiter(5)), destination);
 */
export function createThrottleStream(limiter: RateLimiter, options: ThrottleStreamOptions = {}): Transform {
  const { signal } = options;
  return new Transform({
    // Small buffers: what sits in this stream is not yet throttled, and memory must stay flat.
    highWaterMark: SLICE_BYTES,
    transform(this: Transform, chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
      if (limiter.unlimited) {
        callback(null, chunk);
        return;
      }
      const push = async (): Promise<void> => {
        const step = sliceBytes(limiter);
        for (let offset = 0; offset < chunk.length; offset += step) {
          const slice = chunk.subarray(offset, offset + step);
          const wait = limiter.acquire(slice.length, signal);
          if (wait) await wait;
          this.push(slice);
        }
      };
      push().then(() => callback(), callback);
    },
  });
}
