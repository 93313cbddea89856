import { errorFromAnotherCopy } from '@camdl/test-utils';
import { describe, expect, it } from 'vitest';
import { HikvisionError, isHikvisionError } from './errors.js';

describe('HikvisionError', () => {
  it('takes (message, { code, …context, cause })', () => {
    const cause = new Error('inner');
    const error = new HikvisionError('refused', { code: 'ERR_HIKVISION_AUTH', url: 'http://nvr/ISAPI/System/time', method: 'GET', status: 401, lockStatus: 'lock', unlockTime: 1800, cause });
    expect(error).toMatchObject({ name: 'HikvisionError', code: 'ERR_HIKVISION_AUTH', status: 401, lockStatus: 'lock', unlockTime: 1800, retryLoginTime: undefined });
    expect(error.cause).toBe(cause);
  });

  it('isHikvisionError accepts another copy of the package, optionally of one code', () => {
    const foreign = errorFromAnotherCopy('HikvisionError', 'x', { code: 'ERR_HIKVISION_AUTH' });
    expect(foreign instanceof HikvisionError).toBe(false);
    expect(isHikvisionError(foreign)).toBe(true);
    expect(isHikvisionError(foreign, 'ERR_HIKVISION_AUTH')).toBe(true);
    expect(isHikvisionError(foreign, 'ERR_HIKVISION_DEVICE')).toBe(false);
    expect(isHikvisionError(errorFromAnotherCopy('AmcrestError', 'x', { code: 'ERR_HIKVISION_AUTH' }))).toBe(false);
  });
});
