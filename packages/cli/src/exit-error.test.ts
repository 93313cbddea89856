import { join } from 'node:path';
import { sqliteAvailable, type SyncOutcome } from '@camdl/sync';
import { Ledger } from '@camdl/sync/testing';
import { closeAfterEach, errorFromAnotherCopy, makeTempDir } from '@camdl/test-utils';
import { describe, expect, it } from 'vitest';
import { EXIT_CODES, ExitError, isExitError, syncExitCode } from './exit-error.js';

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

describe.skipIf(!sqliteAvailable())('syncExitCode', () => {
  const track = closeAfterEach();

  it('gives each sync outcome its exit code, the one the ledger records for the run (and the metrics show)', async () => {
    const dir = track(await makeTempDir());
    const ledger = Ledger.open(join(dir.path, 'ledger.sqlite'));
    try {
      for (const outcome of ['ok', 'some-failed', 'interrupted'] as const) {
        const run = ledger.startRun({ dryRun: false });
        ledger.finishRun(run, outcome);
        expect(ledger.runs().find((row) => row.id === run)?.exitCode).toBe(syncExitCode(outcome));
      }
    } finally {
      ledger.close();
    }
    expect((['ok', 'some-failed', 'interrupted'] as SyncOutcome[]).map(syncExitCode)).toEqual([EXIT_CODES.ok, EXIT_CODES.someFailed, EXIT_CODES.interrupted]);
  });
});
