import { errorFromAnotherCopy } from '@camdl/test-utils';
import { describe, expect, it } from 'vitest';
import { MediaError, isMediaError } from './errors.js';

describe('MediaError', () => {
  it('takes (message, { code, context, cause })', () => {
    const cause = new Error('exit 1');
    const error = new MediaError('ffmpeg failed', { code: 'ERR_FFMPEG_FAILED', path: '/tmp/a.mp4', stderr: 'moov atom not found', cause });
    expect(error).toMatchObject({ name: 'MediaError', message: 'ffmpeg failed', code: 'ERR_FFMPEG_FAILED', path: '/tmp/a.mp4', stderr: 'moov atom not found' });
    expect(error.cause).toBe(cause);
  });

  it('isMediaError accepts its own class and another copy of the package, optionally of one code', () => {
    const foreign = errorFromAnotherCopy('MediaError', 'x', { code: 'ERR_FFMPEG_NOT_FOUND' });
    expect(foreign instanceof MediaError).toBe(false);
    expect(isMediaError(new MediaError('x', { code: 'ERR_MEDIA_ABORTED' }))).toBe(true);
    expect(isMediaError(foreign)).toBe(true);
    expect(isMediaError(foreign, 'ERR_FFMPEG_NOT_FOUND')).toBe(true);
    expect(isMediaError(foreign, 'ERR_MEDIA_ABORTED')).toBe(false);
    expect(isMediaError(errorFromAnotherCopy('MediaError', 'x', {}))).toBe(false);
    expect(isMediaError(errorFromAnotherCopy('SyncError', 'x', { code: 'ERR_FFMPEG_NOT_FOUND' }))).toBe(false);
  });
});
