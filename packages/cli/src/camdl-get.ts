import { camdlUsageError, toCamdlExit } from './camdl-flags.js';
import { defineCommand, parseCommand } from './command-spec.js';
import { EXIT_CODES, ExitError } from './exit-error.js';
import { resolvePassword } from './password.js';

const KINDS = ['axis-edge', 'hikvision', 'timelapse', 'amcrest'] as const;

const GET = defineCommand({
  name: 'camdl get',
  synopsis:
    '--kind axis-edge|hikvision|timelapse|amcrest --host HOST [--user USER] [--password-file F | --password-env VAR] --since T [--until T] [--time-zone ZONE] --out DIR [--channel N|all] [--merge FILE]',
  description:
    'Download one camera’s recordings of a window once, into a folder: the same listing, atomic files and verification as camdl sync (Axis exports proven whole from their container, Hikvision files against the size= of their playbackURI), nothing deleted on the camera. Times without Z or an offset are camera wall-clock time, as in the config. A second run into the same folder fetches only what is missing (kept in DIR/.camdl).',
  options: {
    kind: { type: 'string', choices: KINDS, demandOption: true, describe: 'The camera kind, as in the config' },
    host: { type: 'string', demandOption: true, describe: 'host, host:port or http(s)://host[:port]' },
    user: { alias: 'username', type: 'string', describe: 'Camera user (default: root for axis-edge, admin for amcrest and hikvision; timelapse: none)' },
    'password-file': { type: 'string', describe: 'File whose first line is the password' },
    'password-env': { type: 'string', describe: 'Environment variable holding the password (else: a prompt without echo on a terminal)' },
    since: { type: 'string', demandOption: true, describe: 'Window start: 2026-01-16T20:00:00 (camera time), …Z or with an offset, or 12h / 2d before now' },
    until: { type: 'string', describe: 'Window end, written like --since (default: now)' },
    'time-zone': { type: 'string', describe: 'The camera’s IANA zone (default: this computer’s; hikvision: the recorder’s own clock)' },
    out: { type: 'string', demandOption: true, describe: 'The folder for the files (created)' },
    channel: { type: 'string', array: true, describe: 'amcrest/hikvision: channel, list (1,2) or all (default 1)' },
    merge: { type: 'string', describe: 'Also merge the window’s files (one channel) into this file with ffmpeg' },
    format: { type: 'string', choices: ['matroska', 'mp4'], describe: 'axis-edge: the export container (default matroska)' },
    disk: { type: 'string', describe: 'axis-edge: only this disk (SD_DISK, NetworkShare; default every disk)' },
    insecure: { type: 'boolean', default: false, describe: 'Accept any TLS certificate (self-signed cameras)' },
    'ca-file': { type: 'string', describe: 'PEM file of the CA that signed the camera’s certificate' },
    'rate-limit': { type: 'number', describe: 'Mbps (default unlimited)' },
    'max-retries': { type: 'number', describe: 'Retries per file (default 3)' },
    json: { type: 'boolean', default: false, describe: 'NDJSON events on stdout (human lines on stderr)' },
    progress: { type: 'boolean', default: true, describe: 'A live line on a terminal (--no-progress: plain lines)' },
  },
  examples: [
    [
      'camdl get --kind hikvision --host 10.0.0.51 --user admin --password-file ~/.lobby.pass --since 2026-01-16T20:00:00 --until 2026-01-16T22:00:00 --out ./lobby',
      'An evening of a Hikvision camera or NVR (recorder wall-clock time), channel 1',
    ],
    ['camdl get --kind hikvision --host 10.0.0.51 --user admin --channel all --since 2026-01-16 --until 2026-01-17 --out ./nvr', 'A whole day of every channel of an NVR (password prompted)'],
    ['camdl get --kind axis-edge --host https://10.0.0.41 --user root --password-env DOCK_PASSWORD --since 12h --format mp4 --out ./dock --merge dock.mp4', 'The last 12 hours of an Axis camera’s SD card as MP4, merged into one file'],
    ['camdl get --kind amcrest --host 10.0.0.31 --user admin --since 2026-01-16T08:00:00 --until 2026-01-16T09:00:00 --time-zone Europe/Berlin --out ./kitchen', 'One hour of an Amcrest/Dahua camera'],
    ['camdl get --kind timelapse --host 10.0.0.21 --user root --since 7d --out ./gate', 'The Timelapse2/3 archives of the last week'],
  ],
  exitCodes: {
    ok: 'every recording of the window downloaded and verified (also: none in the window)',
    someFailed: 'some recording failed, or the camera could not be reached or refused the login',
    usage: 'usage error (a flag, a time, no password)',
    mergeFailed: '--merge failed (the downloaded files are kept)',
    interrupted: 'interrupted by Ctrl+C (partial downloads stay as .part for the next run)',
    terminated: 'terminated by SIGTERM',
  },
});

/** `--channel 1 --channel 2`, `--channel 1,2` or `--channel all`. */
function parseChannels(values: readonly string[] | undefined): number[] | 'all' | undefined {
  if (values === undefined || values.length === 0) return undefined;
  const parts = values.flatMap((value) => String(value).split(',')).map((part) => part.trim());
  if (parts.includes('all')) {
    if (parts.length > 1) throw camdlUsageError('--channel all cannot be combined with channel numbers');
    return 'all';
  }
  const channels = parts.map((part) => {
    if (!/^\d{1,3}$/.test(part)) throw camdlUsageError(`--channel must be channel numbers (1, 2) or all, got ${JSON.stringify(part)}`);
    return Number(part);
  });
  return [...new Set(channels)];
}

