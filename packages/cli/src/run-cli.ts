import { isExitError } from './exit-error.js';
import { writeLines } from './line-stamps.js';
import { redactCredentials } from './terminal-text.js';

/**
 * The one top-level catch of both binaries: runs a command, maps an `ExitError` to its exit code and
 * message, and anything unexpected to exit code 1 with its message (never a stack trace full of URLs
 * or headers unless CAMDL_DEBUG is set). The message is stamped like the command's lines when `camdl`
 * stamps them (an error before any line, such as a broken config, included).
 */
export async function runCli(main: (argv: string[]) => Promise<number>, argv: string[] = process.argv.slice(2)): Promise<void> {
  try {
    process.exitCode = await main(argv);
  } catch (error) {
    if (isExitError(error)) {
      if (error.message) writeLines(process.stderr, redactCredentials(error.message));
      process.exitCode = error.exitCode;
      return;
    }
    const message = error instanceof Error ? error.message : String(error);
    writeLines(process.stderr, `error: ${redactCredentials(message)}`);
    if (process.env['CAMDL_DEBUG'] && error instanceof Error && error.stack) writeLines(process.stderr, error.stack);
    process.exitCode = 1;
  }
}
