import { errorFromAnotherCopy } from '@camdl/test-utils';
import { describe, expect, it } from 'vitest';
import { SyncError, describeCameraError, isSyncError } from './errors.js';

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

describe('describeCameraError', () => {
  const notFound = (url: string): Error => Object.assign(new Error(`[GET] "${url}": HTTP 404`), { status: 404 });

  it('a 404 on a camera hints at kind: with what each kind expects to find', () => {
    expect(describeCameraError(notFound('http://cam/ISAPI/System/deviceInfo'), { kind: 'hikvision' })).toBe(
      '[GET] "http://cam/ISAPI/System/deviceInfo": HTTP 404: the camera has no such page; is kind: hikvision right? (it expects a Hikvision camera or NVR (ISAPI))',
    );
    expect(describeCameraError(notFound('http://cam/axis-cgi/record/list.cgi'), { kind: 'axis-edge' })).toMatch(/is kind: axis-edge right\? \(it expects an Axis camera with edge storage, an SD card or a network share \(VAPIX list\.cgi\)\)$/);
  });

  it('a 404 for one listed recording names the recording, not kind:', () => {
    expect(describeCameraError(notFound('http://cam/ISAPI/ContentMgmt/download'), { kind: 'hikvision' }, 'recording')).toBe(
      '[GET] "http://cam/ISAPI/ContentMgmt/download": HTTP 404: the camera does not have this recording, although it listed it',
    );
  });
});
