import { resolve } from 'node:path';
import type { TimeInput } from '@camdl/amcrest-recordings';
import type { MergeFormat, SplitMode, TranscodeMode, TrimMode } from '@camdl/media';
import { parseCameraHost } from './camera-url.js';
import { commandUsageError, defineCommand, parseCommand } from './command-spec.js';
import type { ExitError } from './exit-error.js';
import { caFileFlag, numberFlag } from './parse-flags.js';

/** The library's formats, listed here so `--help` needs no import of it (start-up time). */
const MERGE_FORMATS = ['mp4', 'mkv', 'avi'] as const satisfies readonly MergeFormat[];
const SPLIT_MODES = ['none', 'day', 'hour'] as const satisfies readonly SplitMode[];
const TRIM_MODES = ['keyframe', 'exact', 'none'] as const satisfies readonly TrimMode[];
const TRANSCODE_MODES = ['none', 'auto', 'h264'] as const satisfies readonly TranscodeMode[];

export interface AmcrestDlOptions {
  url: URL;
  /** The PEM text of `--ca-file`. */
  ca: string | undefined;
  insecure: boolean;
  allowBasic: boolean;
  username: string;
  password: string | undefined;
  passwordFile: string | undefined;
  /** Camera wall-clock text (`2026-01-16 20:00:00`) or an instant, as parsed from `--start`. */
  start: string | Date;
  end: string | Date;
  /** `--channel 1,2,5` or `all`. */
  channels: number[] | 'all';
  /** `--events`: condition.Events (normalized). */
  events: string[];
  /** `--flags`: condition.Flags (normalized). */
  flags: string[];
  /** `--stream`: condition.VideoStream (`Main`, `Extra1`…). */
  stream: string;
  snapshots: boolean;
  format: MergeFormat;
  split: SplitMode;
  trim: TrimMode;
  transcode: TranscodeMode;
  dryRun: boolean;
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
  /** undefined: mp4, then dav when no .mp4 is found (the library's default). */
  types: string[] | undefined;
}

export type ParsedArgs = { kind: 'run'; options: AmcrestDlOptions } | { kind: 'exit'; code: number };

