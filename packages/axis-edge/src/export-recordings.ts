import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { forwardTransferEvents, RateLimiter, recordBatchFailure, type TransferEvent } from '@camdl/throttled-download';
import type { AxisEdgeClient, RemoveResult } from './client.js';
import { isAxisEdgeError } from './errors.js';
import { exportRecording, type ExportRecordingOptions, type ExportResult } from './export-recording.js';
import type { EdgeRecording } from './recording.js';

export interface ExportRecordingsOptions extends Omit<ExportRecordingOptions, 'onProgress' | 'onEvent' | 'rateLimiter'> {
  /** Directory for the files (created if missing), named by {@link exportFileName}. */
  directory: string;
  /** One limiter shared by every export. @default a limiter of `rateLimitMbps` */
  rateLimiter?: RateLimiter | undefined;
  /**
   * Remove each recording from the camera (`remove.cgi`) once its export is verified. Only on this
   * explicit request; a recording whose export failed or was skipped is never removed.
   * @default false
   */
  removeAfterExport?: boolean;
  /** Once aborted, no new export starts; the running one finishes. @default undefined */
  stopSignal?: AbortSignal | undefined;
  /** Events of every recording. @default undefined */
  onEvent?: ((event: ExportJobEvent) => void) | undefined;
}

/** The shared transfer events (`item` the recording), plus what only this job does. */
export type ExportJobEvent =
  | TransferEvent<EdgeRecording>
  /** Still being written: left for a later run. */
  | { type: 'in-progress'; item: EdgeRecording }
  | { type: 'removed'; item: EdgeRecording }
  | { type: 'remove-failed'; item: EdgeRecording; message: string };

/** The outcome for one recording. */
export interface ExportOutcome {
  recording: EdgeRecording;
  path: string;
  status: 'exported' | 'skipped' | 'in-progress' | 'failed' | 'interrupted' | 'not-started';
  result?: ExportResult;
  error?: Error;
  /** Set when `removeAfterExport` asked: what the camera answered. */
  removal?: RemoveResult;
}

/** `SD_DISK_20260116_200000_AE24_ACCC8EF7DE6B.mkv`: disk and recording ids (checked safe when listed). */
export function exportFileName(recording: Pick<EdgeRecording, 'diskId' | 'recordingId'>, format: 'matroska' | 'mp4' = 'matroska'): string {
  return `${recording.diskId}_${recording.recordingId}.${format === 'matroska' ? 'mkv' : 'mp4'}`;
}

/**
 * Exports recordings one after the other (the camera streams each export as it reads it) into
 * `directory`. Recordings in progress are skipped (`in-progress`) until a later run finds them
 * complete. Never throws for one recording; a refused login stops the rest.
 */
export async function exportRecordings(client: Pick<AxisEdgeClient, 'dispatcher' | 'exportUrl' | 'assertUsable' | 'removeRecordings'>, recordings: readonly EdgeRecording[], options: ExportRecordingsOptions): Promise<ExportOutcome[]> {
  await mkdir(options.directory, { recursive: true });
  const format = options.format ?? 'matroska';
  const limiter = options.rateLimiter ?? new RateLimiter(options.rateLimitMbps ?? 0);
  const emit = (event: ExportJobEvent): void => options.onEvent?.(event);
  const outcomes: ExportOutcome[] = recordings.map((recording) => ({ recording, path: join(options.directory, exportFileName(recording, format)), status: 'not-started' }));
  for (const outcome of outcomes) {
    if (options.signal?.aborted || options.stopSignal?.aborted) break;
    const { recording, path } = outcome;
    if (recording.inProgress) {
      outcome.status = 'in-progress';
      emit({ type: 'in-progress', item: recording });
      continue;
    }
    const forward = forwardTransferEvents(recording, path, client.exportUrl(recording, format).href, emit);
    try {
      const result = await exportRecording(client, recording, path, { ...options, rateLimiter: limiter, onProgress: forward.onProgress, onEvent: forward.onEvent });
      outcome.result = result;
      outcome.status = result.status === 'skipped' ? 'skipped' : 'exported';
      if (result.status === 'skipped') emit({ type: 'skip', item: recording, path, reason: result.skipReason ?? 'exists', localSize: result.size, remoteSize: undefined, result });
      else emit({ type: 'done', item: recording, path, result });
    } catch (error) {
      if (recordBatchFailure(outcome, error, { signal: options.signal, emit, stopsBatch: (failure) => isAxisEdgeError(failure, 'ERR_AXIS_EDGE_AUTH') })) break;
      continue;
    }
    if (options.removeAfterExport === true) {
      try {
        const [removal] = await client.removeRecordings([recording]);
        outcome.removal = removal;
        if (removal?.ok === true) emit({ type: 'removed', item: recording });
        else emit({ type: 'remove-failed', item: recording, message: removal?.message ?? 'no answer' });
      } catch (error) {
        emit({ type: 'remove-failed', item: recording, message: error instanceof Error ? error.message : String(error) });
      }
    }
  }
  return outcomes;
}
