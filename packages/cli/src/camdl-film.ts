import { camdlUsageError, parseCamdlFlags } from './camdl-flags.js';
import { formatDuration } from './format.js';
import { escapeTerminal, escapeTerminalLines } from './terminal-text.js';

/** How a PLAN line says where a source's time came from (the library's `CoverageOrigin`). */
const ORIGIN_TEXT: Record<string, string> = {
  given: 'the camdl sync ledger',
  listing: 'the camera listing',
  name: 'the file name',
  mtime: 'the file time',
};

/** `3m`, `90s`, `1h30m`, `45` (seconds) → seconds. */
export function parseDurationFlag(name: string, value: string): number {
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

/** `camdl film <folder> --out project.mp4 [...]`: one film of a whole project (`createFilm` of `@camdl/media`). */
export async function run(argv: string[]): Promise<number> {
  const parsed = await parseCamdlFlags('film', argv, (parser) =>
    parser
      // The folder is a positional: unknown flags stay errors, one positional is allowed.
      .strict(false)
      .strictOptions(true)
      .usage(
        '$0 <folder or camdl sync archive> --out project.mp4 [options]\n\nOne film from Timelapse2 1.x (AVI), Timelapse 3.x (MP4) archives and Amcrest recordings, in the order of the time they cover. Stream copy when nothing asks for a change; one re-encode otherwise.',
      )
      .option('out', { alias: 'o', type: 'string', describe: 'The film (MP4)' })
      .option('camera', { type: 'string', describe: 'Only this camera (folder name or file-name prefix)' })
      .option('from', { type: 'string', describe: 'Only what covers time from here (ISO 8601; a date = from its start)' })
      .option('to', { type: 'string', describe: 'Only what covers time up to here (ISO 8601; a date = to its end)' })
      .option('length', { type: 'string', describe: 'Film length (3m, 90s): frames dropped evenly' })
      .option('speed', { type: 'number', describe: 'Real seconds per film second (600 = ten minutes a second)' })
      .option('every', { type: 'string', describe: 'One frame per interval of real time (10m)' })
      .option('stamp', { type: 'boolean', default: false, describe: "Burn each frame's date and time in the corner" })
      .option('size', { type: 'string', describe: 'Film size WIDTHxHEIGHT (letterboxed) [default: the size of most of the material]' })
      .option('overwrite', { type: 'boolean', default: false, describe: 'Replace an existing film' })
      .option('dry-run', { type: 'boolean', default: false, describe: 'Show the plan, write nothing' })
      .option('progress', { type: 'boolean', default: true, describe: 'Live progress on a terminal (--no-progress: plain lines)' })
      .option('json', { type: 'boolean', default: false, describe: 'NDJSON events on stdout' }),
  );
  if (parsed.kind === 'exit') return parsed.code;
  const args = parsed.args;
  const folder = args._[0] === undefined ? undefined : String(args._[0]);
  if (folder === undefined || folder === '') throw camdlUsageError('give the folder (or camdl sync archive) to make the film of');
  if (args._.length > 1) throw camdlUsageError(`one folder only, got also ${JSON.stringify(String(args._[1]))}`);
  if (typeof args.out !== 'string' || args.out === '') throw camdlUsageError('--out is required');
  const asked = [args.length, args.speed, args.every].filter((value) => value !== undefined);
  if (asked.length > 1) throw camdlUsageError('give only one of --length, --speed and --every');
  if (args.speed !== undefined && !(args.speed > 0)) throw camdlUsageError(`--speed must be a positive number, got ${args.speed}`);
  let size: { width: number; height: number } | undefined;
  if (args.size !== undefined) {
    const match = /^(\d+)x(\d+)$/i.exec(args.size);
    if (!match || Number(match[1]) < 16 || Number(match[2]) < 16 || Number(match[1]) % 2 || Number(match[2]) % 2) throw camdlUsageError(`--size must be WIDTHxHEIGHT with even numbers (1920x1080), got ${JSON.stringify(args.size)}`);
    size = { width: Number(match[1]), height: Number(match[2]) };
  }
  const from = args.from === undefined ? undefined : parseDateFlag('from', args.from, false);
  const to = args.to === undefined ? undefined : parseDateFlag('to', args.to, true);
  if (from && to && to <= from) throw camdlUsageError('--to must be after --from');
  const lengthSeconds = args.length === undefined ? undefined : parseDurationFlag('length', args.length);
  const everySeconds = args.every === undefined ? undefined : parseDurationFlag('every', args.every);

  const [{ createFilm, isMediaError }, { createOutput }, { installInterruptHandler }] = await Promise.all([import('@camdl/media'), import('./output.js'), import('./interrupt.js')]);
  const out = createOutput({ json: args.json, progress: args.progress });
  // A camdl sync archive: its ledger says what each file covers (Timelapse first/last), which orders the film.
  const { findArchiveLedger, archivedCoverage } = await import('@camdl/sync');
  const ledger = findArchiveLedger(folder);
  let coverage: Awaited<ReturnType<typeof archivedCoverage>> | undefined;
  if (ledger !== undefined) {
    try {
      coverage = archivedCoverage(ledger);
      out.line('INFO', `times from the camdl sync ledger ${escapeTerminal(ledger)} (${coverage.size} archived files)`);
    } catch (error) {
      out.warn(`camdl film: cannot read the ledger ${escapeTerminal(ledger)} (${escapeTerminal(error instanceof Error ? error.message : String(error))}): times from listings, names or file dates instead`);
    }
  }
  const interrupt = installInterruptHandler();
  try {
    const result = await createFilm({
      source: folder,
      output: args.out,
      camera: args.camera,
      coverage,
      from,
      to,
      lengthSeconds,
      speed: args.speed,
      everySeconds,
      stamp: args.stamp,
      size,
      dryRun: args.dryRun,
      overwrite: args.overwrite,
      signal: interrupt.stopSignal,
      onEvent: (event) => {
        if (event.type === 'plan') {
          const { plan } = event;
          out.line('PLAN', `${plan.parts.length} source(s) → ${plan.frames} frames at ${plan.frameRate} fps (${formatDuration(plan.seconds)}), ${plan.width}x${plan.height}, ${plan.mode === 'copy' ? 'stream copy' : 'one re-encode'}${plan.capped ? ' (the material is shorter than --length: every frame kept)' : ''}`);
          for (const part of plan.parts) out.line('PLAN', `  ${part.first.toISOString()} → ${part.last.toISOString()}  ${part.selected}/${part.frames} frames  ${escapeTerminal(part.path)} (time from ${ORIGIN_TEXT[part.origin] ?? part.origin})`);
          out.event({ type: 'plan', mode: plan.mode, frames: plan.frames, seconds: plan.seconds, width: plan.width, height: plan.height, fps: plan.fps, parts: plan.parts.map((part) => ({ path: part.path, first: part.first.toISOString(), last: part.last.toISOString(), origin: part.origin, frames: part.frames, selected: part.selected })) });
        } else if (event.type === 'progress') {
          out.progress(`film ${event.frames}/${event.totalFrames} frames${event.etaSeconds === undefined ? '' : `, ${formatDuration(event.etaSeconds)} left`}`);
        }
      },
    });
    out.clearProgress();
    if (result.dryRun) {
      out.text(`Dry run: ${result.plan.frames} frames, ${formatDuration(result.plan.seconds)}; nothing written.`);
      out.event({ type: 'done', exitCode: 0, dryRun: true });
      return 0;
    }
    out.line('SAVE', `${escapeTerminal(result.output)} (${result.frames} frames, ${result.durationSeconds?.toFixed(2)} s, ${result.width}x${result.height}; checked with ffprobe)`);
    out.event({ type: 'done', exitCode: 0, output: result.output, frames: result.frames, durationSeconds: result.durationSeconds, width: result.width, height: result.height });
    return 0;
  } catch (error) {
    out.clearProgress();
    if (interrupt.state !== 'none' || isMediaError(error, 'ERR_MEDIA_ABORTED')) {
      out.text('Interrupted: no film was written.');
      return interrupt.state === 'terminate' ? 143 : 130;
    }
    if (isMediaError(error)) {
      const usage = error.code === 'ERR_MEDIA_INVALID_OPTIONS' || error.code === 'ERR_MEDIA_OUTPUT_EXISTS' || error.code === 'ERR_FFMPEG_NOT_FOUND';
      out.warn(`camdl film [${error.code}]: ${escapeTerminalLines(error.message)}`);
      out.event({ type: 'done', exitCode: usage ? 2 : 1, error: error.message, code: error.code });
      return usage ? 2 : 1;
    }
    throw error;
  } finally {
    interrupt.dispose();
  }
}
