import { mkdir, stat } from 'node:fs/promises';
import { sep } from 'node:path';
import { forwardTransferEvents, type BackoffOptions, type DownloadResult, type ExistingPolicy, type RateLimiter, type TransferEvent } from '@camdl/throttled-download';
import { isDigestAuthError } from '@camdl/http-digest';
import { isDownloadError } from '@camdl/throttled-download';
import { archiveKey, type TimelapseArchive } from './archive.js';
import type { TimelapseClient } from './client.js';
import { TimelapseError } from './errors.js';
import { assignLocalNames, toSafeFileName } from './safe-file-name.js';
import { verifyArchiveFile } from './verify-archive-file.js';

/**
 * What {@link downloadArchives} reports while it runs: the shared {@link TransferEvent}s (`item` is the
 * archive; `start` carries the request as sent, 1.x: raw name) plus what `deleteAfter` did.
 */
export type ArchiveRunEvent =
  | TransferEvent<TimelapseArchive>
  | { type: 'deleted'; item: TimelapseArchive; path: string }
  | { type: 'delete-failed'; item: TimelapseArchive; path: string; error: Error }
  /** The run stopped before the remaining archives: the camera refused the login (trying on could lock the account). */
  | { type: 'stopped'; reason: 'auth-refused'; remaining: number; error: Error };

export interface DownloadArchivesOptions {
  /** Directory the files go to (created when missing); event paths are `outdir` + `/` + name, as given. @default '.' */
  outdir?: string | undefined;
  /** Local file names by {@link archiveKey}; by default {@link assignLocalNames} over `allArchives`. @default undefined */
  localNames?: ReadonlyMap<string, string> | undefined;
  /** The full listing, so that local names stay the same whatever filter picked `archives`. @default `archives` */
  allArchives?: readonly TimelapseArchive[] | undefined;
  /** An existing file: `skip`, `overwrite`, or `check-size` (compare with the remote size). @default 'skip' */
  existing?: ExistingPolicy | undefined;
  /** Delete each archive on the camera after its local file was verified complete. @default false */
  deleteAfter?: boolean | undefined;
  /** Only report what would happen (`plan` events); nothing is requested but the listing. @default false */
  dryRun?: boolean | undefined;
  /** Shared rate limit. @default undefined */
  rateLimiter?: RateLimiter | undefined;
  /** Rate limit in Mbps when no `rateLimiter` is given; 0 = none. @default 0 */
  rateLimitMbps?: number | undefined;
  /** Retries per file after the first attempt. @default 3 */
  maxRetries?: number | undefined;
  /** First retry delay in ms. @default 5000 */
  retryDelay?: number | undefined;
  /** How retry delays grow (`{ factor: 1, jitter: 0 }`: the same delay every time, as the seed tool). @default the engine's (×2, ±20 %, ≤ 60 s) */
  backoff?: BackoffOptions | undefined;
  /** Aborts now (the current `.part` stays for resuming). @default undefined */
  signal?: AbortSignal | undefined;
  /** Once aborted, no new file is started; the current one finishes (the first Ctrl+C). @default undefined */
  stopSignal?: AbortSignal | undefined;
  /** Every {@link ArchiveRunEvent}, progress included. @default undefined */
  onEvent?: ((event: ArchiveRunEvent) => void) | undefined;
  /** Injectable for tests of the engine's retry waits. @default a timer */
  sleep?: ((ms: number, signal?: AbortSignal) => Promise<void>) | undefined;
}

export interface DownloadArchivesSummary {
  downloaded: number;
  skipped: number;
  failed: number;
  deleted: number;
  /** Dry run: files that would be downloaded / skipped / could not be requested (`plan` events). */
  wouldDownload: number;
  wouldSkip: number;
  wouldFail: number;
  /** Stopped early by `stopSignal` or `signal`. */
  interrupted: boolean;
  /** Archives not tried because the camera refused the login (see the `stopped` event). */
  notTried: number;
}

/**
 * Downloads archives one after the other (the camera app serves one request at a time) under safe,
 * distinct local names; a failed file does not stop the others. With `deleteAfter`, an archive is
 * deleted only when its file was verified: downloaded with a confirmed size, or skipped because
 * `check-size` found the sizes equal.
 */
