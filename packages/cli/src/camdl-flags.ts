import yargs, { type Argv } from 'yargs';
import { ExitError } from './exit-error.js';
import { parseFlags, type FlagsOutcome } from './parse-flags.js';

const USAGE_EXIT = 2;

export function camdlUsageError(message: string): ExitError {
  return new ExitError(`camdl: ${message}`, { exitCode: USAGE_EXIT });
}

/** Parses a sub-command's flags (`--help` prints and exits 0; a bad flag exits 2). */
export function parseCamdlFlags<T>(command: string, argv: string[], build: (parser: Argv) => Argv<T>): Promise<FlagsOutcome<Awaited<ReturnType<Argv<T>['parseAsync']>>>> {
  const parser = build(yargs(argv).scriptName(`camdl ${command}`).strict().parserConfiguration({ 'camel-case-expansion': true }).wrap(100));
  return parseFlags(parser, argv, (text) => process.stdout.write(`${text}\n`), camdlUsageError);
}

/** Maps errors of `@camdl/sync` to the exit codes of the contract (config errors → 2). */
export function toCamdlExit(error: unknown): never {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  const message = error instanceof Error ? error.message : String(error);
  if (code === 'ERR_SYNC_CONFIG' || code === 'ERR_SYNC_SQLITE_UNAVAILABLE') throw new ExitError(`camdl: ${message}`, { exitCode: USAGE_EXIT, cause: error });
  if (code === 'ERR_SYNC_LEDGER') throw new ExitError(`camdl: ${message}`, { exitCode: 1, cause: error });
  throw error;
}
