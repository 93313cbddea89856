import { errorFromAnotherCopy } from '@camdl/test-utils';
import { describe, expect, it } from 'vitest';
import { DigestAuthError, isDigestAuthError } from './errors.js';

describe('DigestAuthError', () => {
  it('takes (message, { code, context, cause }) and prefixes the request when a url is given', () => {
    const cause = new Error('inner');
    const error = new DigestAuthError('wrong user or password', {
      code: 'ERR_DIGEST_BAD_CREDENTIALS',
      url: 'http://cam/cgi-bin/x',
      method: 'GET',
      status: 401,
      attempt: 2,
      cause,
    });
    expect(error.message).toBe('[GET] "http://cam/cgi-bin/x": wrong user or password');
    expect(error).toMatchObject({ name: 'DigestAuthError', code: 'ERR_DIGEST_BAD_CREDENTIALS', url: 'http://cam/cgi-bin/x', method: 'GET', status: 401, attempt: 2 });
    expect(error.cause).toBe(cause);
    const bare = new DigestAuthError('bad option', { code: 'ERR_DIGEST_INVALID_OPTIONS' });
    expect(bare.message).toBe('bad option');
    expect(bare.url).toBeUndefined();
    expect('cause' in bare).toBe(false);
  });

  it('isDigestAuthError accepts its own class and another copy of the package, optionally of one code', () => {
    const own = new DigestAuthError('x', { code: 'ERR_DIGEST_NO_CHALLENGE' });
    const foreign = errorFromAnotherCopy('DigestAuthError', 'x', { code: 'ERR_DIGEST_BAD_CREDENTIALS' });
    expect(foreign instanceof DigestAuthError).toBe(false);
    expect(isDigestAuthError(own)).toBe(true);
    expect(isDigestAuthError(own, 'ERR_DIGEST_NO_CHALLENGE')).toBe(true);
    expect(isDigestAuthError(own, 'ERR_DIGEST_BAD_CREDENTIALS')).toBe(false);
    expect(isDigestAuthError(foreign)).toBe(true);
    expect(isDigestAuthError(foreign, 'ERR_DIGEST_BAD_CREDENTIALS')).toBe(true);
    expect(isDigestAuthError(errorFromAnotherCopy('DigestAuthError', 'x', { code: 'ERR_DOWNLOAD_AUTH' }))).toBe(false);
    expect(isDigestAuthError(errorFromAnotherCopy('Error', 'x', { code: 'ERR_DIGEST_BAD_CREDENTIALS' }))).toBe(false);
    expect(isDigestAuthError('ERR_DIGEST_BAD_CREDENTIALS')).toBe(false);
  });
});
