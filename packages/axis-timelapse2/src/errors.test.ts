import { errorFromAnotherCopy } from '@camdl/test-utils';
import { describe, expect, it } from 'vitest';
import { TimelapseError, isTimelapseError } from './errors.js';

describe('TimelapseError', () => {
  it('takes (message, { code, context, cause }) and prefixes the request when a url is given', () => {
    const cause = new Error('socket hang up');
    const error = new TimelapseError('not found', {
      code: 'ERR_TIMELAPSE_NOT_FOUND',
      url: 'http://cam/x',
      method: 'DELETE',
      status: 404,
      filename: 'a.zip',
      cause,
    });
    expect(error.message).toBe('[DELETE] "http://cam/x": not found');
    expect(error).toMatchObject({ name: 'TimelapseError', code: 'ERR_TIMELAPSE_NOT_FOUND', url: 'http://cam/x', method: 'DELETE', status: 404, filename: 'a.zip' });
    expect(error.cause).toBe(cause);
    expect(new TimelapseError('bad', { code: 'ERR_TIMELAPSE_INVALID_OPTIONS' }).message).toBe('bad');
    expect(new TimelapseError('x', { code: 'ERR_TIMELAPSE_NETWORK', url: 'http://cam/' }).message).toBe('[GET] "http://cam/": x');
    expect('cause' in new TimelapseError('bad', { code: 'ERR_TIMELAPSE_INVALID_OPTIONS' })).toBe(false);
  });

  it('isTimelapseError accepts its own class and another copy of the package, optionally of one code', () => {
    const own = new TimelapseError('x', { code: 'ERR_TIMELAPSE_NETWORK' });
    const foreign = errorFromAnotherCopy('TimelapseError', 'x', { code: 'ERR_TIMELAPSE_NETWORK' });
    expect(foreign instanceof TimelapseError).toBe(false);
    expect(isTimelapseError(own)).toBe(true);
    expect(isTimelapseError(foreign)).toBe(true);
    expect(isTimelapseError(foreign, 'ERR_TIMELAPSE_NETWORK')).toBe(true);
    expect(isTimelapseError(own, 'ERR_TIMELAPSE_NOT_FOUND')).toBe(false);
    expect(isTimelapseError(errorFromAnotherCopy('TimelapseError', 'x', {}))).toBe(false);
    expect(isTimelapseError(errorFromAnotherCopy('AmcrestError', 'x', { code: 'ERR_TIMELAPSE_NETWORK' }))).toBe(false);
    expect(isTimelapseError({ name: 'TimelapseError', code: 'ERR_TIMELAPSE_NETWORK', message: 'x' })).toBe(false);
    expect(isTimelapseError(undefined)).toBe(false);
  });
});
