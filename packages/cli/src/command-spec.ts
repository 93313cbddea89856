import yargs, { type Argv, type InferredOptionTypes, type Options } from 'yargs';
import { EXIT_CODES, ExitError } from './exit-error.js';
import { parseFlags, type FlagsOutcome } from './parse-flags.js';
import { redactCredentials } from './terminal-text.js';

/** `[command line, what it does]`: `--help` prints the line, then what it does under it. */
export type HelpExample = readonly [string, string];

/** A command's own exit codes: a name of the one `EXIT_CODES` table → what it means for this command. */
export type ExitCodeMeanings = Partial<Record<keyof typeof EXIT_CODES, string>>;

/**
 * Everything a command's flags are made of: what yargs parses, what `--help` shows and how a usage
 * error reads. One constant per command, beside the code that reads its flags.
 */
export interface CommandSpec<O extends Record<string, Options> = Record<string, Options>> {
  /** The command as typed (`amcrest-dl`, `camdl sync`); its first word starts every usage error. */
  name: string;
  /** What follows the name on the usage line (`--config camdl.yaml [--json]`). */
  synopsis: string;
  /** The text under the usage line. */
  description: string;
  /** yargs options, in the order `--help` lists them. */
  options: O;
  /** Shown under `Examples:`; the heading is left out when there are none. */
  examples: readonly HelpExample[];
  /** Listed under `Exit codes:` in this order, each with its number from `EXIT_CODES`. */
  exitCodes: ExitCodeMeanings;
  /** Lines after the exit codes. @default none */
  notes?: readonly string[];
  /** A line under every usage error (`Run amcrest-dl --help for the options.`). @default none */
  usageHint?: string;
  /** Positional arguments are accepted (a folder); unknown flags stay errors. @default false */
  positionals?: boolean;
  /** As argparse: a repeated single-value flag takes its last value, instead of being a usage error. @default false */
  lastValueWins?: boolean;
}

/** The parsed flags of a spec's options, under their names and their camelCase forms. */
export type CommandArgs<O extends Record<string, Options>> = Awaited<ReturnType<Argv<InferredOptionTypes<O>>['parseAsync']>>;

/** Checks a spec against {@link CommandSpec} while keeping its options' own types (for {@link CommandArgs}). */
export function defineCommand<O extends Record<string, Options>>(spec: CommandSpec<O>): CommandSpec<O> {
  return spec;
}

/** `<program>: <message>` (credentials in it redacted), then `hint` on its own line; exit code 2. */
export function usageError(program: string, message: string, hint?: string): ExitError {
  const text = `${program}: ${redactCredentials(message)}${hint === undefined ? '' : `\n${hint}`}`;
  return new ExitError(text, { exitCode: EXIT_CODES.usage });
}

/** The usage error of `spec`'s command, worded as its parse errors are. */
export function commandUsageError(spec: Pick<CommandSpec, 'name' | 'usageHint'>, message: string): ExitError {
  return usageError(spec.name.split(' ')[0]!, message, spec.usageHint);
}

/**
 * Parses `argv` by `spec`: `--help` and `--version` print through `print` and ask to exit 0; a bad
 * flag is `spec`'s usage error (exit 2).
 */
export function parseCommand<O extends Record<string, Options>>(
  spec: CommandSpec<O>,
  argv: string[],
  print: (text: string) => void = (text) => process.stdout.write(`${text}\n`),
): Promise<FlagsOutcome<CommandArgs<O>>> {
  const base = yargs(argv).scriptName(spec.name).usage(`$0 ${spec.synopsis}\n\n${spec.description}`);
  const parser = (spec.positionals ? base.strict(false).strictOptions(true) : base.strict()).options(spec.options);
  const exitCodes = Object.entries(spec.exitCodes).map(([name, meaning]) => [EXIT_CODES[name as keyof typeof EXIT_CODES], meaning!] as const);
  return parseFlags(parser, {
    argv,
    print,
    usageError: (message) => commandUsageError(spec, message),
    help: { examples: spec.examples, exitCodes, ...(spec.notes ? { notes: spec.notes } : {}) },
    lastValueWins: spec.lastValueWins ?? false,
  });
}
