import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import {
  createTimelapseClient,
  downloadArchives,
  filterArchives,
  isTimelapseError,
  parseTimeBound,
  type ArchiveRunEvent,
  type TimelapseArchive,
} from '@camdl/axis-timelapse2';
import { isDigestAuthError } from '@camdl/http-digest';
import { RateLimiter, type DownloadEvent } from '@camdl/throttled-download';
import { parseCameraHost } from './camera-url.js';
import { ExitError, EXIT_CODES } from './exit-error.js';
import { formatBytes, formatDuration, formatProgressLine } from './format.js';
import { installInterruptHandler } from './interrupt.js';
import { createOutput, type Output } from './output.js';
import { resolvePassword } from './password.js';
import type { Timelapse2DlArgs } from './timelapse2-options.js';

const PASSWORD_ENV = ['TIMELAPSE2_DL_PASSWORD', 'CAMDL_PASSWORD'] as const;

/** Runs `timelapse2-dl` with parsed flags; returns the exit code. */
export async function runTimelapse2Dl(args: Timelapse2DlArgs): Promise<number> {
  const baseUrl = parseCameraHost(args.host);
  if (args.user === undefined || args.user === '') {
    throw new ExitError('timelapse2-dl: --user is required\nRun timelapse2-dl --help for usage.', EXIT_CODES.listFailed);
  }
  const https = baseUrl.protocol === 'https:';
  if (!https && (args.caFile !== undefined || args.insecure)) {
    throw new ExitError('timelapse2-dl: --ca-file and --insecure only apply to https:// hosts', EXIT_CODES.listFailed);
  }
  const ca = args.caFile === undefined ? undefined : await readCaFile(args.caFile);
  const now = Date.now();
  const since = args.since === undefined ? undefined : timeBound('since', args.since, now);
  const until = args.until === undefined ? undefined : timeBound('until', args.until, now);

  const output = createOutput({ json: args.json, progress: args.progress });
  const { password } = await resolvePassword({
    argv: args.pass,
    file: args.passFile,
    envNames: PASSWORD_ENV,
    prompt: `Password for ${args.user}@${baseUrl.host}: `,
  });
  const client = createTimelapseClient({
    baseUrl,
    username: args.user,
    password,
    api: args.api,
    timeout: args.timeout * 1000,
    // The listing is retried on 5xx like the downloads (3.x answers 503 while it starts).
    maxRetries: args.maxRetries,
    retryDelay: args.retryDelay * 1000,
    ...(ca === undefined ? {} : { ca }),
    insecure: args.insecure,
    onWarning: (message) => {
      output.line('WARN', message);
      output.event({ type: 'warning', message });
    },
  });
  // Until the listing is in there is no current file to finish: the first Ctrl+C stops at once.
  const listingStop = new AbortController();
  let listed = false;
  const interrupt = installInterruptHandler({
    onFirst: () => {
      if (!listed) {
        output.warn('Interrupted');
        listingStop.abort(new Error('interrupted'));
        return;
      }
      output.warn('Interrupted: finishing the current file, then stopping (Ctrl+C again to abort now)');
    },
    onSecond: () => output.warn('Aborting now'),
  });
  try {
    // The seed tool's opening lines.
    output.text(`Fetching timelapse archives from ${args.host}...`);
    let listing;
    try {
      listing = await client.listArchives({ signal: AbortSignal.any([interrupt.signal, listingStop.signal]) });
      listed = true;
    } catch (error) {
      if (interrupt.signal.aborted || listingStop.signal.aborted) return EXIT_CODES.interrupted;
      const message = listFailureMessage(error);
      // The seed tool's line, on stderr.
      output.warn(`ERROR: Failed to fetch archives: ${message}`);
      output.event({ type: 'error', stage: 'list', code: errorCode(error), message });
      output.event({ type: 'summary', downloaded: 0, skipped: 0, failed: 0, deleted: 0, interrupted: false, exitCode: EXIT_CODES.listFailed });
      return EXIT_CODES.listFailed;
    }
    let archives: TimelapseArchive[];
    try {
      archives = filterArchives(listing.archives, { since, until, match: args.match });
    } catch (error) {
      throw new ExitError(`timelapse2-dl: ${(error as Error).message}`, EXIT_CODES.listFailed);
    }
    output.event({ type: 'listing', api: listing.api, version: listing.version ?? null, total: listing.archives.length, selected: archives.length });
    if (archives.length === 0) output.text(listing.archives.length === 0 ? 'No timelapse archives found on camera.' : `None of the ${listing.archives.length} timelapse archive(s) match the filters.`);
    else if (!args.list) output.text(`Found ${archives.length} timelapse archive(s) to download.\n`);
    if (args.list) {
      printListing(output, archives);
      return interrupt.interrupted ? EXIT_CODES.interrupted : EXIT_CODES.ok;
    }
    const deleteAfter = args.deleteAfter && listing.api !== 'timelapseme';
    if (args.deleteAfter && !deleteAfter) {
      const message = 'the TimelapseMe app cannot delete archives: --delete-after is ignored, nothing is deleted';
      output.line('WARN', message);
      output.event({ type: 'warning', message });
    }
    let current = '';
    const summary = await downloadArchives(client, archives, {
      allArchives: listing.archives,
      outdir: args.outdir,
      existing: args.overwrite ? 'overwrite' : args.checkSize ? 'check-size' : 'skip',
      deleteAfter,
      dryRun: args.dryRun,
      ...(args.rateLimit > 0 ? { rateLimiter: new RateLimiter({ mbps: args.rateLimit }) } : { rateLimitMbps: 0 }),
      maxRetries: args.maxRetries,
      retryDelay: args.retryDelay * 1000,
      // The seed waited --retry-delay seconds between attempts, every time.
      backoff: { factor: 1, jitter: 0, maxDelay: Math.max(60_000, args.retryDelay * 1000) },
      signal: interrupt.signal,
      shouldStop: () => interrupt.stopRequested,
      onEvent: (event) => {
        if (event.type === 'start') current = basename(event.path);
        report(output, event);
      },
      onProgress: (_archive, progress) => {
        output.progress(progressText(current, progress, process.stderr.columns));
      },
    });
    output.clearProgress();
    const interrupted = summary.interrupted || interrupt.interrupted;
    const exitCode = interrupted ? EXIT_CODES.interrupted : summary.failed > 0 ? EXIT_CODES.someFailed : EXIT_CODES.ok;
    if (deleteAfter) output.line('INFO', `deleted on the camera: ${summary.deleted}`);
    // As the seed: a blank line, then `Done.` — or `Interrupted.` after Ctrl+C (exit 130).
    output.text(`\n${interrupted ? 'Interrupted' : 'Done'}. downloaded=${summary.downloaded} skipped=${summary.skipped} failed=${summary.failed}`);
    output.event({ type: 'summary', ...summary, interrupted, exitCode });
    return exitCode;
  } finally {
    output.clearProgress();
    interrupt.dispose();
    await client.close();
  }
}