/**
 * `camdl get --kind KIND --host HOST --since T [--until T] --out DIR`: one camera's window downloaded
 * once, with the sync's safety (atomic files, the kind's verification, hostile names), nothing deleted.
 */
export async function run(argv: string[]): Promise<number> {
  const parsed = await parseCommand(GET, argv);
  if (parsed.kind === 'exit') return parsed.code;
  const args = parsed.args;
  const kind = args.kind as (typeof KINDS)[number];
  const channels = parseChannels(args.channel);
  const [{ getRecordings, getCameraConfig }, { installInterruptHandler }, { createSyncRenderer }] = await Promise.all([
    import('@camdl/sync'),
    import('./interrupt.js'),
    import('./camdl-sync-render.js'),
  ]);
  const cameraOptions = {
    kind,
    host: args.host,
    username: args.user,
    since: args.since,
    until: args.until,
    timeZone: args.timeZone,
    out: args.out,
    channels,
    disk: args.disk,
    format: args.format as 'matroska' | 'mp4' | undefined,
    insecure: args.insecure,
    caFile: args.caFile,
    rateLimitMbps: args.rateLimit,
    maxRetries: args.maxRetries,
  };
  let camera: ReturnType<typeof getCameraConfig>;
  try {
    // Every option checked before a password is asked for.
    camera = getCameraConfig(cameraOptions);
  } catch (error) {
    throw camdlUsageError((error as Error).message);
  }
  if (args.merge !== undefined && (channels === 'all' || (channels?.length ?? 1) > 1)) throw camdlUsageError('--merge takes the files of one channel: give one --channel');
  const password = await cameraPassword(args, camera.username !== undefined, `Password for ${camera.username ?? ''}@${camera.url.host}: `);
  const live = args.progress && !args.json && Boolean(process.stderr.isTTY) && process.env['TERM'] !== 'dumb' && !process.env['CI'];
  const renderer = createSyncRenderer({ json: args.json, live, stdout: process.stdout, stderr: process.stderr });
  const interrupt = installInterruptHandler({
    onStop: () => renderer.say('Stopping after the current file (Ctrl+C again to stop now)…'),
    onAbort: () => renderer.say('Stopping now; a partial download is kept as a .part file for the next run.'),
    onTerminate: () => renderer.say('Terminated: stopping now; a partial download is kept as a .part file for the next run.'),
  });
  let result: Awaited<ReturnType<typeof getRecordings>>;
  try {
    result = await getRecordings({
      ...cameraOptions,
      password,
      signal: interrupt.signal,
      shouldContinue: () => !interrupt.stopSignal.aborted,
      onEvent: (event) => renderer.render(event),
    });
  } catch (error) {
    toCamdlExit(error);
  } finally {
    renderer.close();
    interrupt.dispose();
  }
  if (interrupt.state === 'terminate') return EXIT_CODES.terminated;
  if (interrupt.state !== 'none') return EXIT_CODES.interrupted;
  if (args.merge !== undefined && result.files.length > 0) {
    const merged = await mergeFiles(result.files, args.merge, renderer.say);
    if (!merged) return EXIT_CODES.mergeFailed;
  }
  return result.outcome === 'ok' ? EXIT_CODES.ok : EXIT_CODES.someFailed;
}

/** The password from --password-file, --password-env or a prompt; none for a camera without a user. */
async function cameraPassword(args: { passwordFile?: string | undefined; passwordEnv?: string | undefined }, needed: boolean, prompt: string): Promise<string> {
  if (args.passwordFile !== undefined && args.passwordEnv !== undefined) throw camdlUsageError('give --password-file or --password-env, not both');
  if (args.passwordEnv !== undefined) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(args.passwordEnv)) throw camdlUsageError(`--password-env must be an environment variable name, got ${JSON.stringify(args.passwordEnv)}`);
    const value = process.env[args.passwordEnv];
    if (value === undefined || value === '') throw camdlUsageError(`--password-env: ${args.passwordEnv} is not set`);
    return value;
  }
  if (args.passwordFile === undefined && !needed) return '';
  if (args.passwordFile === undefined && !process.stdin.isTTY) throw camdlUsageError('no password: pass --password-file FILE or --password-env VAR, or run on a terminal to be prompted');
  try {
    return (await resolvePassword({ file: args.passwordFile, envNames: [], prompt })).password;
  } catch (error) {
    if (error instanceof ExitError) throw camdlUsageError(error.message);
    throw error;
  }
}

/** Merges the files (oldest first) with ffmpeg into `output`; false (said) when it fails. */
async function mergeFiles(files: ReadonlyArray<{ path: string; startMs: number; endMs: number; cameraStart: string }>, output: string, say: (text: string) => void): Promise<boolean> {
  const { mergeMedia } = await import('@camdl/media');
  const { printable } = await import('./camdl-sync-render.js');
  try {
    const merged = await mergeMedia({
      // The listed length stands in only for a file that says neither in its container nor in its packets.
      inputs: [...files].sort((a, b) => a.startMs - b.startMs).map((file) => ({ path: file.path, start: new Date(file.startMs), cameraTime: file.cameraStart, durationSeconds: (file.endMs - file.startMs) / 1000 })),
      output,
      format: output.toLowerCase().endsWith('.mkv') ? 'mkv' : 'mp4',
    });
    for (const file of merged.outputs) say(`MERGE ${printable(file.path)} (${file.parts.length} files, ${file.durationSeconds.toFixed(1)} s)`);
    return true;
  } catch (error) {
    say(`FAIL  merge: ${printable((error as Error).message)} (the downloaded files are kept)`);
    return false;
  }
}