const AMCREST_DL = defineCommand({
  name: 'amcrest-dl',
  synopsis: '--host HOST --username USER --start TIME --end TIME [options]',
  description: [
    'Download the recordings of an Amcrest (Dahua API) camera in a time range and merge them with ffmpeg.',
    'Times are ISO 8601. Without an offset they are camera wall-clock time (what the camera overlay shows); with Z or an offset they are instants, converted with --camera-tz or the offset measured from the camera clock. Also: 24h, 7d, 90m (ago), now, today, yesterday (midnight).',
  ].join('\n\n'),
  usageHint: 'Run amcrest-dl --help for the options.',
  // As argparse in the seed (`python main.py`): a repeated flag takes its last value (wrapper scripts add defaults).
  lastValueWins: true,
  options: {
    host: { type: 'string', describe: 'Camera: IP, host name, host:port or http(s)://host[:port]' },
    username: { alias: 'user', type: 'string', describe: 'Camera user' },
    password: { alias: 'pass', type: 'string', describe: 'Password (visible in the process list: prefer the prompt, AMCREST_DL_PASSWORD or --password-file)' },
    'password-file': { alias: 'pass-file', type: 'string', describe: 'File whose first line is the password' },
    start: { type: 'string', describe: 'Start: ISO 8601 (2026-01-16T20:00:00, 2026-01-16T20:00:00-08:00), 24h / 7d ago, now, today, yesterday' },
    end: { type: 'string', describe: 'End (same forms as --start)' },
    channel: { type: 'string', default: '1', describe: 'Channel, a list (1,2,5) or all (NVRs: as many as the device says it has); one merged output per channel (…_ch2); some models want 0' },
    events: { type: 'string', describe: 'Only recordings of these events (condition.Events), comma-separated: VideoMotion,AlarmLocal,… [default: any]' },
    flags: { type: 'string', describe: 'Only recordings with these flags (condition.Flags), comma-separated: Event,Timing,Manual,Marker [default: any]' },
    stream: { type: 'string', default: 'main', describe: 'Recorded stream (condition.VideoStream): main or extra1 (extra2, extra3); the same time from another stream is never downloaded' },
    snapshots: { type: 'boolean', default: false, describe: 'Also download the .jpg snapshots of the window into <output-dir>/snapshots/ (never merged)' },
    'output-format': { type: 'string', choices: MERGE_FORMATS, describe: 'Merged file format [default: mp4, or the --output-file extension]' },
    'output-dir': { alias: 'outdir', type: 'string', default: '.', describe: 'Directory for the merged file and .amcrest_download/' },
    'output-file': { type: 'string', describe: 'Merged file name; its extension is the container (.mp4, .mkv, .avi) [default: amcrest_<start>_<end>.<format>]' },
    'keep-files': { type: 'boolean', default: false, describe: 'Keep the downloaded parts after a successful merge' },
    overwrite: { type: 'boolean', default: false, describe: 'Replace an existing merged file (without it, an existing one stops the run before any download)' },
    'max-concurrent': { type: 'number', default: 4, describe: 'Simultaneous downloads' },
    list: { type: 'boolean', default: false, describe: 'Only list the recordings found; download nothing' },
    json: { type: 'boolean', default: false, describe: 'One JSON object per line on stdout (human lines go to stderr)' },
    merge: { type: 'boolean', default: true, describe: 'Merge the parts with ffmpeg (--no-merge: only download)' },
    'allow-partial': { type: 'boolean', default: false, describe: 'Merge what was downloaded even when some downloads failed' },
    'camera-tz': { type: 'string', describe: "The camera's IANA time zone (America/New_York) for times with an offset [default: measured from the camera clock]" },
    'rate-limit': { type: 'number', default: 0, describe: 'Total download rate in Mbps for all downloads together (0 = unlimited)' },
    'max-retries': { type: 'number', default: 3, describe: 'Retries per file' },
    'retry-delay': { type: 'number', default: 5, describe: 'Seconds before the first retry (doubles each time)' },
    timeout: { type: 'number', default: 60, describe: 'Seconds without data before a request is retried' },
    progress: { type: 'boolean', default: true, describe: 'Live progress on a terminal (--no-progress: plain lines)' },
    split: { type: 'string', choices: SPLIT_MODES, default: 'none', describe: 'One merged file per camera day or hour' },
    trim: {
      type: 'string',
      choices: TRIM_MODES,
      default: 'keyframe',
      describe: 'Cut to --start/--end: keyframe (stream copy from the key frame before the start to the one after the end), exact (re-encodes the first and last GOP), none (whole parts)',
    },
    transcode: {
      type: 'string',
      choices: TRANSCODE_MODES,
      default: 'none',
      describe: 'When the format changes mid-range: none (a new file, …_part2), auto (re-encode the odd parts to the main format), h264 (H.264/AAC that anything plays)',
    },
    'dry-run': {
      type: 'boolean',
      default: false,
      describe: 'Search and print what would be downloaded and merged (outputs per channel and day/hour, from the types, sizes and times the search lists); download nothing, write nothing. Stream parameters are checked after download',
    },
    types: {
      type: 'string',
      array: true,
      describe: 'Search condition.Types, e.g. mp4 or dav [default: mp4, then dav when the window holds no .mp4 (recorders store .dav)]',
    },
    'ca-file': { type: 'string', describe: 'PEM file of the CA that signed the camera certificate (https, also after a redirect to https)' },
    insecure: { type: 'boolean', default: false, describe: 'Accept any TLS certificate (self-signed cameras and recorders)' },
    'allow-basic': { type: 'boolean', default: false, describe: 'Allow Basic authentication over http for old firmware that offers nothing else (the password travels in clear text)' },
  },
  examples: [
    ['amcrest-dl --host 192.168.1.100 --username admin --start 2026-01-16T20:00:00 --end 2026-01-16T22:00:00', 'An evening, merged into one mp4 (password prompted without echo)'],
    ['amcrest-dl --host 192.168.1.100 --username admin --start yesterday --end today --no-merge', 'Yesterday, camera time, downloaded only'],
    ['amcrest-dl --host cam.home --username admin --start 24h --end now --list', 'List the last 24 hours'],
    ['amcrest-dl --host cam.home --username admin --start 2026-01-16T08:00:00-08:00 --end 2026-01-16T18:00:00-08:00 --camera-tz America/Los_Angeles', 'Instants with an offset, converted to camera time'],
    ['amcrest-dl --host 192.168.1.100 --username admin --start 2026-01-16T20:00 --end 2026-01-16T22:00 --output-file night.mkv --keep-files', 'Matroska, parts kept'],
    ['amcrest-dl --host nvr.home --username admin --start yesterday --end today --channel all --types dav --events VideoMotion --split day', 'Motion recordings of every NVR channel, one file per channel (…_ch2)'],
    ['amcrest-dl --host cam.home --username admin --start 24h --end now --flags Event --snapshots --dry-run', 'What an event-only download would fetch and write, and its snapshots; nothing downloaded'],
  ],
  exitCodes: {
    ok: 'done (also when no recordings were found)',
    someFailed: 'some downloads failed (nothing merged unless --allow-partial)',
    usage: 'usage error, search failed (auth, network, bad response), no ffmpeg, or the merged file exists (see --overwrite)',
    mergeFailed: 'merge failed (parts kept)',
    interrupted: 'interrupted by Ctrl+C (files kept for the next run)',
    terminated: 'stopped by SIGTERM',
  },
  notes: ['As the Python tool (argparse), a flag given twice takes its last value (--types collects every value).'],
});

