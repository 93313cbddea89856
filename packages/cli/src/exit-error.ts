import type { SyncOutcome } from '@camdl/sync';

/**
 * Exit codes of every camdl command, named for what they mean; the numbers are the seed tools'.
 * Several meanings share a number (2: the run could not start or list anything).
 */
export const EXIT_CODES = {
  /** Everything downloaded or skipped (also: nothing to do). */
  ok: 0,
  /** Some downloads failed; the others were saved. */
  someFailed: 1,
  /** Bad flags or values (`--help` lists them). */
  usage: 2,
  /** Could not list or search (auth, network, bad response). */
  listingFailed: 2,
  /** A program the command needs is missing (ffmpeg). */
  missingTool: 2,
  /** The output file exists and `--overwrite` was not given, or its directory cannot be made: nothing was downloaded. */
  outputExists: 2,
  /** `amcrest-dl`: the merge failed (ffmpeg error or duration check); the parts are kept. */
  mergeFailed: 3,
  /** Ctrl+C (128 + SIGINT). */
  interrupted: 130,
  /** SIGTERM (128 + 15): stopped at once, like a second Ctrl+C. */
  terminated: 143,
} as const;

export type ExitCode = (typeof EXIT_CODES)[keyof typeof EXIT_CODES];

/** The exit code of a sync run's outcome (`camdl sync`, `camdl get`, and a sync's `--json` `run-done`). */
export function syncExitCode(outcome: SyncOutcome): ExitCode {
  return outcome === 'ok' ? EXIT_CODES.ok : outcome === 'interrupted' ? EXIT_CODES.interrupted : EXIT_CODES.someFailed;
}

/**
 * Thrown anywhere in a CLI to end it with a message and an exit code; the bin's single top-level
 * catch prints `message` (when non-empty) to stderr and exits with `exitCode`.
 */
export class ExitError extends Error {
  override readonly name = 'ExitError';
  readonly code = 'ERR_CAMDL_EXIT';
  readonly exitCode: number;

  constructor(message: string, options: { exitCode: number; cause?: unknown }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.exitCode = options.exitCode;
  }
}

/** Type guard for {@link ExitError}, also across package copies (checks `name` and `code`). */
export function isExitError(error: unknown): error is ExitError {
  return (
    error instanceof ExitError ||
    (error instanceof Error && error.name === 'ExitError' && (error as { code?: unknown }).code === 'ERR_CAMDL_EXIT' && typeof (error as { exitCode?: unknown }).exitCode === 'number')
  );
}
