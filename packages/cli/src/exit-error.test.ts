import { errorFromAnotherCopy } from '@camdl/test-utils';
import { describe, expect, it } from 'vitest';
import { EXIT_CODES, ExitError, isExitError } from './exit-error.js';

describe('ExitError', () => {
  it('takes (message, { exitCode, cause }) and carries the stable code ERR_CAMDL_EXIT', () => {
    const cause = new Error('inner');
    const error = new ExitError('bad flag', { exitCode: EXIT_CODES.usage, cause });
    expect(error).toMatchObject({ name: 'ExitError', message: 'bad flag', code: 'ERR_CAMDL_EXIT', exitCode: 2 });
    expect(error.cause).toBe(cause);
  });

  it('isExitError accepts its own class and another copy of the package', () => {
    expect(isExitError(new ExitError('', { exitCode: 1 }))).toBe(true);
    expect(isExitError(errorFromAnotherCopy('ExitError', 'x', { code: 'ERR_CAMDL_EXIT', exitCode: 3 }))).toBe(true);
    expect(isExitError(errorFromAnotherCopy('ExitError', 'x', { code: 'ERR_CAMDL_EXIT' }))).toBe(false);
    expect(isExitError(errorFromAnotherCopy('ExitError', 'x', { code: 'ERR_OTHER', exitCode: 3 }))).toBe(false);
  });
});
