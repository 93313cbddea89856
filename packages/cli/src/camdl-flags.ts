import yargs, { type Argv } from 'yargs';
import { ExitError } from './exit-error.js';
import { parseFlags, type FlagsOutcome } from './parse-flags.js';

const USAGE_EXIT = 2;

export function camdlUsageError(message: string): ExitError {
  return new ExitError(`camdl: ${message}`, { exitCode: USAGE_EXIT });
}

/** The exit codes every `camdl` command's `--help` lists. */
const CAMDL_EXIT_HELP: ReadonlyArray<readonly [number, string]> = [
  [0, 'everything in the window archived and verified (status/verify: nothing pending, lost or changed)'],
  [1, 'some file failed or was lost, or a camera could not be reached'],
  [2, 'config or usage error (the message names file:line and the key)'],
  [130, 'interrupted by Ctrl+C'],
  [143, 'terminated by SIGTERM'],
];

/** Parses a sub-command's flags (`--help` prints and exits 0; a bad flag exits 2). */
export function parseCamdlFlags<T>(
  command: string,
  argv: string[],
  build: (parser: Argv) => Argv<T>,
  examples: ReadonlyArray<readonly [string, string]> = [],
): Promise<FlagsOutcome<Awaited<ReturnType<Argv<T>['parseAsync']>>>> {
  const parser = build(yargs(argv).scriptName(`camdl ${command}`).strict().parserConfiguration({ 'camel-case-expansion': true }));
  return parseFlags(parser, {
    argv,
    print: (text) => process.stdout.write(`${text}\n`),
    usageError: camdlUsageError,
    help: { examples, exitCodes: CAMDL_EXIT_HELP },
  });
}

/** Maps errors of `@camdl/sync` to the exit codes of the contract (config errors → 2). */
export function toCamdlExit(error: unknown): never {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  const message = error instanceof Error ? error.message : String(error);
  if (code === 'ERR_SYNC_CONFIG' || code === 'ERR_SYNC_SQLITE_UNAVAILABLE') throw new ExitError(`camdl: ${message}`, { exitCode: USAGE_EXIT, cause: error });
  // A target that cannot be reached or read (verify --target, restore, status --target): one line, exit 1.
  const target = code === 'ERR_SYNC_TARGET' || (typeof code === 'string' && code.startsWith('ERR_OFFSITE_'));
  if (code === 'ERR_SYNC_LEDGER' || code === 'ERR_SYNC_DISK_FULL' || target) throw new ExitError(`camdl: ${message}`, { exitCode: 1, cause: error });
  throw error;
}
