import { readFile } from 'node:fs/promises';
import type { Argv } from 'yargs';
import { ExitError, EXIT_CODES } from './exit-error.js';
import { cliVersion, nodeVersionLine } from './package-version.js';

/** What parsing the flags decided: run with `args`, or exit now (after `--help` / `--version`). */
export type FlagsOutcome<Args> = { kind: 'exit'; code: number } | { kind: 'args'; args: Args };

export interface HelpSections {
  /** `[command, what it does]`, printed one under the other, never wrapped inside a command. */
  examples: ReadonlyArray<readonly [string, string]>;
  /** `[code, meaning]`. */
  exitCodes: ReadonlyArray<readonly [number, string]>;
  /** Extra notes after the exit codes. */
  notes?: readonly string[];
}

export interface ParseFlagsOptions {
  argv: string[];
  print: (text: string) => void;
  usageError: (message: string) => ExitError;
  help: HelpSections;
  /** A repeated single-value flag takes its last value (argparse, as the seed tools); otherwise it is a usage error. @default false */
  lastValueWins?: boolean;
  /** @default process.env */
  env?: NodeJS.ProcessEnv;
}

/**
 * Runs a tool's yargs parser the way every camdl command wants it: `--help` (laid out to the terminal,
 * not wrapped when piped, with examples and exit codes) and `--version` print through `print` and ask
 * to exit 0; a parse failure (unknown flag — with the nearest known one suggested —, bad choice, a
 * repeated single-value flag) becomes `usageError`'s ExitError (exit code 2), never a `process.exit`.
 */
export async function parseFlags<T>(parser: Argv<T>, options: ParseFlagsOptions): Promise<FlagsOutcome<Awaited<ReturnType<Argv<T>['parseAsync']>>>> {
  const { argv, usageError } = options;
  let helpText = '';
  const columns = process.stdout.isTTY ? process.stdout.columns : undefined;
  const full = parser
    .exitProcess(false)
    .wrap(columns ? Math.min(110, columns) : null)
    .fail((message, error) => {
      if (error) throw error;
      if (/^Unknown arguments?:/.test(message)) throw usageError(unknownFlagsMessage(parser, argv));
      throw usageError(message);
    })
    .help()
    .version(false)
    .option('version', { type: 'boolean', describe: 'Show the version (with --verbose: also Node.js and the platform)' })
    .option('verbose', { type: 'boolean', hidden: true });
  const args = await full
    .parseAsync(argv, {}, (_error, _argv, output) => {
      helpText = output;
    })
    .catch((error: unknown) => {
      if (error instanceof ExitError) throw error;
      throw usageError(error instanceof Error ? error.message : String(error));
    });
  if (args['help']) {
    options.print(`${helpText}\n${helpSections(options.help)}`);
    return { kind: 'exit', code: EXIT_CODES.ok };
  }
  if (args['version']) {
    const env = options.env ?? process.env;
    const verbose = args['verbose'] === true || Boolean(env['CAMDL_DEBUG']);
    const version = cliVersion();
    options.print(verbose ? `${version}\n${nodeVersionLine()}` : version);
    return { kind: 'exit', code: EXIT_CODES.ok };
  }
  const declared = declaredOptions(parser);
  if (options.lastValueWins) {
    // argparse's `store`: the last of a repeated single-value flag counts (under every name yargs gives it);
    // a list flag (`--types mp4 --types dav`) keeps collecting.
    const lists = new Set(declared.array.flatMap((name) => [name, ...(declared.alias[name] ?? [])]).flatMap((name) => [name, camelCase(name)]));
    const record = args as Record<string, unknown>;
    for (const [key, value] of Object.entries(record)) {
      if (key !== '_' && Array.isArray(value) && !lists.has(key)) record[key] = value.at(-1);
    }
  } else {
    for (const name of Object.keys(declared.key)) {
      if (declared.array.includes(name) || !Array.isArray(args[name])) continue;
      throw usageError(`--${name} was given ${(args[name] as unknown[]).length} times; give it once`);
    }
  }
  // The added `version`/`verbose` keys are handled above; callers see their own flags' type.
  return { kind: 'args', args: args as unknown as Awaited<ReturnType<Argv<T>['parseAsync']>> };
}

