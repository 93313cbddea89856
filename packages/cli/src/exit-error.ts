/** Exit codes shared by both CLIs (the seed tools' codes). */
export const EXIT_CODES = {
  /** Everything downloaded or skipped. */
  ok: 0,
  /** Some downloads failed; the others were saved. */
  someFailed: 1,
  /** Could not list/search (auth, network, bad response) or a usage error. */
  listFailed: 2,
  /** Interrupted by Ctrl+C (128 + SIGINT). */
  interrupted: 130,
} as const;

/**
 * Thrown anywhere in a CLI to end it with a message and an exit code; the bin's single top-level
 * catch prints `message` (when non-empty) to stderr and exits with `exitCode`.
 */
export class ExitError extends Error {
  override name = 'ExitError';
  readonly exitCode: number;

  constructor(message: string, exitCode: number, options?: { cause?: unknown }) {
    super(message, options);
    this.exitCode = exitCode;
  }
}

export function isExitError(error: unknown): error is ExitError {
  return error instanceof ExitError;
}
