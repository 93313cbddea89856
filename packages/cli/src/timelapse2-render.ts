import { basename } from 'node:path';
import type { TimelapseArchive, TimelapseJobEvent, TimelapseJobMode, TimelapseJobResult, TimelapsePhase } from '@camdl/axis-timelapse2';
import type { Renderer } from './command.js';
import { EXIT_CODES } from './exit-error.js';
import { errorCode, describeError, listingFailureMessage } from './error-text.js';
import { formatBytes, formatDuration, formatInstant, formatProgressLine } from './format.js';
import type { Output } from './output.js';
import { escapeTerminal as safe } from './terminal-text.js';

/** Maps how the job ended to the seed's exit codes. */
export function timelapseExitCode(result: TimelapseJobResult): number {
  switch (result.outcome) {
    case 'done':
      return EXIT_CODES.ok;
    case 'some-failed':
    case 'outdir-failed':
      return EXIT_CODES.someFailed;
    case 'listing-failed':
      return EXIT_CODES.listingFailed;
    case 'interrupted':
      return EXIT_CODES.interrupted;
  }
}

/**
 * `timelapse2-dl`'s output: the seed's lines on stdout (retries, failures and warnings on stderr),
 * NDJSON with `--json`, one live progress line on a terminal. Every string from the camera is escaped.
 */
