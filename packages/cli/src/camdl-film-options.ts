import { camdlUsageError } from './camdl-flags.js';
import { defineCommand, parseCommand } from './command-spec.js';
import type { FlagsOutcome } from './parse-flags.js';

/** What `camdl film` was asked, checked: every value in range, dates parsed. */
export interface FilmArgs {
  folder: string;
  out: string;
  camera: string | undefined;
  /** `--config` as given, or undefined when the default (`camdl.yaml`) is to be tried. */
  config: string | undefined;
  timeZone: string | undefined;
  from: Date | undefined;
  to: Date | undefined;
  lengthSeconds: number | undefined;
  speed: number | undefined;
  everySeconds: number | undefined;
  stamp: boolean;
  size: { width: number; height: number } | undefined;
  overwrite: boolean;
  dryRun: boolean;
  verbose: boolean;
  progress: boolean;
  json: boolean;
}

const FILM = defineCommand({
  name: 'camdl film',
  synopsis: '<folder or camdl sync archive> --out film.mp4 [options]',
  description:
    'One film of one camera from Timelapse2 1.x (AVI), Timelapse 3.x (MP4) archives and Amcrest recordings, in the order of the time they cover. Only the frames the film shows are decoded. Stream copy when nothing asks for a change; one re-encode otherwise.',
  // The folder is a positional: unknown flags stay errors, one positional is allowed.
  positionals: true,
  options: {
    out: { alias: 'o', type: 'string', describe: 'The film (MP4)' },
    camera: { type: 'string', describe: 'The camera (its name in the config, folder name or file-name prefix); needed when the archive holds several' },
    from: { type: 'string', describe: 'Only what covers time from here (ISO 8601; a date = from its start)' },
    to: { type: 'string', describe: 'Only what covers time up to here (ISO 8601; a date = to its end)' },
    length: { type: 'string', describe: 'Film length (3m, 90s): frames dropped evenly' },
    speed: { type: 'number', describe: 'Real seconds per film second (600 = ten minutes a second)' },
    every: { type: 'string', describe: 'One frame per interval of real time (10m)' },
    stamp: { type: 'boolean', default: false, describe: "Burn each frame's date and time (the camera's clock) in the corner" },
    config: { alias: 'c', type: 'string', describe: "The fleet config, for the camera's time-zone [default: camdl.yaml when there is one]" },
    'time-zone': { type: 'string', describe: "The camera's IANA zone for --stamp (overrides the config) [default: the config's, else this computer's]" },
    size: { type: 'string', describe: 'Film size WIDTHxHEIGHT (letterboxed) [default: the size of most of the material]' },
    overwrite: { type: 'boolean', default: false, describe: 'Replace an existing film' },
    'dry-run': { type: 'boolean', default: false, describe: 'Show the plan (a PLAN line per source), write nothing' },
    progress: { type: 'boolean', default: true, describe: 'Live progress on a terminal (--no-progress: plain lines)' },
    json: { type: 'boolean', default: false, describe: 'NDJSON events on stdout' },
  },
  examples: [
    ['camdl film archive --camera north-gate --out north-gate.mp4 --length 3m --stamp', 'a 3-minute film of one camera of a camdl sync archive, each frame stamped with the camera time'],
    ['camdl film archive --camera north-gate --out march.mp4 --from 2026-03-01 --to 2026-03-31 --speed 3600', 'March, one hour of real time per film second'],
    ['camdl film ~/Timelapse/site --out site.mp4 --every 10m --dry-run', 'the plan for a folder of archives (one frame per 10 minutes), nothing written'],
  ],
  exitCodes: {
    ok: 'the film was written and checked with ffprobe (with --dry-run: the plan was made)',
    someFailed: 'a file could not be read or ffmpeg failed: no film was written',
    usage: 'usage error: a bad flag, nothing to film, several cameras without --camera, the film exists without --overwrite, ffmpeg missing',
    interrupted: 'interrupted by Ctrl+C: no film was written',
    terminated: 'terminated by SIGTERM: no film was written',
  },
  notes: ['--verbose prints the PLAN line of every source without --dry-run.'],
});

