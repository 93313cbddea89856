import { readFile } from 'node:fs/promises';
import yargs from 'yargs';
import { parseCameraHost } from './camera-url.js';
import { ExitError, EXIT_CODES } from './exit-error.js';
import { numberFlag, parseFlags } from './parse-flags.js';
import { redactCredentials } from './terminal-text.js';

const DESCRIPTION = 'Download the timelapse archives of an Axis camera running the Timelapse2 (1.x), Timelapse 3.x or TimelapseMe ACAP.';

/** Validated `timelapse2-dl` flags. */
export interface Timelapse2DlArgs {
  /** `--host` as typed (the seed's opening line shows it). */
  host: string;
  baseUrl: URL;
  outdir: string;
  user: string;
  pass: string | undefined;
  passFile: string | undefined;
  /** Seconds. */
  timeout: number;
  /** Mbps; 0 = unlimited. */
  rateLimit: number;
  maxRetries: number;
  /** Seconds. */
  retryDelay: number;
  checkSize: boolean;
  progress: boolean;
  overwrite: boolean;
  /** The PEM text of `--ca-file`. */
  ca: string | undefined;
  insecure: boolean;
  deleteAfter: boolean;
  since: Date | undefined;
  until: Date | undefined;
  match: RegExp | undefined;
  list: boolean;
  dryRun: boolean;
  json: boolean;
  api: 'auto' | 'timelapse2' | 'timelapse2-v1' | 'timelapse3' | 'timelapseme';
}

export type ParsedTimelapse2Args = { kind: 'run'; args: Timelapse2DlArgs } | { kind: 'exit'; code: number };

function usageError(message: string): ExitError {
  return new ExitError(`timelapse2-dl: ${redactCredentials(message)}\nRun timelapse2-dl --help for usage.`, { exitCode: EXIT_CODES.usage });
}

const HELP = {
  examples: [
    ['timelapse2-dl --user root --pass mypassword', 'Download everything from the default IP (192.168.0.90)'],
    ['timelapse2-dl --user root --host 192.168.1.100', 'Ask for the password, download from another camera'],
    ['timelapse2-dl --user root --host 192.168.0.90 --outdir downloads --rate-limit 50', 'Into ./downloads at 50 Mbps'],
    ['timelapse2-dl --user root --check-size --max-retries 5 --retry-delay 10', 'Re-download incomplete files, retry harder'],
    ['timelapse2-dl --user root --since yesterday --dry-run', 'What would be downloaded since yesterday midnight'],
    ['timelapse2-dl --user root --no-progress >> timelapse.log', 'Plain lines for logs and cron'],
    ['timelapse2-dl --user root --overwrite', 'Force re-download of all files'],
    ['timelapse2-dl --user root --host https://cam.example:8443 --insecure --delete-after --since 7d', 'Self-signed https, last week only, free the SD card'],
  ],
  exitCodes: [
    [EXIT_CODES.ok, 'all downloaded or skipped'],
    [EXIT_CODES.someFailed, 'some downloads failed (the others are saved)'],
    [EXIT_CODES.usage, 'usage error, or the archives could not be listed (auth, network, bad answer)'],
    [EXIT_CODES.interrupted, 'interrupted by Ctrl+C (the first finishes the current file)'],
    [EXIT_CODES.terminated, 'stopped by SIGTERM'],
  ],
  notes: ['As the Python tool (argparse), a flag given twice takes its last value.'],
} as const;

