import { resolve } from 'node:path';
import yargs from 'yargs';
import type { MergeFormat, TimeInput } from '@camdl/amcrest-recordings';
import { parseCameraHost } from './camera-url.js';
import { ExitError, EXIT_CODES } from './exit-error.js';
import { nonNegativeFlag, parseFlags } from './parse-flags.js';
import { redactCredentials } from './terminal-text.js';

/** The library's formats, listed here so `--help` needs no import of it (start-up time). */
const MERGE_FORMATS = ['mp4', 'mkv', 'avi'] as const satisfies readonly MergeFormat[];

export interface AmcrestDlOptions {
  url: URL;
  username: string;
  password: string | undefined;
  passwordFile: string | undefined;
  start: string;
  end: string;
  startInput: TimeInput;
  endInput: TimeInput;
  channel: number;
  format: MergeFormat;
  outputDir: string;
  outputFile: string | undefined;
  keepFiles: boolean;
  overwrite: boolean;
  maxConcurrent: number;
  list: boolean;
  json: boolean;
  merge: boolean;
  allowPartial: boolean;
  cameraTimeZone: string | undefined;
  rateLimitMbps: number;
  maxRetries: number;
  retryDelayMs: number;
  timeoutMs: number;
  progress: boolean;
  types: string[];
}

export type ParsedArgs = { kind: 'run'; options: AmcrestDlOptions } | { kind: 'exit'; code: number };

const DESCRIPTION = [
  'Download the recordings of an Amcrest (Dahua API) camera in a time range and merge them with ffmpeg.',
  'Times are ISO 8601. Without an offset they are camera wall-clock time (what the camera overlay shows); with Z or an offset they are instants, converted with --camera-tz or the offset measured from the camera clock.',
  'Exit codes: 0 done (also when no recordings were found), 1 some downloads failed (nothing merged unless --allow-partial), 2 usage error or search failed (auth, network, bad response, no ffmpeg) or the merged file exists (see --overwrite), 3 merge failed (parts kept), 130 interrupted.',
].join('\n\n');

function usageError(message: string): ExitError {
  return new ExitError(`amcrest-dl: ${redactCredentials(message)}\nRun amcrest-dl --help for the options.`, { exitCode: EXIT_CODES.usage });
}

function positiveInteger(name: string, value: unknown, min = 1): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) throw usageError(`--${name} must be an integer ≥ ${min}, got ${String(value)}`);
  return value;
}

function nonNegative(name: string, value: unknown): number {
  return nonNegativeFlag(name, value, usageError);
}

