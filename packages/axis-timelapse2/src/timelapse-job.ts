import { mkdir } from 'node:fs/promises';
import type { JobPhaseEvent, JobWarningEvent } from '@camdl/throttled-download';
import type { TimelapseApi } from './api.js';
import type { TimelapseArchive } from './archive.js';
import type { ArchiveListing, TimelapseClient } from './client.js';
import { downloadArchives, type ArchiveRunEvent, type DownloadArchivesOptions, type DownloadArchivesSummary } from './download-archives.js';
import { TimelapseError } from './errors.js';
import { filterArchives, type ArchiveFilter } from './filters.js';

/** What the job does after the listing. */
export type TimelapseJobMode = 'download' | 'dry-run' | 'list';

/** The transfer options the job hands to {@link downloadArchives} as they are (documented there). */
type TransferOptions = Pick<DownloadArchivesOptions, 'outdir' | 'existing' | 'rateLimiter' | 'rateLimitMbps' | 'maxRetries' | 'retryDelay' | 'backoff'>;

export interface TimelapseJobOptions extends TransferOptions {
  /** `list`: only the listing; `dry-run`: `plan` events, nothing downloaded. @default 'download' */
  mode?: TimelapseJobMode | undefined;
  /** Which archives to take (validated by the caller, e.g. with `parseTimeBound`/`toNamePattern`). @default {} */
  filter?: ArchiveFilter | undefined;
  /**
   * Delete each archive on the camera once its local file is verified. Ignored, with a `warning`
   * event, when the app cannot delete (TimelapseMe). @default false
   */
  deleteAfter?: boolean | undefined;
  /** Aborts now: the listing, or the running download (its `.part` is kept). @default undefined */
  signal?: AbortSignal | undefined;
  /**
   * Stop gently: during the listing it stops at once (there is no file to finish); during the
   * downloads the current file finishes and no new one starts. @default undefined
   */
  stopSignal?: AbortSignal | undefined;
  /** Called with every event of the job, in order (render it, log it, or ignore it). @default no-op */
  onEvent?: ((event: TimelapseJobEvent) => void) | undefined;
}

/** The phases of {@link runTimelapseJob}, in order. */
export type TimelapsePhase = 'listing' | 'download';

/** Everything {@link runTimelapseJob} reports. */
export type TimelapseJobEvent =
  | JobPhaseEvent<TimelapsePhase>
  | JobWarningEvent
  /** The listing is in: `archives` are the ones the filter selected (`total` before it). */
  | { type: 'listing'; api: TimelapseApi; version: string | undefined; total: number; archives: TimelapseArchive[] }
  | ArchiveRunEvent;

/**
 * How the job ended; `exitCodeFor`-style mappings switch on it. `outdir-failed`: the output directory
 * could not be created (`error` is an `ERR_TIMELAPSE_OUTDIR`), nothing was downloaded (`failed` counts
 * every selected archive).
 */
export type TimelapseJobOutcome = 'done' | 'some-failed' | 'listing-failed' | 'outdir-failed' | 'interrupted';

export interface TimelapseJobResult extends DownloadArchivesSummary {
  outcome: TimelapseJobOutcome;
  mode: TimelapseJobMode;
  /** Absent when the listing failed or was interrupted. */
  listing: ArchiveListing | undefined;
  /** The archives the filter selected. */
  selected: TimelapseArchive[];
  /** Whether archives were deleted after download (false on TimelapseMe whatever was asked). */
  deleteAfter: boolean;
  /** Why the listing failed (`outcome: 'listing-failed'`) or the outdir could not be made (`'outdir-failed'`). */
  error: unknown;
}

/**
 * The whole `timelapse2-dl` job: list the archives, select them, then download (or plan, or only
 * list) them one at a time, deleting verified ones on request. Never throws for a camera or file
 * failure: the outcome says how it ended, the events say what happened.
 *
 * @example
 * const result = await runTimelapseJob(client, { outdir: 'downloads', filter: { since: parseTimeBound('7d') }, onEvent: console.log });
 * if (result.outcome !== 'done') process.exitCode = 1;
 */