/** Parses and validates `timelapse2-dl` flags; `--help` prints and asks to exit 0. */
export async function parseTimelapse2DlArgs(argv: string[], print: (text: string) => void): Promise<ParsedTimelapse2Args> {
  const parser = yargs(argv)
    .scriptName('timelapse2-dl')
    .usage(`$0 --user USER [--host HOST] [options]\n\n${DESCRIPTION}`)
    .strict()
    // As argparse in the seed: a repeated flag takes its last value (wrapper scripts add defaults).
    .parserConfiguration({ 'duplicate-arguments-array': false })
    .option('host', { type: 'string', default: '192.168.0.90', describe: 'Camera: IP, host name, host:port or http(s)://host[:port]' })
    .option('outdir', { alias: 'output-dir', type: 'string', default: '.', describe: 'Directory to save downloaded files' })
    .option('user', { alias: 'username', type: 'string', describe: 'Username for HTTP Digest authentication' })
    .option('pass', { alias: 'password', type: 'string', describe: 'Password (visible in the process list: prefer the prompt, TIMELAPSE2_DL_PASSWORD or --pass-file)' })
    .option('pass-file', { alias: 'password-file', type: 'string', describe: 'File whose first line is the password' })
    .option('timeout', { type: 'number', default: 60, describe: 'HTTP timeout in seconds (connect, headers, idle body)' })
    .option('rate-limit', { type: 'number', default: 90, describe: 'Download rate limit in Mbps (0 = unlimited)' })
    .option('max-retries', { type: 'number', default: 3, describe: 'Maximum retry attempts for failed downloads' })
    .option('retry-delay', { type: 'number', default: 5, describe: 'Delay in seconds between retry attempts' })
    .option('check-size', { type: 'boolean', default: false, describe: 'Check the remote file size before skipping existing files' })
    // `--no-progress` sets `progress` (yargs' negation); it is listed in --help under the seed's name.
    .option('progress', { type: 'boolean', default: true, hidden: true })
    .option('no-progress', { type: 'boolean', default: false, describe: 'Disable progress bar display (it only ever shows on a terminal, on stderr)' })
    .option('overwrite', { type: 'boolean', default: false, describe: 'Overwrite existing files' })
    .option('ca-file', { type: 'string', describe: 'PEM file of the CA that signed the camera certificate (https)' })
    .option('insecure', { type: 'boolean', default: false, describe: 'Accept any TLS certificate (self-signed cameras, https)' })
    .option('delete-after', { type: 'boolean', default: false, describe: 'Delete each archive on the camera once its local file is verified complete' })
    .option('since', { type: 'string', describe: 'Only archives whose last frame is at/after: 2025-09-30, an ISO date-time, today, yesterday, or 7d / 12h ago' })
    .option('until', { type: 'string', describe: 'Only archives whose first frame is at/before (same formats as --since)' })
    .option('match', { type: 'string', describe: "Only archive names matching a glob ('North_Gate_*') or /regex/flags" })
    .option('list', { type: 'boolean', default: false, describe: 'Only list the archives; download nothing' })
    .option('dry-run', { type: 'boolean', default: false, describe: 'Show what would be downloaded or skipped; download nothing' })
    .option('json', { type: 'boolean', default: false, describe: 'One JSON object per line on stdout (human lines go to stderr)' })
    .option('api', {
      type: 'string',
      default: 'auto',
      choices: ['auto', 'timelapse2', 'timelapse2-v1', 'timelapse3', 'timelapseme'],
      describe: 'Camera app: detect, Timelapse2/3 (/local/timelapse2/) or legacy TimelapseMe (/local/timelapseme/)',
    });
  const parsed = await parseFlags(parser, { argv, print, usageError, help: HELP, lastValueWins: true });
  if (parsed.kind === 'exit') return parsed;
  const args = parsed.args;
  if (args._.length > 0) throw usageError(`unexpected argument ${JSON.stringify(String(args._[0]))}`);
  const numbers = { argv, usageError };
  const maxRetries = numberFlag('max-retries', args['max-retries'], numbers, { min: 0, integer: true });
  const timeout = numberFlag('timeout', args.timeout, numbers, { min: 0, moreThan: true });
  const rateLimit = numberFlag('rate-limit', args['rate-limit'], numbers, { min: 0 });
  const retryDelay = numberFlag('retry-delay', args['retry-delay'], numbers, { min: 0 });
  if (args['delete-after'] && (args['dry-run'] || args.list)) throw usageError('--delete-after cannot be combined with --list or --dry-run');
  if (args.user === undefined || args.user === '') throw usageError('--user is required');
  const baseUrl = parseCameraHost(args.host, usageError);
  if (baseUrl.protocol !== 'https:' && (args['ca-file'] !== undefined || args.insecure)) throw usageError('--ca-file and --insecure only apply to https:// hosts');
  const ca = args['ca-file'] === undefined ? undefined : await readCaFile(args['ca-file']);
  // Loaded after --help/--version are handled: they need none of the library.
  const { assertTimeBoundsOrder, parseTimeBound, toNamePattern } = await import('@camdl/axis-timelapse2');
  const now = Date.now();
  const timeBound = (name: string, text: string | undefined): Date | undefined => {
    if (text === undefined) return undefined;
    try {
      return parseTimeBound(text, now);
    } catch (error) {
      throw usageError(`--${name}: ${(error as Error).message}`);
    }
  };
  const since = timeBound('since', args.since);
  const until = timeBound('until', args.until);
  try {
    assertTimeBoundsOrder(since, until);
  } catch (error) {
    throw usageError((error as Error).message);
  }
  let match: RegExp | undefined;
  try {
    match = args.match === undefined ? undefined : toNamePattern(args.match);
  } catch (error) {
    throw usageError(`--match: ${(error as Error).message}`);
  }
  return {
    kind: 'run',
    args: {
      host: args.host,
      baseUrl,
      outdir: args.outdir,
      user: args.user,
      pass: args.pass,
      passFile: args['pass-file'],
      timeout,
      rateLimit,
      maxRetries,
      retryDelay,
      checkSize: args['check-size'],
      progress: args.progress,
      overwrite: args.overwrite,
      ca,
      insecure: args.insecure,
      deleteAfter: args['delete-after'],
      since,
      until,
      match,
      list: args.list,
      dryRun: args['dry-run'],
      json: args.json,
      api: args.api as Timelapse2DlArgs['api'],
    },
  };
}

async function readCaFile(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw usageError(`cannot read --ca-file ${path}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
  }
}
