import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { download, forwardTransferEvents, isDownloadError, RateLimiter, type DownloadResult, type RecordingTransferOutcome, type TransferEvent, type TransferOptions } from '@camdl/throttled-download';
import type { AmcrestClient } from './client.js';
import { AmcrestError, isAmcrestError } from './errors.js';
import { classifyErrorBody } from './key-value.js';
import type { Recording } from './find-recordings.js';

/** Where parts are kept until the merge succeeds, under the output directory. */
export const PARTS_DIRECTORY_NAME = '.amcrest_download';

/** `<outputDir>/.amcrest_download` */
export function partsDirectory(outputDir: string): string {
  return join(outputDir, PARTS_DIRECTORY_NAME);
}

export interface DownloadRecordingsOptions extends TransferOptions {
  /** Directory for the downloaded files (usually {@link partsDirectory}); created if missing. */
  directory: string;
  /** Another directory for some recordings (snapshots go to their own folder); created if missing. @default `directory` for all */
  directoryFor?: ((recording: Recording) => string) | undefined;
  /** Downloads at once (cameras refuse more than a few connections). @default 4 */
  maxConcurrent?: number;
  /** Total rate for all downloads together, in Mbps; 0 = unlimited. @default 0 */
  rateLimitMbps?: number;
  /** Aborts running downloads at once (their `.part` files stay for the next run). @default undefined */
  signal?: AbortSignal;
  /** Once aborted, no new file starts; running ones finish (the first Ctrl+C). @default undefined */
  stopSignal?: AbortSignal;
  /** Progress and events of every file. @default undefined */
  onEvent?: (event: RecordingDownloadEvent) => void;
  /** Injectable sleep for retry waits (tests). @default a timer */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** What happens to each file, for progress displays and logs: the shared transfer events, `item` being the recording. */
export type RecordingDownloadEvent = TransferEvent<Recording>;

/** The outcome for one recording. */
export type RecordingDownloadOutcome = RecordingTransferOutcome<Recording, DownloadResult>;

/** Largest answer that is read back to see whether it is an `Error` body instead of a recording. */
const ERROR_BODY_MAX_BYTES = 4096;

/**
 * Some firmware answers RPC_Loadfile with `200` and an `Error\r\nBad Request!` body: such a "file"
 * (a few bytes, never a real recording) is deleted and reported as the camera's error.
 */
async function rejectErrorBody(result: DownloadResult, url: string): Promise<void> {
  if (result.size > ERROR_BODY_MAX_BYTES) return;
  const text = await readFile(result.path, 'latin1');
  const classified = classifyErrorBody(text);
  if (!classified) return;
  await rm(result.path, { force: true });
  throw new AmcrestError(`[GET] "${url}": the camera answered ${classified.text}`, { code: classified.code, url, body: classified.text });
}

/**
 * The `RPC_Loadfile` path form a client's server takes, shared by every `downloadRecordings` call with that
 * client (`camdl sync` downloads one recording per call, several at once): a camera refusing raw brackets
 * costs one refused request per client, not one per call or per parallel download.
 */
interface PathForm {
  /** Brackets (and `@`) raw, as cameras' web UIs send them; `false`: percent-encoded. */
  raw: boolean;
  /** Whether a server answer has shown which form it takes. */
  settled: boolean;
  /** While unsettled: the one request asking, which the other downloads wait for (its status, not its whole body). */
  probe: Promise<void> | undefined;
}

const pathForms = new WeakMap<object, PathForm>();

/** What `fileUrl` spells differently with `rawBrackets: false`. */
const FORM_SENSITIVE = /[[\]@]/;

function pathFormOf(client: object): PathForm {
  let form = pathForms.get(client);
  if (form === undefined) {
    form = { raw: true, settled: false, probe: undefined };
    pathForms.set(client, form);
  }
  return form;
}

/** A 400/404 (or an error body) for a file the search just listed: the server did not understand its path. */
function refusedPath(error: unknown): boolean {
  if (isDownloadError(error)) return error.status === 400 || error.status === 404;
  return isAmcrestError(error) && error.code !== 'ERR_AMCREST_INVALID_AUTHORITY';
}

/**
 * Downloads recordings, `maxConcurrent` at a time under one shared rate limit, with retries and
 * resume, to `<directory>/<recording.fileName>`. A file already complete there (size = `Length`) is
 * skipped without a request, so a re-run only fetches what is missing. Never throws for a single file:
 * failures are in the outcomes, in the input order.
 */
export async function downloadRecordings(
  client: Pick<AmcrestClient, 'fileUrl' | 'dispatcher'>,
  recordings: readonly Recording[],
  options: DownloadRecordingsOptions,
): Promise<RecordingDownloadOutcome[]> {
  const maxConcurrent = options.maxConcurrent ?? 4;
  if (!Number.isInteger(maxConcurrent) || maxConcurrent < 1) {
    throw new AmcrestError(`maxConcurrent must be a positive integer, got ${maxConcurrent}`, { code: 'ERR_AMCREST_INVALID_OPTIONS' });
  }
  const limiter = options.rateLimiter ?? new RateLimiter(options.rateLimitMbps ?? 0);
  const emit = (event: RecordingDownloadEvent): void => options.onEvent?.(event);
  const directoryOf = (recording: Recording): string => options.directoryFor?.(recording) ?? options.directory;
  for (const directory of new Set([options.directory, ...recordings.map(directoryOf)])) await mkdir(directory, { recursive: true });
  const outcomes: RecordingDownloadOutcome[] = recordings.map((recording) => ({
    recording,
    path: join(directoryOf(recording), recording.fileName),
    status: 'not-started',
  }));
  let next = 0;
  // Brackets in RPC_Loadfile paths go raw first (what cameras accept); a strict server answers that
  // 400/404, and then the percent-encoded form is used for the rest of the run (and the client's life).
  const form = pathFormOf(client);
  const settle = (raw: boolean): void => {
    form.raw = raw;
    form.settled = true;
  };
  const worker = async (): Promise<void> => {
    while (next < outcomes.length) {
      if (options.signal?.aborted || options.stopSignal?.aborted) return;
      // Until the form is known, one request asks and the others wait for its answer: parallel first
      // requests in a refused form would each cost a 400.
      while (!form.settled && form.probe !== undefined) await form.probe;
      if (options.signal?.aborted || options.stopSignal?.aborted) return;
      if (next >= outcomes.length) return;
      const outcome = outcomes[next++] as RecordingDownloadOutcome;
      const { recording } = outcome;
      // Only a path with characters the two forms spell differently tells which form the server takes.
      const telling = FORM_SENSITIVE.test(recording.filePath);
      let endProbe: (() => void) | undefined;
      if (!form.settled && telling) {
        form.probe = new Promise<void>((resolve) => {
          endProbe = () => {
            endProbe = undefined;
            form.probe = undefined;
            resolve();
          };
        });
      }
      const fetchWith = async (raw: boolean): Promise<DownloadResult> => {
        const url = client.fileUrl(recording.filePath, { rawBrackets: raw });
        const forward = forwardTransferEvents(recording, outcome.path, url.href, emit);
        const onEvent = (event: Parameters<typeof forward.onEvent>[0]): void => {
          // The server took this form: it answers with the file (bigger than any error body it might send instead).
          if (!form.settled && telling && event.type === 'response' && (event.status === 200 || event.status === 206) && (event.total ?? 0) > ERROR_BODY_MAX_BYTES) {
            settle(raw);
            endProbe?.();
          }
          // A retried answer (5xx, a network error) is not about the path: the others need not wait for its backoff.
          if (event.type === 'retry') endProbe?.();
          forward.onEvent(event);
        };
        const result = await download(url, outcome.path, {
          dispatcher: client.dispatcher,
          rateLimiter: limiter,
          maxRetries: options.maxRetries ?? 3,
          retryDelay: options.retryDelay ?? 5_000,
          timeout: options.timeout ?? 60_000,
          sha256: options.sha256 ?? false,
          // Finished recordings never change on the camera, and RPC_Loadfile sends no ETag or
          // Last-Modified: resuming on the total length alone is safe here.
          resumeWithoutValidators: true,
          // An HTML page (a login or error page) is never saved as a recording.
          acceptContentType: (type) => type === undefined || !/html/i.test(type),
          ...(recording.size !== undefined ? { expectedSize: recording.size, existing: 'check-size' as const } : { existing: 'skip' as const }),
          ...(options.signal ? { signal: options.signal } : {}),
          ...(options.sleep ? { sleep: options.sleep } : {}),
          onProgress: (progress) => {
            // An answer without Content-Length: more bytes than any error body is the file itself.
            if (!form.settled && telling && progress.transferred > ERROR_BODY_MAX_BYTES) {
              settle(raw);
              endProbe?.();
            }
            forward.onProgress(progress);
          },
          onEvent,
        });
        await rejectErrorBody(result, url.href);
        return result;
      };
      try {
        const tried = form.raw;
        let result: DownloadResult;
        let used = tried;
        try {
          result = await fetchWith(tried);
        } catch (error) {
          if (form.settled || !telling || !refusedPath(error)) throw error;
          result = await fetchWith(!tried);
          used = !tried;
        }
        // A part already complete on disk was not requested, and a path without brackets is the same in both
        // forms: neither says which form the server takes.
        if (result.status !== 'skipped' && telling) settle(used);
        outcome.status = result.status;
        outcome.result = result;
        if (result.status === 'skipped') {
          emit({ type: 'skip', item: recording, path: outcome.path, reason: result.skipReason ?? 'exists', localSize: result.size, remoteSize: result.remoteSize, result });
        } else {
          emit({ type: 'done', item: recording, path: outcome.path, result });
        }
      } catch (error) {
        outcome.error = error instanceof Error ? error : new Error(String(error));
        if (options.signal?.aborted) {
          outcome.status = 'interrupted';
          continue;
        }
        outcome.status = 'failed';
        emit({ type: 'fail', item: recording, path: outcome.path, url: client.fileUrl(recording.filePath, { rawBrackets: form.raw }).href, error: outcome.error });
        // A refused login will be refused for every file: stop instead of locking the account.
        if (isDownloadError(error) && error.code === 'ERR_DOWNLOAD_AUTH') return;
      } finally {
        endProbe?.();
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(maxConcurrent, outcomes.length) }, () => worker()));
  return outcomes;
}
