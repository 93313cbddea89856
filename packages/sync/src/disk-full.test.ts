import { describe, expect, it } from 'vitest';
import { diskFullReason, isDiskFull } from './disk-full.js';

describe('isDiskFull', () => {
  it('knows ENOSPC and EDQUOT anywhere in the cause chain, and SQLite FULL (also extended codes)', () => {
    const enospc = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    const wrapped = Object.assign(new Error('[GET] "http://camera/x": cannot write to disk (ENOSPC)', { cause: enospc }), { code: 'ERR_DOWNLOAD_DISK' });
    expect(isDiskFull(wrapped)).toBe(true);
    expect(diskFullReason(wrapped)).toBe('ENOSPC');
    expect(isDiskFull(Object.assign(new Error('quota'), { code: 'EDQUOT' }))).toBe(true);
    const sqlite = Object.assign(new Error('database or disk is full'), { code: 'ERR_SQLITE_ERROR', errcode: 13, errstr: 'database or disk is full' });
    expect(isDiskFull(sqlite)).toBe(true);
    expect(diskFullReason(sqlite)).toBe('the ledger: database or disk is full');
    expect(isDiskFull(Object.assign(new Error('full'), { code: 'ERR_SQLITE_ERROR', errcode: 13 | (1 << 8) }))).toBe(true);
  });

  it('is false for other disk and network errors, busy databases and non-errors', () => {
    expect(isDiskFull(Object.assign(new Error('denied'), { code: 'EACCES' }))).toBe(false);
    expect(isDiskFull(Object.assign(new Error('reset'), { code: 'ECONNRESET' }))).toBe(false);
    expect(isDiskFull(Object.assign(new Error('database is locked'), { code: 'ERR_SQLITE_ERROR', errcode: 5 }))).toBe(false);
    expect(isDiskFull(undefined)).toBe(false);
    expect(isDiskFull('ENOSPC')).toBe(false);
    const loop: Error & { cause?: unknown } = new Error('self');
    loop.cause = loop;
    expect(isDiskFull(loop)).toBe(false);
  });
});
