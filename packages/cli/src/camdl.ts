import { CAMDL_COMMANDS } from './camdl-commands.js';
import { EXIT_CODES, ExitError } from './exit-error.js';
import { cliVersion, dependencyVersions } from './package-version.js';
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

/** `camdl --version [--verbose]`: the version; verbose adds Node.js, the platform and the camdl packages. */
function version(verbose: boolean): string {
  if (!verbose) return cliVersion();
  return [
    `@camdl/cli ${cliVersion()}`,
    `Node.js ${process.version} (${process.platform} ${process.arch})`,
    ...dependencyVersions().map((dependency) => `${dependency.name} ${dependency.version}`),
  ].join('\n');
}

/** The `camdl` binary: finds the command and runs it; its module loads only then. */
export async function camdl(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${usage()}\n`);
    return name === undefined ? EXIT_CODES.usage : EXIT_CODES.ok;
  }
  if (name === '--version' || name === '-V' || (name === '--verbose' && rest.includes('--version'))) {
    const verbose = argv.includes('--verbose') || argv.includes('-v') || Boolean(process.env['CAMDL_DEBUG']);
    process.stdout.write(`${version(verbose)}\n`);
    return EXIT_CODES.ok;
  }
  const command = CAMDL_COMMANDS.find((candidate) => candidate.name === name);
  if (!command) {
    const nearest = name.startsWith('-') ? undefined : nearestName(name, CAMDL_COMMANDS.map((candidate) => candidate.name));
    const hint = nearest ? ` (did you mean ${nearest}?)` : '';
    throw new ExitError(`camdl: unknown command ${JSON.stringify(name)}${hint}\n\n${usage()}`, { exitCode: EXIT_CODES.usage });
  }
  const run = await command.load();
  return run(rest);
}
