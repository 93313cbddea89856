import { isExitError } from './exit-error.js';
import { redactCredentials } from './terminal-text.js';

/**
 * The one top-level catch of both binaries: runs a command, maps an `ExitError` to its exit code and
 * message, and anything unexpected to exit code 1 with its message (never a stack trace full of URLs
 * or headers unless CAMDL_DEBUG is set).
 */
export async function runCli(main: (argv: string[]) => Promise<number>, argv: string[] = process.argv.slice(2)): Promise<void> {
  try {
    process.exitCode = await main(argv);
  } catch (error) {
    if (isExitError(error)) {
      if (error.message) process.stderr.write(`${redactCredentials(error.message)}\n`);
      process.exitCode = error.exitCode;
      return;
    }
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`error: ${redactCredentials(message)}\n`);
    if (process.env['CAMDL_DEBUG'] && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
    process.exitCode = 1;
  }
}
