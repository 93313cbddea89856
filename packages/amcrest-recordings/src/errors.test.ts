import { errorFromAnotherCopy } from '@camdl/test-utils';
import { describe, expect, it } from 'vitest';
import { AmcrestError, isAmcrestError } from './errors.js';

describe('AmcrestError', () => {
  it('takes (message, { code, context, cause })', () => {
    const cause = new Error('inner');
    const error = new AmcrestError('bad request', { code: 'ERR_AMCREST_BAD_REQUEST', url: 'http://cam/cgi-bin/x', status: 400, body: 'Error', cause });
    expect(error).toMatchObject({ name: 'AmcrestError', message: 'bad request', code: 'ERR_AMCREST_BAD_REQUEST', url: 'http://cam/cgi-bin/x', status: 400, body: 'Error' });
    expect(error.cause).toBe(cause);
  });

  it('isAmcrestError accepts its own class and another copy of the package, optionally of one code', () => {
    const foreign = errorFromAnotherCopy('AmcrestError', 'x', { code: 'ERR_AMCREST_AUTH' });
    expect(foreign instanceof AmcrestError).toBe(false);
    expect(isAmcrestError(new AmcrestError('x', { code: 'ERR_AMCREST_NETWORK' }))).toBe(true);
    expect(isAmcrestError(foreign)).toBe(true);
    expect(isAmcrestError(foreign, 'ERR_AMCREST_AUTH')).toBe(true);
    expect(isAmcrestError(foreign, 'ERR_AMCREST_NETWORK')).toBe(false);
    expect(isAmcrestError(errorFromAnotherCopy('TimelapseError', 'x', { code: 'ERR_AMCREST_AUTH' }))).toBe(false);
  });
});