function helpSections(help: HelpSections): string {
  const lines: string[] = [];
  // No heading over nothing: a command without examples shows only its exit codes.
  if (help.examples.length > 0) lines.push('Examples:');
  for (const [command, what] of help.examples) lines.push(`  ${command}`, `      ${what}`);
  if (help.examples.length > 0) lines.push('');
  lines.push('Exit codes:');
  const width = Math.max(...help.exitCodes.map(([code]) => String(code).length));
  for (const [code, meaning] of help.exitCodes) lines.push(`  ${String(code).padStart(width)}  ${meaning}`);
  if (help.notes?.length) lines.push('', ...help.notes);
  return lines.join('\n');
}

/** `unknown option --rate-limt (did you mean --rate-limit?)`, from argv (yargs' own message echoes camelCase forms). */
export function unknownFlagsMessage(parser: Argv<unknown>, argv: readonly string[]): string {
  const declared = declaredOptions(parser);
  const known = new Set<string>(['help', 'version', 'verbose']);
  for (const name of Object.keys(declared.key)) known.add(name);
  for (const [name, aliases] of Object.entries(declared.alias)) {
    known.add(name);
    for (const alias of aliases) known.add(alias);
  }
  const unknown: string[] = [];
  for (const token of argv) {
    if (token === '--') break;
    const match = /^--?(?:no-)?([^=]+)/.exec(token);
    if (!match || /^-\d/.test(token)) continue;
    const name = match[1]!;
    if (known.has(name) || known.has(token.replace(/^--?/, '').split('=')[0]!)) continue;
    if (!unknown.includes(name)) unknown.push(name);
  }
  if (unknown.length === 0) return 'unexpected argument';
  const candidates = [...known].filter((name) => name.length > 1 && !/[A-Z]/.test(name));
  return unknown
    .map((name) => {
      const nearest = nearestName(name, candidates);
      return `unknown option --${name}${nearest ? ` (did you mean --${nearest}?)` : ''}`;
    })
    .join('\n');
}

/** The candidate closest to `name` by edit distance, when it is close enough to be a typo of it. */
export function nearestName(name: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(name.toLowerCase(), candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/** The text typed for `--name` (its last occurrence), to quote it back in an error. */
export function typedValue(argv: readonly string[], names: readonly string[]): string | undefined {
  let value: string | undefined;
  for (let i = 0; i < argv.length; i += 1) {
    const token = argv[i]!;
    for (const name of names) {
      if (token === `--${name}`) value = argv[i + 1];
      else if (token.startsWith(`--${name}=`)) value = token.slice(name.length + 3);
    }
  }
  return value;
}

/** Reads a numeric flag: a finite number ≥ `min` (an integer when `integer`), else a usage error quoting what was typed. */
export function numberFlag(
  name: string,
  value: unknown,
  context: { argv: readonly string[]; usageError: (message: string) => ExitError; aliases?: readonly string[] },
  rule: { min: number; integer?: boolean; moreThan?: boolean },
): number {
  const ok =
    typeof value === 'number' &&
    Number.isFinite(value) &&
    (rule.moreThan ? value > rule.min : value >= rule.min) &&
    (!rule.integer || Number.isInteger(value));
  if (ok) return value as number;
  const typed = typedValue(context.argv, [name, ...(context.aliases ?? [])]) ?? String(value);
  const what = `${rule.integer ? 'a whole number' : 'a number'} ${rule.moreThan ? '>' : '≥'} ${rule.min}`;
  throw context.usageError(`--${name} must be ${what}, got ${JSON.stringify(typed)}`);
}

/** The PEM text of `--ca-file` (undefined without the flag); a file that cannot be read is a usage error. */
export async function caFileFlag(path: string | undefined, usageError: (message: string) => ExitError): Promise<string | undefined> {
  if (path === undefined) return undefined;
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw usageError(`cannot read --ca-file ${path}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
  }
}

/** yargs' camelCase form of a flag name: `output-dir` → `outputDir`. */
function camelCase(name: string): string {
  return name.replace(/-([a-z0-9])/g, (_match, letter: string) => letter.toUpperCase());
}

/** yargs' option table (`getOptions()` exists at run time but is missing from its types). */
function declaredOptions(parser: unknown): { array: string[]; key: Record<string, unknown>; alias: Record<string, string[]> } {
  return (parser as { getOptions(): { array: string[]; key: Record<string, unknown>; alias: Record<string, string[]> } }).getOptions();
}