/** `3m`, `90s`, `1h30m`, `45` (seconds) → seconds. */
function parseDurationFlag(name: string, value: string): number {
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text);
  const match = /^(?:(\d+(?:\.\d+)?)h)?(?:(\d+(?:\.\d+)?)m)?(?:(\d+(?:\.\d+)?)s)?$/i.exec(text);
  if (!match || text === '' || !(match[1] || match[2] || match[3])) throw camdlUsageError(`--${name} must be a duration like 3m, 90s or 1h30m, got ${JSON.stringify(value)}`);
  const seconds = Number(match[1] ?? 0) * 3600 + Number(match[2] ?? 0) * 60 + Number(match[3] ?? 0);
  if (!(seconds > 0)) throw camdlUsageError(`--${name} must be longer than 0, got ${JSON.stringify(value)}`);
  return seconds;
}

function parseDateFlag(name: string, value: string, endOfDay: boolean): Date {
  // A bare date means that whole day (local time), from its start or to its end.
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(value);
  const date = new Date(dateOnly ? `${value}T${endOfDay ? '23:59:59.999' : '00:00:00'}` : value);
  if (Number.isNaN(date.getTime())) throw camdlUsageError(`--${name} must be an ISO 8601 date or time, got ${JSON.stringify(value)}`);
  return date;
}

function parseSize(value: string): { width: number; height: number } {
  const match = /^(\d+)x(\d+)$/i.exec(value);
  const width = Number(match?.[1]);
  const height = Number(match?.[2]);
  if (!match || width < 16 || height < 16 || width % 2 || height % 2) throw camdlUsageError(`--size must be WIDTHxHEIGHT with even numbers (1920x1080), got ${JSON.stringify(value)}`);
  return { width, height };
}

/** Parses and checks `camdl film`'s flags (`--help` prints its examples and exit codes; a bad flag exits 2). */
export async function parseFilmArgs(argv: string[]): Promise<FlagsOutcome<FilmArgs>> {
  const parsed = await parseCommand(FILM, argv);
  if (parsed.kind === 'exit') return parsed;
  const args = parsed.args;
  const folder = args._[0] === undefined ? undefined : String(args._[0]);
  if (folder === undefined || folder === '') throw camdlUsageError('give the folder (or camdl sync archive) to make the film of');
  if (args._.length > 1) throw camdlUsageError(`one folder only, got also ${JSON.stringify(String(args._[1]))}`);
  if (typeof args.out !== 'string' || args.out === '') throw camdlUsageError('--out is required');
  const asked = [args.length, args.speed, args.every].filter((value) => value !== undefined);
  if (asked.length > 1) throw camdlUsageError('give only one of --length, --speed and --every');
  if (args.speed !== undefined && !(args.speed > 0)) throw camdlUsageError(`--speed must be a positive number, got ${args.speed}`);
  const from = args.from === undefined ? undefined : parseDateFlag('from', args.from, false);
  const to = args.to === undefined ? undefined : parseDateFlag('to', args.to, true);
  if (from && to && to <= from) throw camdlUsageError('--to must be after --from');
  return {
    kind: 'args',
    args: {
      folder,
      out: args.out,
      camera: args.camera,
      config: args.config,
      timeZone: args.timeZone,
      from,
      to,
      lengthSeconds: args.length === undefined ? undefined : parseDurationFlag('length', args.length),
      speed: args.speed,
      everySeconds: args.every === undefined ? undefined : parseDurationFlag('every', args.every),
      stamp: args.stamp,
      size: args.size === undefined ? undefined : parseSize(args.size),
      overwrite: args.overwrite,
      dryRun: args.dryRun,
      verbose: args.verbose === true,
      progress: args.progress,
      json: args.json,
    },
  };
}
