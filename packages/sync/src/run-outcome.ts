/** How a sync run ended: everything done; something failed (each is in its summary); or stopped by the caller. */
export type SyncOutcome = 'ok' | 'some-failed' | 'interrupted';

/**
 * What the ledger records of each outcome: the run's status, and the exit code `camdl sync` gives it
 * (shown as a run's `exitCode` and by the metric `camdl_last_run_exit_code`). The one place the library
 * names exit codes; the CLI's exit-code table maps the outcomes to the same numbers.
 */
export const RUN_RECORD: Readonly<Record<SyncOutcome, { status: 'ok' | 'failed' | 'interrupted'; exitCode: number }>> = {
  ok: { status: 'ok', exitCode: 0 },
  'some-failed': { status: 'failed', exitCode: 1 },
  interrupted: { status: 'interrupted', exitCode: 130 },
};
