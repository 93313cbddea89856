import { errorFromAnotherCopy } from '@camdl/test-utils';
import { describe, expect, it } from 'vitest';
import { SyncError, isSyncError } from './errors.js';

describe('SyncError', () => {
  it('takes (message, { code, context, cause })', () => {
    const cause = new Error('ENOENT');
    const error = new SyncError('camdl.yaml:3: unknown key', { code: 'ERR_SYNC_CONFIG', file: 'camdl.yaml', line: 3, camera: 'gate', cause });
    expect(error).toMatchObject({ name: 'SyncError', message: 'camdl.yaml:3: unknown key', code: 'ERR_SYNC_CONFIG', file: 'camdl.yaml', line: 3, camera: 'gate' });
    expect(error.cause).toBe(cause);
    expect('cause' in new SyncError('busy', { code: 'ERR_SYNC_CAMERA_BUSY' })).toBe(false);
  });

  it('isSyncError accepts its own class and another copy of the package, optionally of one code', () => {
    const foreign = errorFromAnotherCopy('SyncError', 'x', { code: 'ERR_SYNC_LEDGER' });
    expect(foreign instanceof SyncError).toBe(false);
    expect(isSyncError(new SyncError('x', { code: 'ERR_SYNC_PASSWORD' }))).toBe(true);
    expect(isSyncError(new SyncError('x', { code: 'ERR_SYNC_PASSWORD' }), 'ERR_SYNC_LEDGER')).toBe(false);
    expect(isSyncError(foreign)).toBe(true);
    expect(isSyncError(foreign, 'ERR_SYNC_LEDGER')).toBe(true);
    expect(isSyncError(errorFromAnotherCopy('SyncError', 'x', { code: 'ERR_DOWNLOAD_DISK' }))).toBe(false);
    expect(isSyncError(errorFromAnotherCopy('MediaError', 'x', { code: 'ERR_SYNC_LEDGER' }))).toBe(false);
  });
});