export function createTimelapseRenderer(out: Output, options: { host: string; mode: TimelapseJobMode }): Renderer<TimelapseJobEvent, TimelapseJobResult> {
  const { host, mode } = options;
  let phase: TimelapsePhase = 'listing';
  let current = '';
  // The seed README: "Failed downloads are reported at the end" — named again just before the summary.
  const failures: string[] = [];
  const json = (event: Record<string, unknown>): void => out.event(event);

  const renderEvent = (event: TimelapseJobEvent): void => {
    switch (event.type) {
      case 'phase':
        phase = event.phase;
        // The seed tool's opening line.
        if (phase === 'listing') out.text(`Fetching timelapse archives from ${safe(host)}...`);
        return;
      // Diagnostics go to stderr, as retries do: stdout keeps the seed's lines (`--check-size` on a camera
      // that cannot tell a size prints the seed's `SKIP … cannot verify size` there, the reason here).
      case 'warning':
        out.warn(`WARN  ${safe(event.message)}`);
        json({ type: 'warning', message: event.message });
        return;
      case 'listing':
        json({ type: 'listing', api: event.api, version: event.version ?? null, total: event.total, selected: event.archives.length });
        if (event.archives.length === 0) {
          out.text(event.total === 0 ? 'No timelapse archives found on camera.' : `None of the ${event.total} timelapse archive(s) match the filters.`);
        } else if (mode !== 'list') {
          out.text(`Found ${event.archives.length} timelapse archive(s) to download.\n`);
        }
        if (mode === 'list') printListing(out, event.archives);
        return;
      case 'start':
        current = basename(event.path);
        out.line('GET', safe(event.url));
        out.line('SAVE', safe(event.path));
        json({ type: 'start', archive: event.item.filename, url: event.url, path: event.path });
        return;
      case 'progress':
        out.progress(progressText(safe(current), event.progress, process.stderr.columns));
        return;
      case 'skip': {
        const name = safe(basename(event.path));
        const text =
          event.reason === 'size-matches'
            ? `${name} (already exists, size matches: ${event.localSize} bytes)`
            : event.reason === 'size-unverifiable'
              ? `${name} (already exists, cannot verify size)`
              : `${name} (already exists)`;
        out.line('SKIP', text);
        json({ type: 'skip', archive: event.item.filename, path: event.path, reason: event.reason, localSize: event.localSize, remoteSize: event.remoteSize ?? null });
        return;
      }
      case 'size-mismatch':
        out.line('INFO', `${safe(basename(event.path))} exists but size mismatch (local: ${event.localSize}, remote: ${event.remoteSize}), re-downloading`);
        json({ type: 'size-mismatch', archive: event.item.filename, path: event.path, localSize: event.localSize, remoteSize: event.remoteSize });
        return;
      // Retries and resumes go to stderr, as the seed's retry messages did: stdout keeps the seed's lines.
      case 'retry':
        out.warn(`WARN  ${safe(basename(event.path))}: attempt ${event.attempt} failed (${safe(event.error.message)}), retrying in ${formatDuration(event.delayMs / 1000)}`);
        json({ type: 'retry', archive: event.item.filename, path: event.path, attempt: event.attempt, delayMs: event.delayMs, code: event.error.code, message: event.error.message });
        return;
      case 'resume':
        out.warn(`INFO  ${safe(basename(event.path))}: resuming at ${formatBytes(event.from)}`);
        json({ type: 'resume', archive: event.item.filename, path: event.path, from: event.from });
        return;
      case 'restart':
        out.warn(`INFO  ${safe(basename(event.path))}: starting over (${event.reason})`);
        json({ type: 'restart', archive: event.item.filename, path: event.path, reason: event.reason });
        return;
      case 'expected-size-differs':
        out.warn(`INFO  ${safe(basename(event.path))}: the camera lists ${event.expectedSize} bytes but sends ${event.remoteSize}`);
        json({ type: 'expected-size-differs', archive: event.item.filename, path: event.path, expectedSize: event.expectedSize, remoteSize: event.remoteSize });
        return;
      case 'done':
        out.clearProgress();
        json({
          type: 'done',
          archive: event.item.filename,
          path: event.path,
          status: event.result.status,
          bytes: event.result.bytes,
          size: event.result.size,
          verified: event.result.verified,
        });
        return;
      case 'fail': {
        out.clearProgress();
        const archive = event.item.filename;
        const message = describeError(event.error).replace(`archive ${JSON.stringify(archive)} `, '');
        // As the seed tool: the URL, then the reason indented, on stderr.
        out.warn(`FAIL  ${safe(event.url ?? archive)}\n      ${safe(message)}`);
        failures.push(`${safe(archive)}${errorCode(event.error) ? ` (${errorCode(event.error)})` : ''}`);
        json({ type: 'fail', archive, path: event.path, code: errorCode(event.error), message });
        return;
      }
      case 'plan': {
        const name = safe(basename(event.path));
        if (event.action === 'download') {
          out.line('GET', safe(event.url ?? ''));
          out.line('SAVE', `${safe(event.path)} (dry run)`);
        } else if (event.action === 'skip') {
          out.line('SKIP', `${name} (already exists)`);
        } else {
          out.line('FAIL', `${name}: ${safe(event.reason ?? 'cannot be requested')}`);
        }
        json({ type: 'plan', archive: event.item.filename, path: event.path, url: event.url ?? null, action: event.action });
        return;
      }
      case 'deleted':
        out.line('DEL', `${safe(event.item.filename)} (deleted on the camera)`);
        json({ type: 'deleted', archive: event.item.filename, path: event.path });
        return;
      case 'stopped':
        out.warn(
          event.remaining > 0
            ? `STOP  the camera refused the login: the other ${event.remaining} archive(s) are not tried (more refused logins could lock the account)`
            : 'STOP  the camera refused the login (more refused logins could lock the account)',
        );
        json({ type: 'stopped', reason: event.reason, remaining: event.remaining });
        return;
      case 'delete-failed': {
        const message = describeError(event.error);
        out.line('WARN', `${safe(event.item.filename)} kept on the camera: ${safe(message)}`);
        json({ type: 'delete-failed', archive: event.item.filename, path: event.path, code: errorCode(event.error), message });
        return;
      }
    }
  };

  return {
    event: renderEvent,
    interrupted(state) {
      if (state === 'terminate') out.warn('Terminated (SIGTERM): stopping now; partial files are kept for the next run');
      else if (phase === 'listing') out.warn('Interrupted');
      else if (state === 'stop') out.warn('Interrupted: finishing the current file, then stopping (Ctrl+C again to abort now)');
      else out.warn('Aborting now');
    },
    finish(result, exitCode) {
      if (result.outcome === 'listing-failed') {
        const message = listingFailureMessage(result.error);
        // The seed tool's line, on stderr.
        out.warn(`ERROR: Failed to fetch archives: ${safe(message)}`);
        json({ type: 'error', stage: 'list', code: errorCode(result.error), message });
        json({ type: 'summary', downloaded: 0, skipped: 0, failed: 0, deleted: 0, interrupted: false, exitCode });
        return;
      }
      if (result.outcome === 'outdir-failed') {
        // Nothing could be written: one line for the reason instead of a FAIL per archive, then the summary.
        out.warn(`ERROR: ${safe(describeError(result.error))}`);
        json({ type: 'error', stage: 'outdir', code: errorCode(result.error), message: (result.error as Error).message });
      }
      // Interrupted during the listing: nothing to sum up; a listing has no summary line.
      if (result.listing === undefined || result.mode === 'list') return;
      if (result.deleteAfter) out.line('INFO', `deleted on the camera: ${result.deleted}`);
      const interrupted = result.outcome === 'interrupted' || exitCode === EXIT_CODES.terminated;
      if (result.mode === 'dry-run') {
        // Counts what the plan lines showed; nothing was downloaded.
        const cannot = result.wouldFail > 0 ? `, cannot request ${result.wouldFail}` : '';
        out.text(`\n${interrupted ? 'Interrupted' : 'Dry run'}: would download ${result.wouldDownload}, skip ${result.wouldSkip}${cannot}; nothing was downloaded.`);
        json({ type: 'summary', dryRun: true, wouldDownload: result.wouldDownload, wouldSkip: result.wouldSkip, wouldFail: result.wouldFail, interrupted, exitCode });
        return;
      }
      // The failed files once more, on stderr (stdout keeps the seed's lines, `Done.` last).
      if (failures.length > 0) out.warn(`\nFailed downloads (${failures.length}):\n${failures.map((name) => `  ${name}`).join('\n')}`);
      // As the seed: a blank line, then `Done.` — or `Interrupted.` after Ctrl+C (exit 130).
      out.text(`\n${interrupted ? 'Interrupted' : 'Done'}. downloaded=${result.downloaded} skipped=${result.skipped} failed=${result.failed}`);
      json({ type: 'summary', downloaded: result.downloaded, skipped: result.skipped, failed: result.failed, deleted: result.deleted, interrupted, exitCode });
    },
  };
}

