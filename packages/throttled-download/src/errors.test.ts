import { errorFromAnotherCopy } from '@camdl/test-utils';
import { describe, expect, it } from 'vitest';
import { DownloadError, isDownloadError } from './errors.js';

describe('DownloadError', () => {
  it('takes (message, { code, context, cause })', () => {
    const cause = new Error('ECONNRESET');
    const error = new DownloadError('reset', { code: 'ERR_DOWNLOAD_NETWORK', url: 'http://cam/a', status: 503, attempt: 3, retryable: true, retryAfterMs: 1000, cause });
    expect(error).toMatchObject({ name: 'DownloadError', message: 'reset', code: 'ERR_DOWNLOAD_NETWORK', url: 'http://cam/a', status: 503, attempt: 3, retryable: true, retryAfterMs: 1000 });
    expect(error.cause).toBe(cause);
    expect(new DownloadError('x', { code: 'ERR_DOWNLOAD_DISK', url: 'http://cam/a' }).retryable).toBe(false);
  });

  it('isDownloadError accepts its own class and another copy of the package, optionally of one code', () => {
    const foreign = errorFromAnotherCopy('DownloadError', 'x', { code: 'ERR_DOWNLOAD_TIMEOUT' });
    expect(foreign instanceof DownloadError).toBe(false);
    expect(isDownloadError(new DownloadError('x', { code: 'ERR_DOWNLOAD_BUSY', url: 'http://cam/a' }))).toBe(true);
    expect(isDownloadError(foreign)).toBe(true);
    expect(isDownloadError(foreign, 'ERR_DOWNLOAD_TIMEOUT')).toBe(true);
    expect(isDownloadError(foreign, 'ERR_DOWNLOAD_DISK')).toBe(false);
    expect(isDownloadError(errorFromAnotherCopy('DownloadError', 'x', { code: 'ERR_DIGEST_BAD_CREDENTIALS' }))).toBe(false);
  });
});
