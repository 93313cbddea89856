import type { FilmEvent, FilmPlan, FilmResult } from '@camdl/media';
import { EXIT_CODES } from './exit-error.js';
import { formatDuration } from './format.js';
import type { Output } from './output.js';
import { escapeTerminal, escapeTerminalLines } from './terminal-text.js';

/** How a PLAN line says where a source's time came from (the library's `CoverageOrigin`). */
const ORIGIN_TEXT: Record<string, string> = {
  given: 'the camdl sync ledger',
  listing: 'the camera listing',
  name: 'the file name',
  mtime: 'the file time',
};

/** The plan in one line: sources, frames, length, size, and how much decoding it takes. */
function planSummary(plan: FilmPlan): string {
  const decoded = plan.parts.reduce((sum, part) => sum + part.decoded, 0);
  const total = plan.parts.reduce((sum, part) => sum + part.frames, 0);
  const how = plan.mode === 'copy' ? 'stream copy' : `one re-encode, decoding ${decoded} of ${total} source frames`;
  return `${plan.parts.length} source(s) → ${plan.frames} frames at ${plan.frameRate} fps (${formatDuration(plan.seconds)}), ${plan.width}x${plan.height}, ${how}${plan.capped ? ' (the material is shorter than --length: every frame kept)' : ''}`;
}

/**
 * Prints `createFilm`'s events: the plan in one line (a PLAN line per source only when `detail`: a month
 * of archives is hundreds of lines), the live progress, NDJSON with `--json`.
 */
export function renderFilmEvent(out: Output, event: FilmEvent, options: { detail: boolean }): void {
  if (event.type === 'plan') {
    const { plan } = event;
    out.line('PLAN', planSummary(plan));
    if (options.detail) {
      for (const part of plan.parts) out.line('PLAN', `  ${part.first.toISOString()} → ${part.last.toISOString()}  ${part.selected}/${part.frames} frames  ${escapeTerminal(part.path)} (time from ${ORIGIN_TEXT[part.origin] ?? part.origin})`);
    }
    out.event({
      type: 'plan',
      mode: plan.mode,
      frames: plan.frames,
      seconds: plan.seconds,
      width: plan.width,
      height: plan.height,
      fps: plan.fps,
      parts: plan.parts.map((part) => ({ path: part.path, first: part.first.toISOString(), last: part.last.toISOString(), origin: part.origin, frames: part.frames, selected: part.selected, decoded: part.decoded })),
    });
  } else if (event.type === 'probed') {
    out.progress(`reading sources ${event.probed}/${event.total}`);
  } else if (event.type === 'progress') {
    out.progress(`film ${event.frames}/${event.totalFrames} frames${event.etaSeconds === undefined ? '' : `, ${formatDuration(event.etaSeconds)} left`}`);
  }
}

/** The last words of a run that made its film (or its plan). */
export function renderFilmResult(out: Output, result: FilmResult): number {
  out.clearProgress();
  if (result.dryRun) {
    out.text(`Dry run: ${result.plan.frames} frames, ${formatDuration(result.plan.seconds)}; nothing written.`);
    out.event({ type: 'done', exitCode: EXIT_CODES.ok, dryRun: true });
    return EXIT_CODES.ok;
  }
  out.line('SAVE', `${escapeTerminal(result.output)} (${result.frames} frames, ${result.durationSeconds?.toFixed(2)} s, ${result.width}x${result.height}; checked with ffprobe)`);
  out.event({ type: 'done', exitCode: EXIT_CODES.ok, output: result.output, frames: result.frames, durationSeconds: result.durationSeconds, width: result.width, height: result.height });
  return EXIT_CODES.ok;
}

/** A failure, worded for a person, and its exit code: what the user can fix is 2, what failed is 1. */
export function renderFilmError(out: Output, error: { code: string; message: string; path?: string | undefined }): number {
  out.clearProgress();
  const usage = error.code === 'ERR_MEDIA_INVALID_OPTIONS' || error.code === 'ERR_MEDIA_OUTPUT_EXISTS' || error.code === 'ERR_FFMPEG_NOT_FOUND';
  const message = error.code === 'ERR_MEDIA_OUTPUT_EXISTS' ? `${error.path ?? error.message} already exists: add --overwrite to replace it` : error.message;
  const exitCode = usage ? EXIT_CODES.usage : EXIT_CODES.someFailed;
  out.warn(`camdl film [${error.code}]: ${escapeTerminalLines(message)}`);
  out.event({ type: 'done', exitCode, error: message, code: error.code });
  return exitCode;
}
