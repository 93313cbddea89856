import { describe, expect, it } from 'vitest';
import { RateLimiter } from './rate-limiter.js';
import { transferOptions } from './transfer-options.js';

describe('transferOptions', () => {
  it('takes the six transfer options of a wider object and nothing else', () => {
    const rateLimiter = new RateLimiter({ mbps: 8 });
    const wider = { rateLimiter, rateLimitMbps: 2, maxRetries: 1, retryDelay: 10, timeout: 500, sha256: true, directory: '/tmp', signal: AbortSignal.abort() };
    expect(transferOptions(wider)).toEqual({ rateLimiter, rateLimitMbps: 2, maxRetries: 1, retryDelay: 10, timeout: 500, sha256: true });
    expect(Object.keys(transferOptions({}))).toEqual(['rateLimiter', 'rateLimitMbps', 'maxRetries', 'retryDelay', 'timeout', 'sha256']);
  });
});
