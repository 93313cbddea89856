import type { DownloadOptions } from './types.js';

/**
 * The transfer options a camera library takes and hands to every download it makes: declared once here, with
 * their defaults, instead of once per library. Pass them on with {@link transferOptions}.
 */
export type TransferOptions = Pick<DownloadOptions, 'rateLimiter' | 'rateLimitMbps' | 'maxRetries' | 'retryDelay' | 'timeout' | 'sha256'>;

/** The {@link TransferOptions} of a wider options object, for a `download()` call (an undefined one keeps its default). */
export function transferOptions(options: TransferOptions): TransferOptions {
  const { rateLimiter, rateLimitMbps, maxRetries, retryDelay, timeout, sha256 } = options;
  return { rateLimiter, rateLimitMbps, maxRetries, retryDelay, timeout, sha256 };
}