function report(output: Output, event: ArchiveRunEvent): void {
  const name = basename(event.path);
  const archive = event.archive.filename;
  switch (event.type) {
    case 'start':
      output.line('GET', event.url);
      output.line('SAVE', event.path);
      output.event({ type: 'start', archive, url: event.url, path: event.path });
      return;
    case 'skip': {
      const text =
        event.reason === 'size-matches'
          ? `${name} (already exists, size matches: ${event.localSize} bytes)`
          : event.reason === 'size-unverifiable'
            ? `${name} (already exists, cannot verify size)`
            : `${name} (already exists)`;
      output.line('SKIP', text);
      output.event({ type: 'skip', archive, path: event.path, reason: event.reason, localSize: event.localSize, remoteSize: event.remoteSize ?? null });
      return;
    }
    case 'size-mismatch':
      output.line('INFO', `${name} exists but size mismatch (local: ${event.localSize}, remote: ${event.remoteSize}), re-downloading`);
      output.event({ type: 'size-mismatch', archive, path: event.path, localSize: event.localSize, remoteSize: event.remoteSize });
      return;
    case 'transfer': {
      const text = transferText(event.event);
      // Retries and resumes go to stderr, as the seed's retry messages did: stdout keeps the seed's lines.
      if (text) output.warn(`${(event.event.type === 'retry' ? 'WARN' : 'INFO').padEnd(5)} ${name}: ${text}`);
      output.event({ type: event.event.type, archive, path: event.path, ...transferFields(event.event) });
      return;
    }
    case 'done':
      output.clearProgress();
      output.event({
        type: 'done',
        archive,
        path: event.path,
        status: event.result.status,
        bytes: event.result.bytes,
        size: event.result.size,
        verified: event.result.verified,
      });
      return;
    case 'fail': {
      output.clearProgress();
      const message = failureMessage(event.error).replace(`archive ${JSON.stringify(archive)} `, '');
      // As the seed tool: the URL, then the reason indented, on stderr.
      output.warn(`FAIL  ${event.url ?? archive}\n      ${message}`);
      output.event({ type: 'fail', archive, path: event.path, code: errorCode(event.error), message });
      return;
    }
    case 'plan':
      if (event.action === 'download') {
        output.line('GET', event.url ?? '');
        output.line('SAVE', `${event.path} (dry run)`);
      } else if (event.action === 'skip') {
        output.line('SKIP', `${name} (already exists)`);
      } else {
        output.line('FAIL', `${name}: ${event.reason ?? 'cannot be requested'}`);
      }
      output.event({ type: 'plan', archive, path: event.path, url: event.url ?? null, action: event.action });
      return;
    case 'deleted':
      output.line('DEL', `${archive} (deleted on the camera)`);
      output.event({ type: 'deleted', archive, path: event.path });
      return;
    case 'delete-failed': {
      const message = failureMessage(event.error);
      output.line('WARN', `${archive} kept on the camera: ${message}`);
      output.event({ type: 'delete-failed', archive, path: event.path, code: errorCode(event.error), message });
      return;
    }
  }
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

function transferText(event: DownloadEvent): string | undefined {
  switch (event.type) {
    case 'retry':
      return `attempt ${event.attempt} failed (${event.error.message}), retrying in ${formatDuration(event.delayMs / 1000)}`;
    case 'resume':
      return `resuming at ${formatBytes(event.from)}`;
    case 'restart':
      return `starting over (${event.reason})`;
    case 'expected-size-differs':
      return `the camera lists ${event.expectedSize} bytes but sends ${event.remoteSize}`;
    default:
      return undefined;
  }
}

function transferFields(event: DownloadEvent): Record<string, unknown> {
  switch (event.type) {
    case 'retry':
      return { attempt: event.attempt, delayMs: event.delayMs, code: event.error.code, message: event.error.message };
    case 'resume':
      return { from: event.from };
    case 'restart':
      return { reason: event.reason };
    case 'expected-size-differs':
      return { expectedSize: event.expectedSize, remoteSize: event.remoteSize };
    default:
      return {};
  }
}

function printListing(output: Output, archives: readonly TimelapseArchive[]): void {
  for (const archive of archives) {
    const when = archive.first === undefined ? '' : `  ${new Date(archive.first).toISOString()}${archive.last === undefined ? '' : ` .. ${new Date(archive.last).toISOString()}`}`;
    const size = archive.size === undefined ? '' : `  ${formatBytes(archive.size)}`;
    output.line('LIST', `${archive.filename}${size}${when}`);
    output.event({
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
  output.text(`Listed ${archives.length} archive${archives.length === 1 ? '' : 's'}.`);
}

function errorCode(error: unknown): string | null {
  if (typeof error === 'object' && error !== null && 'code' in error && typeof (error as { code: unknown }).code === 'string') return (error as { code: string }).code;
  return null;
}

function listFailureMessage(error: unknown): string {
  if (isDigestAuthError(error)) {
    if (error.code === 'ERR_DIGEST_BAD_CREDENTIALS') {
      return `authentication failed, wrong user or password (${error.code}${error.url ? `, ${error.url}` : ''})`;
    }
    return `${error.message} (${error.code})`;
  }
  if (isTimelapseError(error)) return `${error.message} (${error.code})`;
  return `${error instanceof Error ? error.message : String(error)}`;
}

function failureMessage(error: Error): string {
  const code = errorCode(error);
  return code === null ? error.message : `${error.message} (${code})`;
}

function timeBound(name: string, text: string, now: number): Date {
  try {
    return parseTimeBound(text, now);
  } catch (error) {
    throw new ExitError(`timelapse2-dl: --${name}: ${(error as Error).message}`, EXIT_CODES.listFailed);
  }
}

async function readCaFile(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new ExitError(`timelapse2-dl: cannot read --ca-file ${path}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`, EXIT_CODES.listFailed, { cause: error });
  }
}