/** Parses and validates `amcrest-dl` flags; `--help`/`--version` print and ask to exit 0. */
export async function parseAmcrestDlArgs(argv: string[], print: (text: string) => void): Promise<ParsedArgs> {
  const parser = yargs(argv)
    .scriptName('amcrest-dl')
    .usage(`$0 --host HOST --username USER --start TIME --end TIME [options]\n\n${DESCRIPTION}`)
    .strict()
    .wrap(Math.min(110, process.stdout.columns || 100))
    .option('host', { type: 'string', describe: 'Camera: IP, host name, host:port or http(s)://host[:port]' })
    .option('username', { alias: 'user', type: 'string', describe: 'Camera user' })
    .option('password', { alias: 'pass', type: 'string', describe: 'Password (visible in the process list: prefer the prompt, AMCREST_DL_PASSWORD or --password-file)' })
    .option('password-file', { alias: 'pass-file', type: 'string', describe: 'File whose first line is the password' })
    .option('start', { type: 'string', describe: 'Start, ISO 8601 (2026-01-16T20:00:00 or 2026-01-16T20:00:00-08:00)' })
    .option('end', { type: 'string', describe: 'End, ISO 8601' })
    .option('channel', { type: 'number', default: 1, describe: 'Camera channel (some models want 0)' })
    .option('output-format', { type: 'string', choices: MERGE_FORMATS as unknown as string[], describe: 'Merged file format [default: mp4, or the --output-file extension]' })
    .option('output-dir', { type: 'string', default: '.', describe: 'Directory for the merged file and .amcrest_download/' })
    .option('output-file', { type: 'string', describe: 'Merged file name [default: amcrest_<start>_<end>.<format>]' })
    .option('keep-files', { type: 'boolean', default: false, describe: 'Keep the downloaded parts after a successful merge' })
    .option('overwrite', { type: 'boolean', default: false, describe: 'Replace an existing merged file (without it, an existing one stops the run before any download)' })
    .option('max-concurrent', { type: 'number', default: 4, describe: 'Simultaneous downloads' })
    .option('list', { type: 'boolean', default: false, describe: 'Only list the recordings found; download nothing' })
    .option('json', { type: 'boolean', default: false, describe: 'One JSON object per line on stdout (human lines go to stderr)' })
    .option('merge', { type: 'boolean', default: true, describe: 'Merge the parts with ffmpeg (--no-merge: only download)' })
    .option('allow-partial', { type: 'boolean', default: false, describe: 'Merge what was downloaded even when some downloads failed' })
    .option('camera-tz', { type: 'string', describe: "The camera's IANA time zone (America/New_York) for times with an offset [default: measured from the camera clock]" })
    .option('rate-limit', { type: 'number', default: 0, describe: 'Total download rate in Mbps for all downloads together (0 = unlimited)' })
    .option('max-retries', { type: 'number', default: 3, describe: 'Retries per file' })
    .option('retry-delay', { type: 'number', default: 5, describe: 'Seconds before the first retry (doubles each time)' })
    .option('timeout', { type: 'number', default: 60, describe: 'Seconds without data before a request is retried' })
    .option('progress', { type: 'boolean', default: true, describe: 'Live progress on a terminal (--no-progress: plain lines)' })
    .option('types', { type: 'string', array: true, default: ['mp4'], describe: 'Search condition.Types (NVRs: dav)' });
  const parsed = await parseFlags(parser, argv, print, usageError);
  if (parsed.kind === 'exit') return parsed;
  const args = parsed.args;
  for (const name of ['host', 'username', 'start', 'end'] as const) {
    if (typeof args[name] !== 'string' || args[name] === '') throw usageError(`--${name} is required`);
  }
  const url = parseCameraHost(args['host'] as string, usageError);
  // Loaded after --help/--version are handled: they need none of the library.
  const { assertTimeOrder, assertTimeZone, isAmcrestError, parseTimeInput } = await import('@camdl/amcrest-recordings');
  let startInput: TimeInput;
  let endInput: TimeInput;
  try {
    startInput = parseTimeInput(args['start'] as string, 'floor');
    endInput = parseTimeInput(args['end'] as string, 'ceil');
    if (args['camera-tz'] !== undefined) assertTimeZone(args['camera-tz']);
  } catch (error) {
    if (isAmcrestError(error)) throw usageError(error.message);
    throw error;
  }
  try {
    assertTimeOrder(startInput, endInput);
  } catch {
    throw usageError('--end must be after --start');
  }
  const outputFile = args['output-file'];
  const extension = outputFile ? /\.([A-Za-z0-9]+)$/.exec(outputFile)?.[1]?.toLowerCase() : undefined;
  const fromExtension = MERGE_FORMATS.find((format) => format === extension);
  const format = (args['output-format'] as MergeFormat | undefined) ?? fromExtension ?? 'mp4';
  return {
    kind: 'run',
    options: {
      url,
      username: args['username'] as string,
      password: args['password'],
      passwordFile: args['password-file'],
      start: args['start'] as string,
      end: args['end'] as string,
      startInput,
      endInput,
      channel: positiveInteger('channel', args['channel'], 0),
      format,
      outputDir: resolve(args['output-dir']),
      outputFile,
      keepFiles: args['keep-files'],
      overwrite: args['overwrite'],
      maxConcurrent: positiveInteger('max-concurrent', args['max-concurrent']),
      list: args['list'],
      json: args['json'],
      merge: args['merge'],
      allowPartial: args['allow-partial'],
      cameraTimeZone: args['camera-tz'],
      rateLimitMbps: nonNegative('rate-limit', args['rate-limit']),
      maxRetries: positiveInteger('max-retries', args['max-retries'], 0),
      retryDelayMs: nonNegative('retry-delay', args['retry-delay']) * 1000,
      timeoutMs: Math.max(1, nonNegative('timeout', args['timeout'])) * 1000,
      progress: args['progress'],
      types: args['types'].map(String),
    },
  };
}
