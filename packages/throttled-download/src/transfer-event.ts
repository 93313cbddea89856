import type { DownloadError } from './errors.js';
import type { DownloadEvent, DownloadProgress, DownloadResult, RestartReason, SkipReason } from './types.js';

/**
 * What a download job reports about one file, whatever the camera: the shared part of every job's
 * event union (`@camdl/axis-timelapse2` passes archives as `Item`, `@camdl/amcrest-recordings`
 * recordings). A renderer written against these events works for every job.
 *
 * Order for one file: `plan` (dry run only) or `start` → `progress`/`retry`/`resume`/`restart`… →
 * exactly one of `done`, `skip`, `fail`; `not-started` when a stop came first.
 */
export type TransferEvent<Item> =
  /** Dry run: what would happen to the file. */
  | { type: 'plan'; item: Item; path: string; url: string | undefined; action: 'download' | 'skip' | 'unsupported'; reason?: string | undefined }
  /** The first request for the file goes out (`url` as sent, without credentials). */
  | { type: 'start'; item: Item; path: string; url: string }
  | { type: 'progress'; item: Item; path: string; progress: DownloadProgress }
  | { type: 'retry'; item: Item; path: string; attempt: number; delayMs: number; error: DownloadError }
  | { type: 'resume'; item: Item; path: string; from: number }
  | { type: 'restart'; item: Item; path: string; reason: RestartReason }
  /** An existing local file has another size than the remote one: downloaded again. */
  | { type: 'size-mismatch'; item: Item; path: string; localSize: number; remoteSize: number }
  | { type: 'expected-size-differs'; item: Item; path: string; expectedSize: number; remoteSize: number }
  /** Not downloaded: the local file is already there. */
  | { type: 'skip'; item: Item; path: string; reason: SkipReason; localSize: number; remoteSize: number | undefined; result: DownloadResult }
  /** Downloaded (or resumed) and renamed to its final name. */
  | { type: 'done'; item: Item; path: string; result: DownloadResult }
  /** `url`: what was requested, absent when the item cannot be requested at all. */
  | { type: 'fail'; item: Item; path: string; url?: string | undefined; error: Error };

/**
 * What a recordings job ends with for one recording, whatever the camera: the shared shape of each
 * job's outcome (`Recording` the camera's recording, `Result` what a finished download reports).
 */
export interface RecordingTransferOutcome<Recording, Result> {
  recording: Recording;
  /** Local path (the final name; a `.part` next to it while incomplete). */
  path: string;
  /** `interrupted`: cut by `signal` — not a failure; its partial file is kept for the next run. */
  status: 'downloaded' | 'resumed' | 'skipped' | 'failed' | 'interrupted' | 'not-started';
  result?: Result;
  error?: Error;
}

/** The engine-event types a job forwards as {@link TransferEvent}s. */
export type ForwardedDownloadEvent = Extract<TransferEvent<unknown>['type'], DownloadEvent['type']>;

/**
 * Turns the engine's per-file callbacks into {@link TransferEvent}s: `start` at the first request,
 * then retries, resumes, restarts and size notes. Returns the `onEvent`/`onProgress` to pass to
 * `download()`.
 */
export function forwardTransferEvents<Item>(
  item: Item,
  path: string,
  url: string,
  emit: (event: TransferEvent<Item>) => void,
): { onEvent: (event: DownloadEvent) => void; onProgress: (progress: DownloadProgress) => void } {
  let started = false;
  return {
    onEvent: (event) => {
      switch (event.type) {
        case 'request':
          if (!started) {
            started = true;
            emit({ type: 'start', item, path, url });
          }
          return;
        case 'response':
          return;
        case 'retry':
          emit({ type: 'retry', item, path, attempt: event.attempt, delayMs: event.delayMs, error: event.error });
          return;
        case 'resume':
          emit({ type: 'resume', item, path, from: event.from });
          return;
        case 'restart':
          emit({ type: 'restart', item, path, reason: event.reason });
          return;
        case 'size-mismatch':
          emit({ type: 'size-mismatch', item, path, localSize: event.localSize, remoteSize: event.remoteSize });
          return;
        case 'expected-size-differs':
          emit({ type: 'expected-size-differs', item, path, expectedSize: event.expectedSize, remoteSize: event.remoteSize });
          return;
      }
    },
    onProgress: (progress) => emit({ type: 'progress', item, path, progress }),
  };
}

/** A job moved to another phase (a renderer words Ctrl+C after it: a listing stops at once, downloads finish). */
export interface JobPhaseEvent<Phase extends string> {
  type: 'phase';
  phase: Phase;
}

/** Something the user should know that does not stop the job. */
export interface JobWarningEvent {
  type: 'warning';
  message: string;
}