export async function downloadArchives(client: TimelapseClient, archives: readonly TimelapseArchive[], options: DownloadArchivesOptions = {}): Promise<DownloadArchivesSummary> {
  const outdir = options.outdir ?? '.';
  const names = options.localNames ?? assignLocalNames(options.allArchives ?? archives);
  const emit = options.onEvent ?? (() => {});
  const summary: DownloadArchivesSummary = { downloaded: 0, skipped: 0, failed: 0, deleted: 0, wouldDownload: 0, wouldSkip: 0, wouldFail: 0, interrupted: false, notTried: 0 };
  const existing = options.existing ?? 'skip';
  if (!options.dryRun && archives.length > 0) await mkdir(outdir, { recursive: true });

  for (const [index, archive] of archives.entries()) {
    if (options.signal?.aborted || options.stopSignal?.aborted) {
      summary.interrupted = true;
      break;
    }
    const localName = names.get(archiveKey(archive)) ?? toSafeFileName(archive.filename);
    const path = joinLikeSeed(outdir, localName);
    let url: string | undefined;
    try {
      url = (await client.archiveRequest(archive)).displayUrl;
    } catch (error) {
      if (options.dryRun) {
        summary.wouldFail += 1;
        emit({ type: 'plan', item: archive, url: undefined, path, action: 'unsupported', reason: (error as Error).message });
        continue;
      }
      summary.failed += 1;
      emit({ type: 'fail', item: archive, path, error: error as Error });
      continue;
    }
    if (options.dryRun) {
      const exists = await fileExists(path);
      const action = exists && existing === 'skip' ? 'skip' : 'download';
      if (action === 'skip') summary.wouldSkip += 1;
      else summary.wouldDownload += 1;
      emit({ type: 'plan', item: archive, url, path, action, ...(exists ? { reason: 'exists' } : {}) });
      continue;
    }
    const forward = forwardTransferEvents(archive, path, url, emit);
    let result: DownloadResult;
    try {
      result = await client.downloadArchive(archive, path, {
        existing,
        ...(options.rateLimiter ? { rateLimiter: options.rateLimiter } : {}),
        ...(options.rateLimitMbps === undefined ? {} : { rateLimitMbps: options.rateLimitMbps }),
        ...(options.maxRetries === undefined ? {} : { maxRetries: options.maxRetries }),
        ...(options.retryDelay === undefined ? {} : { retryDelay: options.retryDelay }),
        ...(options.backoff === undefined ? {} : { backoff: options.backoff }),
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.sleep ? { sleep: options.sleep } : {}),
        onEvent: forward.onEvent,
        onProgress: forward.onProgress,
      });
    } catch (error) {
      if (options.signal?.aborted) {
        summary.interrupted = true;
        break;
      }
      summary.failed += 1;
      emit({ type: 'fail', item: archive, path, url, error: error as Error });
      if (isRefusedLogin(error)) {
        // Every other archive would be refused too, and each refusal counts towards a lockout.
        summary.notTried = archives.length - index - 1;
        emit({ type: 'stopped', reason: 'auth-refused', remaining: summary.notTried, error: error as Error });
        break;
      }
      continue;
    }
    let verified: boolean;
    if (result.status === 'skipped') {
      summary.skipped += 1;
      emit({ type: 'skip', item: archive, path, reason: result.skipReason ?? 'exists', localSize: result.size, remoteSize: result.remoteSize, result });
      verified = result.skipReason === 'size-matches';
    } else {
      summary.downloaded += 1;
      emit({ type: 'done', item: archive, path, result });
      verified = result.verified;
    }
    let notVerified = result.status === 'skipped' ? 'the local file could not be verified complete (use --check-size)' : 'the local file could not be verified complete';
    if (options.deleteAfter && verified) {
      // The engine's word is not enough: the file itself must be the archive the camera lists.
      const { api } = await client.detectApi();
      const check = await verifyArchiveFile(path, archive, api);
      if (!check.ok) {
        verified = false;
        notVerified = check.reason;
      }
    }
    if (options.deleteAfter && verified) {
      try {
        await client.deleteArchive(archive, { signal: options.signal });
        summary.deleted += 1;
        emit({ type: 'deleted', item: archive, path });
      } catch (error) {
        emit({ type: 'delete-failed', item: archive, path, error: error as Error });
      }
    } else if (options.deleteAfter) {
      emit({
        type: 'delete-failed',
        item: archive,
        path,
        error: new TimelapseError(notVerified, { code: 'ERR_TIMELAPSE_NOT_VERIFIED', filename: archive.filename }),
      });
    }
  }
  return summary;
}

/** A refused login (wrong credentials, or a 401/403 on a download after a fresh challenge). */
function isRefusedLogin(error: unknown): boolean {
  if (isDigestAuthError(error)) return true;
  if (!isDownloadError(error)) return false;
  return error.code === 'ERR_DOWNLOAD_AUTH' || error.status === 401 || error.status === 403;
}

/**
 * `outdir` + name as the seed tool's `os.path.join` did, so the printed paths stay the same
 * (`./a.avi` for `.`, `downloads/a.avi`): the directory exactly as given, one separator added.
 */
export function joinLikeSeed(outdir: string, name: string, separator: string = sep): string {
  if (outdir === '') return name;
  const endsWithSeparator = outdir.endsWith('/') || (separator === '\\' && (outdir.endsWith('\\') || /^[a-z]:$/i.test(outdir)));
  return endsWithSeparator ? `${outdir}${name}` : `${outdir}${separator}${name}`;
}

async function fileExists(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}
