import { parseCameraHost } from './camera-url.js';
import { commandUsageError, defineCommand, parseCommand } from './command-spec.js';
import type { ExitError } from './exit-error.js';
import { caFileFlag, numberFlag } from './parse-flags.js';

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

const TIMELAPSE2_DL = defineCommand({
  name: 'timelapse2-dl',
  synopsis: '--user USER [--host HOST] [options]',
  description: 'Download the timelapse archives of an Axis camera running the Timelapse2 (1.x), Timelapse 3.x or TimelapseMe ACAP.',
  usageHint: 'Run timelapse2-dl --help for usage.',
  // As argparse in the seed: a repeated flag takes its last value (wrapper scripts add defaults).
  lastValueWins: true,
  options: {
    host: { type: 'string', default: '192.168.0.90', describe: 'Camera: IP, host name, host:port or http(s)://host[:port]' },
    outdir: { alias: 'output-dir', type: 'string', default: '.', describe: 'Directory to save downloaded files' },
    user: { alias: 'username', type: 'string', describe: 'Username for HTTP Digest authentication' },
    pass: { alias: 'password', type: 'string', describe: 'Password (visible in the process list: prefer the prompt, TIMELAPSE2_DL_PASSWORD or --pass-file)' },
    'pass-file': { alias: 'password-file', type: 'string', describe: 'File whose first line is the password' },
    timeout: { type: 'number', default: 60, describe: 'HTTP timeout in seconds (connect, headers, idle body)' },
    'rate-limit': { type: 'number', default: 90, describe: 'Download rate limit in Mbps (0 = unlimited)' },
    'max-retries': { type: 'number', default: 3, describe: 'Maximum retry attempts for failed downloads' },
    'retry-delay': { type: 'number', default: 5, describe: 'Delay in seconds between retry attempts' },
    'check-size': { type: 'boolean', default: false, describe: 'Check the remote file size before skipping existing files' },
    // `--no-progress` sets `progress` (yargs' negation); it is listed in --help under the seed's name.
    progress: { type: 'boolean', default: true, hidden: true },
    'no-progress': { type: 'boolean', default: false, describe: 'Disable progress bar display (it only ever shows on a terminal, on stderr)' },
    overwrite: { type: 'boolean', default: false, describe: 'Overwrite existing files' },
    'ca-file': { type: 'string', describe: 'PEM file of the CA that signed the camera certificate (https)' },
    insecure: { type: 'boolean', default: false, describe: 'Accept any TLS certificate (self-signed cameras, https)' },
    'delete-after': { type: 'boolean', default: false, describe: 'Delete each archive on the camera once its local file is verified complete' },
    since: { type: 'string', describe: 'Only archives whose last frame is at/after: 2025-09-30, an ISO date-time, today, yesterday, or 7d / 12h ago' },
    until: { type: 'string', describe: 'Only archives whose first frame is at/before (same formats as --since)' },
    match: { type: 'string', describe: "Only archive names matching a glob ('North_Gate_*') or /regex/flags" },
    list: { type: 'boolean', default: false, describe: 'Only list the archives; download nothing' },
    'dry-run': { type: 'boolean', default: false, describe: 'Show what would be downloaded or skipped; download nothing' },
    json: { type: 'boolean', default: false, describe: 'One JSON object per line on stdout (human lines go to stderr)' },
    api: {
      type: 'string',
      default: 'auto',
      choices: ['auto', 'timelapse2', 'timelapse2-v1', 'timelapse3', 'timelapseme'],
      describe: 'Camera app: detect, Timelapse2/3 (/local/timelapse2/) or legacy TimelapseMe (/local/timelapseme/)',
    },
  },
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
  exitCodes: {
    ok: 'all downloaded or skipped',
    someFailed: 'some downloads failed (the others are saved)',
    usage: 'usage error, or the archives could not be listed (auth, network, bad answer)',
    interrupted: 'interrupted by Ctrl+C (the first finishes the current file)',
    terminated: 'stopped by SIGTERM',
  },
  notes: ['As the Python tool (argparse), a flag given twice takes its last value.'],
});

function usageError(message: string): ExitError {
  return commandUsageError(TIMELAPSE2_DL, message);
}

/** Parses and validates `timelapse2-dl` flags; `--help` prints and asks to exit 0. */
export async function parseTimelapse2DlArgs(argv: string[], print: (text: string) => void): Promise<ParsedTimelapse2Args> {
  const parsed = await parseCommand(TIMELAPSE2_DL, argv, print);
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
  const ca = await caFileFlag(args['ca-file'], usageError);
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
