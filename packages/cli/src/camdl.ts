import { CAMDL_COMMANDS } from './camdl-commands.js';
import { ExitError } from './exit-error.js';
import { cliVersion } from './package-version.js';

/** Exit codes of `camdl` (the contract scripts rely on). */
export const CAMDL_EXIT_CODES = { ok: 0, failed: 1, usage: 2, interrupted: 130 } as const;

function usage(): string {
  const width = Math.max(...CAMDL_COMMANDS.map((command) => command.name.length));
  return [
    'Usage: camdl <command> [options]',
    '',
    'Commands:',
    ...CAMDL_COMMANDS.map((command) => `  camdl ${command.name.padEnd(width)}  ${command.summary}`),
    '',
    'Run `camdl <command> --help` for its options.',
    'Exit codes: 0 everything archived and verified, 1 some file or camera failed, 2 config/usage error, 130 interrupted.',
  ].join('\n');
}

/** The `camdl` binary: finds the command and runs it; its module loads only then. */
export async function camdl(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${usage()}\n`);
    return name === undefined ? CAMDL_EXIT_CODES.usage : CAMDL_EXIT_CODES.ok;
  }
  if (name === '--version') {
    process.stdout.write(`${cliVersion()}\n`);
    return CAMDL_EXIT_CODES.ok;
  }
  const command = CAMDL_COMMANDS.find((candidate) => candidate.name === name);
  if (!command) throw new ExitError(`camdl: unknown command ${JSON.stringify(name)}\n\n${usage()}`, { exitCode: CAMDL_EXIT_CODES.usage });
  const run = await command.load();
  return run(rest);
}
