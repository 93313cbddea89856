import { errorFromAnotherCopy } from '@camdl/test-utils';
import { describe, expect, it } from 'vitest';
import { CameraSimError, isCameraSimError } from './errors.js';

describe('CameraSimError', () => {
  it('takes (message, { code, context, cause })', () => {
    const cause = new Error('EADDRINUSE');
    const error = new CameraSimError('cannot listen', { code: 'ERR_SIM_LISTEN_FAILED', context: { port: 80 }, cause });
    expect(error).toMatchObject({ name: 'CameraSimError', message: 'cannot listen', code: 'ERR_SIM_LISTEN_FAILED', context: { port: 80 } });
    expect(error.cause).toBe(cause);
    expect('cause' in new CameraSimError('bad', { code: 'ERR_SIM_BAD_OPTIONS' })).toBe(false);
  });

  it('isCameraSimError accepts its own class and another copy of the package, optionally of one code', () => {
    const foreign = errorFromAnotherCopy('CameraSimError', 'x', { code: 'ERR_SIM_BAD_OPTIONS' });
    expect(foreign instanceof CameraSimError).toBe(false);
    expect(isCameraSimError(new CameraSimError('x', { code: 'ERR_SIM_FFMPEG_MISSING' }))).toBe(true);
    expect(isCameraSimError(foreign)).toBe(true);
    expect(isCameraSimError(foreign, 'ERR_SIM_BAD_OPTIONS')).toBe(true);
    expect(isCameraSimError(foreign, 'ERR_SIM_LISTEN_FAILED')).toBe(false);
    expect(isCameraSimError(errorFromAnotherCopy('CameraSimError', 'x', { code: 42 }))).toBe(false);
    expect(isCameraSimError(new Error('x'))).toBe(false);
  });
});
