import { CAMDL_COMMANDS } from './camdl-commands.js';
import { EXIT_CODES, ExitError } from './exit-error.js';
import { setLineStamps, wantTimestamps } from './line-stamps.js';
import { camdlVersionText } from './package-version.js';
import { nearestName } from './parse-flags.js';

function usage(): string {
  const width = Math.max(...CAMDL_COMMANDS.map((command) => command.name.length));
  return [
    'Usage: camdl <command> [options]',
    '',
    'Commands:',
    ...CAMDL_COMMANDS.map((command) => `  camdl ${command.name.padEnd(width)}  ${command.summary}`),
    '',
    'Run `camdl <command> --help` for its options, examples and exit codes.',
    `Exit codes: ${EXIT_CODES.ok} success, ${EXIT_CODES.someFailed} something failed (the command names it), ${EXIT_CODES.usage} config/usage error, ${EXIT_CODES.interrupted} interrupted (Ctrl+C), ${EXIT_CODES.terminated} terminated (SIGTERM).`,
  ].join('\n');
}

/** What may come before `--version` without a command: `camdl --verbose --version`. */
const VERSION_FLAGS = ['--version', '-V', '--verbose', '-v'];

/** The `camdl` binary: finds the command and runs it; its module loads only then. */
export async function camdl(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const flags = argv.slice(0, argv.includes('--') ? argv.indexOf('--') : argv.length);
  // Every line of the run is stamped alike when stamps are on, an error before the command prints
  // anything included; with --json stdout carries JSON and the human lines go to stderr.
  setLineStamps(wantTimestamps(undefined, flags.includes('--json') ? process.stderr : process.stdout));
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${usage()}\n`);
    return name === undefined ? EXIT_CODES.usage : EXIT_CODES.ok;
  }
  // `--version` answers the same for `camdl` and for every command (`camdl sync --version --verbose`),
  // before a command parses (and would refuse) its other flags; `--help` goes to the command.
  const command = CAMDL_COMMANDS.find((candidate) => candidate.name === name);
  if ((command !== undefined || VERSION_FLAGS.includes(name)) && flags.some((flag) => flag === '--version' || flag === '-V') && !flags.some((flag) => flag === '--help' || flag === '-h')) {
    const verbose = flags.includes('--verbose') || flags.includes('-v') || Boolean(process.env['CAMDL_DEBUG']);
    process.stdout.write(`${camdlVersionText(verbose)}\n`);
    return EXIT_CODES.ok;
  }
  if (!command) {
    const nearest = name.startsWith('-') ? undefined : nearestName(name, CAMDL_COMMANDS.map((candidate) => candidate.name));
    const hint = nearest ? ` (did you mean ${nearest}?)` : '';
    throw new ExitError(`camdl: unknown command ${JSON.stringify(name)}${hint}\n\n${usage()}`, { exitCode: EXIT_CODES.usage });
  }
  const run = await command.load();
  return run(rest);
}
