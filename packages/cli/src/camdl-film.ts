import { existsSync } from 'node:fs';
import { resolve, sep } from 'node:path';
import type { Coverage } from '@camdl/media';
import { camdlUsageError, toCamdlExit } from './camdl-flags.js';
import { parseFilmArgs, type FilmArgs } from './camdl-film-options.js';
import { renderFilmError, renderFilmEvent, renderFilmResult } from './camdl-film-render.js';
import { EXIT_CODES } from './exit-error.js';
import type { Output } from './output.js';
import { escapeTerminal } from './terminal-text.js';

/** What the archive's ledger and the config say about the film's sources. */
interface FilmContext {
  coverage: Map<string, Coverage> | undefined;
  camera: string | undefined;
  timeZone: string | undefined;
}

/**
 * A camdl sync archive's ledger says what each file covers (Timelapse first/last, which orders the film)
 * and which camera recorded it: a film is of one camera, so several under `folder` without `--camera`
 * is refused with their names.
 */
async function ledgerCoverage(args: FilmArgs, out: Output): Promise<{ coverage: Map<string, Coverage> | undefined; camera: string | undefined }> {
  const { findArchiveLedger, archivedCoverage } = await import('@camdl/sync');
  const ledger = findArchiveLedger(args.folder);
  if (ledger === undefined) return { coverage: undefined, camera: args.camera };
  let coverage: Map<string, Coverage>;
  try {
    coverage = archivedCoverage(ledger);
  } catch (error) {
    out.warn(`camdl film: cannot read the ledger ${escapeTerminal(ledger)} (${escapeTerminal(error instanceof Error ? error.message : String(error))}): times from listings, names or file dates instead`);
    return { coverage: undefined, camera: args.camera };
  }
  out.line('INFO', `times from the camdl sync ledger ${escapeTerminal(ledger)} (${coverage.size} archived files)`);
  const folder = resolve(args.folder);
  const cameras = new Set<string>();
  for (const [path, span] of coverage) if (span.camera !== undefined && (path === folder || path.startsWith(folder + sep))) cameras.add(span.camera);
  if (args.camera !== undefined) {
    const asked = args.camera.replaceAll(' ', '_').toLowerCase();
    return { coverage, camera: [...cameras].find((name) => name.replaceAll(' ', '_').toLowerCase() === asked) ?? args.camera };
  }
  if (cameras.size > 1) {
    const names = [...cameras].sort();
    throw camdlUsageError(`${escapeTerminal(args.folder)} holds ${names.length} cameras (${names.map(escapeTerminal).join(', ')}): a film is of one camera; add --camera ${escapeTerminal(names[0]!)} (or another)`);
  }
  return { coverage, camera: cameras.size === 1 ? [...cameras][0] : undefined };
}

/**
 * The zone `--stamp` shows: `--time-zone`, else the camera's `time-zone:` in the config (`--config`, or
 * `camdl.yaml` when there is one), else this computer's, as `camdl sync` files it.
 */
async function stampZone(args: FilmArgs, camera: string | undefined, out: Output): Promise<string | undefined> {
  if (args.timeZone !== undefined || !args.stamp) return args.timeZone;
  const configPath = args.config ?? (existsSync('camdl.yaml') ? 'camdl.yaml' : undefined);
  const local = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (configPath === undefined) {
    out.line('INFO', `--stamp: no config (--config) to read the camera's time-zone from: stamping in this computer's zone, ${local} (--time-zone to choose)`);
    return undefined;
  }
  const { loadConfig } = await import('@camdl/sync');
  let cameras: ReturnType<typeof loadConfig>['cameras'];
  try {
    cameras = loadConfig(configPath).cameras;
  } catch (error) {
    toCamdlExit(error);
  }
  const entry = camera === undefined ? (cameras.length === 1 ? cameras[0] : undefined) : cameras.find((candidate) => candidate.name === camera);
  if (entry === undefined) {
    out.line('INFO', `--stamp: ${camera === undefined ? 'which camera is unknown' : `no camera ${escapeTerminal(camera)} in ${escapeTerminal(configPath)}`}: stamping in this computer's zone, ${local} (--time-zone to choose)`);
    return undefined;
  }
  // A camera without `time-zone:` is filed in this computer's zone by `camdl sync`: the same here.
  return entry.timeZone ?? local;
}

async function filmContext(args: FilmArgs, out: Output): Promise<FilmContext> {
  const { coverage, camera } = await ledgerCoverage(args, out);
  return { coverage, camera, timeZone: await stampZone(args, camera, out) };
}

/** `camdl film <folder> --camera NAME --out film.mp4 [...]`: one film of one camera (`createFilm` of `@camdl/media`). */
export async function run(argv: string[]): Promise<number> {
  const parsed = await parseFilmArgs(argv);
  if (parsed.kind === 'exit') return parsed.code;
  const args = parsed.args;
  const [{ createFilm, isMediaError }, { createOutput }, { installInterruptHandler }] = await Promise.all([import('@camdl/media'), import('./output.js'), import('./interrupt.js')]);
  const out = createOutput({ json: args.json, progress: args.progress });
  const context = await filmContext(args, out);
  const interrupt = installInterruptHandler();
  try {
    const result = await createFilm({
      source: args.folder,
      output: args.out,
      camera: args.camera === undefined ? undefined : (context.camera ?? args.camera),
      coverage: context.coverage,
      from: args.from,
      to: args.to,
      lengthSeconds: args.lengthSeconds,
      speed: args.speed,
      everySeconds: args.everySeconds,
      stamp: args.stamp,
      timeZone: context.timeZone,
      size: args.size,
      dryRun: args.dryRun,
      overwrite: args.overwrite,
      signal: interrupt.stopSignal,
      onEvent: (event) => renderFilmEvent(out, event, { detail: args.dryRun || args.verbose }),
    });
    return renderFilmResult(out, result);
  } catch (error) {
    if (interrupt.state !== 'none' || isMediaError(error, 'ERR_MEDIA_ABORTED')) {
      out.clearProgress();
      out.text('Interrupted: no film was written.');
      return interrupt.state === 'terminate' ? EXIT_CODES.terminated : EXIT_CODES.interrupted;
    }
    if (isMediaError(error)) return renderFilmError(out, error);
    throw error;
  } finally {
    interrupt.dispose();
  }
}