export async function runTimelapseJob(client: TimelapseClient, options: TimelapseJobOptions = {}): Promise<TimelapseJobResult> {
  const mode = options.mode ?? 'download';
  const emit = options.onEvent ?? (() => {});
  const result: TimelapseJobResult = {
    outcome: 'done',
    mode,
    listing: undefined,
    selected: [],
    deleteAfter: false,
    error: undefined,
    downloaded: 0,
    skipped: 0,
    failed: 0,
    deleted: 0,
    wouldDownload: 0,
    notTried: 0,
    wouldSkip: 0,
    wouldFail: 0,
    interrupted: false,
  };
  emit({ type: 'phase', phase: 'listing' });
  const listingSignal = anySignal(options.signal, options.stopSignal);
  try {
    result.listing = await client.listArchives({ signal: listingSignal });
  } catch (error) {
    if (listingSignal?.aborted) return { ...result, outcome: 'interrupted', interrupted: true };
    return { ...result, outcome: 'listing-failed', error };
  }
  const { listing } = result;
  result.selected = filterArchives(listing.archives, options.filter ?? {});
  emit({ type: 'listing', api: listing.api, version: listing.version, total: listing.archives.length, archives: result.selected });
  if (mode === 'list') return finish(result, options);

  result.deleteAfter = options.deleteAfter === true && canDelete(listing.api);
  if (options.deleteAfter && !result.deleteAfter) {
    emit({ type: 'warning', message: 'the TimelapseMe app cannot delete archives: --delete-after is ignored, nothing is deleted' });
  }
  // Made here, so that a file in the way or a missing permission is one clear outcome, not a throw.
  if (mode === 'download' && result.selected.length > 0) {
    const outdir = options.outdir ?? '.';
    try {
      await mkdir(outdir, { recursive: true });
    } catch (cause) {
      const code = (cause as NodeJS.ErrnoException).code ?? 'error';
      const error = new TimelapseError(`cannot create the output directory ${outdir} (${code}: a file is in the way, or no permission)`, { code: 'ERR_TIMELAPSE_OUTDIR', cause });
      // Every selected archive failed to download: the counts say so, as the seed's summary would.
      return { ...result, outcome: 'outdir-failed', failed: result.selected.length, error };
    }
  }
  emit({ type: 'phase', phase: 'download' });
  const summary = await downloadArchives(client, result.selected, {
    allArchives: listing.archives,
    outdir: options.outdir,
    existing: options.existing,
    deleteAfter: result.deleteAfter,
    dryRun: mode === 'dry-run',
    rateLimiter: options.rateLimiter,
    rateLimitMbps: options.rateLimitMbps,
    maxRetries: options.maxRetries,
    retryDelay: options.retryDelay,
    backoff: options.backoff,
    signal: options.signal,
    stopSignal: options.stopSignal,
    onEvent: emit,
  });
  return finish({ ...result, ...summary }, options);
}

/** Which apps can delete an archive (the legacy TimelapseMe app has no delete). */
export function canDelete(api: TimelapseApi): boolean {
  return api !== 'timelapseme';
}

function finish(result: TimelapseJobResult, options: TimelapseJobOptions): TimelapseJobResult {
  const interrupted = result.interrupted || options.signal?.aborted === true || options.stopSignal?.aborted === true;
  return { ...result, interrupted, outcome: interrupted ? 'interrupted' : result.failed > 0 ? 'some-failed' : 'done' };
}

function anySignal(...signals: Array<AbortSignal | undefined>): AbortSignal | undefined {
  const present = signals.filter((signal): signal is AbortSignal => signal !== undefined);
  return present.length <= 1 ? present[0] : AbortSignal.any(present);
}