function usageError(message: string): ExitError {
  return commandUsageError(AMCREST_DL, message);
}

/** Parses and validates `amcrest-dl` flags; `--help`/`--version` print and ask to exit 0. */
export async function parseAmcrestDlArgs(argv: string[], print: (text: string) => void): Promise<ParsedArgs> {
  const parsed = await parseCommand(AMCREST_DL, argv, print);
  if (parsed.kind === 'exit') return parsed;
  const args = parsed.args;
  for (const name of ['host', 'username', 'start', 'end'] as const) {
    if (typeof args[name] !== 'string' || args[name] === '') throw usageError(`--${name} is required`);
  }
  const url = parseCameraHost(args['host'] as string, usageError);
  const numbers = { argv, usageError };
  const channels = parseChannels(String(args['channel']));
  const maxConcurrent = numberFlag('max-concurrent', args['max-concurrent'], numbers, { min: 1, integer: true });
  const rateLimitMbps = numberFlag('rate-limit', args['rate-limit'], numbers, { min: 0 });
  const maxRetries = numberFlag('max-retries', args['max-retries'], numbers, { min: 0, integer: true });
  const retryDelay = numberFlag('retry-delay', args['retry-delay'], numbers, { min: 0 });
  const timeout = Math.max(1, numberFlag('timeout', args['timeout'], numbers, { min: 0 }));
  const ca = await caFileFlag(args['ca-file'], usageError);
  // Loaded after --help/--version are handled: they need none of the library.
  const { assertTimeOrder, assertTimeZone, isAmcrestError, parseTimeInput, normalizeEvents, normalizeRecordFlags, normalizeVideoStream } = await import('@camdl/amcrest-recordings');
  let events: string[];
  let flags: string[];
  let stream: string;
  try {
    events = normalizeEvents(listFlag('events', args['events']));
    flags = normalizeRecordFlags(listFlag('flags', args['flags']));
    stream = normalizeVideoStream(String(args['stream']));
  } catch (error) {
    if (isAmcrestError(error)) throw usageError(error.message);
    throw error;
  }
  let startInput: TimeInput;
  let endInput: TimeInput;
  try {
    const now = Date.now();
    startInput = parseTimeInput(args['start'] as string, 'floor', now);
    endInput = parseTimeInput(args['end'] as string, 'ceil', now);
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
  const format = outputFormat(outputFile, args['output-format'] as MergeFormat | undefined);
  return {
    kind: 'run',
    options: {
      url,
      username: args['username'] as string,
      password: args['password'],
      passwordFile: args['password-file'],
      start: startInput.kind === 'instant' ? startInput.instant : startInput.wallClock,
      end: endInput.kind === 'instant' ? endInput.instant : endInput.wallClock,
      channels,
      events,
      flags,
      stream,
      snapshots: args['snapshots'],
      format,
      split: args['split'] as SplitMode,
      trim: args['trim'] as TrimMode,
      transcode: args['transcode'] as TranscodeMode,
      dryRun: args['dry-run'],
      outputDir: resolve(args['output-dir']),
      outputFile,
      keepFiles: args['keep-files'],
      overwrite: args['overwrite'],
      maxConcurrent,
      list: args['list'],
      json: args['json'],
      merge: args['merge'],
      allowPartial: args['allow-partial'],
      cameraTimeZone: args['camera-tz'],
      rateLimitMbps,
      maxRetries,
      retryDelayMs: retryDelay * 1000,
      timeoutMs: timeout * 1000,
      progress: args['progress'],
      types: args['types']?.map(String),
      ca,
      insecure: args['insecure'],
      allowBasic: args['allow-basic'],
    },
  };
}

/** `--channel 1,2,5` → `[1, 2, 5]`; `all` → `'all'`; anything else is a usage error. */
export function parseChannels(text: string): number[] | 'all' {
  const value = text.trim();
  if (value.toLowerCase() === 'all') return 'all';
  const parts = value.split(',').map((part) => part.trim());
  if (parts.some((part) => !/^\d{1,3}$/.test(part))) {
    throw usageError(`--channel must be a channel number, a comma-separated list (1,2,5) or all, got ${JSON.stringify(text)}`);
  }
  const channels = parts.map(Number);
  if (new Set(channels).size !== channels.length) throw usageError(`--channel lists a channel twice: ${JSON.stringify(text)}`);
  return channels;
}

/** `--events VideoMotion,AlarmLocal` → the names; an empty entry is a usage error. */
function listFlag(name: string, value: unknown): string[] {
  if (value === undefined) return [];
  const parts = String(value).split(',').map((part) => part.trim());
  if (parts.some((part) => part === '')) throw usageError(`--${name} is a comma-separated list without empty entries, got ${JSON.stringify(String(value))}`);
  return parts;
}

/**
 * The container of the merged file: `--output-format`, else the `--output-file` extension, else mp4.
 * The extension must name the container written (no MP4 under a `.webm` name).
 */
export function outputFormat(outputFile: string | undefined, flag: MergeFormat | undefined): MergeFormat {
  if (outputFile === undefined) return flag ?? 'mp4';
  const extension = /\.([^./\\]+)$/.exec(outputFile)?.[1]?.toLowerCase();
  const fromExtension = MERGE_FORMATS.find((format) => format === extension);
  if (fromExtension === undefined) {
    const what = extension === undefined ? 'has no extension' : `ends in .${extension}`;
    throw usageError(`--output-file ${JSON.stringify(outputFile)} ${what}; the merged file is ${MERGE_FORMATS.map((format) => `.${format}`).join(', ')} (the extension names the container)`);
  }
  if (flag !== undefined && flag !== fromExtension) {
    throw usageError(`--output-file ${JSON.stringify(outputFile)} is .${fromExtension} but --output-format is ${flag}: give one, or make them agree`);
  }
  return fromExtension;
}