/**
 * The live line, kept on one terminal row (a wrapped spinner line redraws badly): the bar narrows
 * first (30 → 10 columns), then the name is shortened, then dropped.
 */
export function progressText(name: string, progress: Parameters<typeof formatProgressLine>[0], columns: number | undefined): string {
  const max = (columns ?? 80) - 4; // spinner, its space, a spare column
  for (const width of [30, 20, 10]) {
    const line = formatProgressLine(progress, width);
    if (name.length + 1 + line.length <= max) return `${name} ${line}`;
  }
  const line = formatProgressLine(progress, 10);
  const room = max - line.length - 1;
  if (room < 8) return line;
  return `${name.slice(0, room - 1)}… ${line}`;
}

function printListing(out: Output, archives: readonly TimelapseArchive[]): void {
  for (const archive of archives) {
    const when = archive.first === undefined ? '' : `  ${formatInstant(archive.first)}${archive.last === undefined ? '' : ` .. ${formatInstant(archive.last)}`}`;
    const size = archive.size === undefined ? '' : `  ${formatBytes(archive.size)}`;
    out.line('LIST', `${safe(archive.filename)}${size}${when}`);
    out.event({
      type: 'archive',
      id: archive.id,
      filename: archive.filename,
      size: archive.size ?? null,
      frames: archive.frames ?? null,
      fps: archive.fps ?? null,
      first: archive.first ?? null,
      last: archive.last ?? null,
    });
  }
  out.text(`Listed ${archives.length} archive${archives.length === 1 ? '' : 's'}.`);
}
