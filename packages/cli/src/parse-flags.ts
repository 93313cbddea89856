import type { Argv } from 'yargs';
import { ExitError, EXIT_CODES } from './exit-error.js';

/** What parsing the flags decided: run with `args`, or exit now (after `--help` / `--version`). */
export type FlagsOutcome<Args> = { kind: 'exit'; code: number } | { kind: 'args'; args: Args };

/**
 * Runs a tool's yargs parser the way both CLIs want it: `--help` and `--version` print through
 * `print` and ask to exit 0; any parse failure (unknown flag, bad choice) becomes `usageError`'s
 * ExitError (exit code 2), never a yargs `process.exit`.
 */
export async function parseFlags<T>(
  parser: Argv<T>,
  argv: string[],
  print: (text: string) => void,
  usageError: (message: string) => ExitError,
): Promise<FlagsOutcome<Awaited<ReturnType<Argv<T>['parseAsync']>>>> {
  let helpText = '';
  const full = parser
    .exitProcess(false)
    .fail((message, error) => {
      throw error ?? usageError(message);
    })
    .help()
    .version(false)
    .option('version', { type: 'boolean', describe: 'Show the version' });
  const args = await full
    .parseAsync(argv, {}, (_error, _argv, output) => {
      helpText = output;
    })
    .catch((error: unknown) => {
      if (error instanceof ExitError) throw error;
      throw usageError(error instanceof Error ? error.message : String(error));
    });
  if (args['help']) {
    print(helpText);
    return { kind: 'exit', code: EXIT_CODES.ok };
  }
  if (args['version']) {
    const { default: pkg } = await import('../package.json', { with: { type: 'json' } });
    print((pkg as { version: string }).version);
    return { kind: 'exit', code: EXIT_CODES.ok };
  }
  // The added `version` key is handled above; callers see their own flags' type.
  return { kind: 'args', args: args as unknown as Awaited<ReturnType<Argv<T>['parseAsync']>> };
}

/** A flag that must be a finite number ≥ 0. */
export function nonNegativeFlag(name: string, value: unknown, usageError: (message: string) => ExitError): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw usageError(`--${name} must be a number ≥ 0, got ${String(value)}`);
  return value;
}
