import { isAbortError, isOffsiteError, offsiteError, type TargetIdentity } from './errors.js';

export interface RetryPolicy {
  attempts: number;
  retryDelayMs: number;
  signal: AbortSignal | undefined;
}

/** Waits `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Runs `operation` until it succeeds, fails with an error that is not retryable, or `attempts` ran out.
 * The delay doubles each time, with jitter, so several uploads hitting the same throttled server spread out
 * instead of storming it.
 */
export async function withRetries<T>(identity: TargetIdentity, policy: RetryPolicy, operation: (attempt: number) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await operation(attempt);
    } catch (error) {
      if (policy.signal?.aborted || isAbortError(error, policy.signal)) throw abortedError(identity, policy.signal);
      if (!isOffsiteError(error) || !error.retryable || attempt >= policy.attempts) throw error;
      const delay = policy.retryDelayMs * 2 ** (attempt - 1) * (0.5 + Math.random() / 2);
      try {
        await sleep(delay, policy.signal);
      } catch {
        throw abortedError(identity, policy.signal);
      }
    }
  }
}

export function abortedError(identity: TargetIdentity, signal: AbortSignal | undefined) {
  return offsiteError(identity, 'ERR_OFFSITE_ABORTED', 'aborted', { cause: signal?.reason });
}
