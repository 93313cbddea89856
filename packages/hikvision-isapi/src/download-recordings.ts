import { mkdir, rename, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { forwardTransferEvents, RateLimiter, recordBatchFailure, type DownloadResult, type RecordingTransferOutcome, type TransferEvent } from '@camdl/throttled-download';
import type { HikvisionClient } from './client.js';
import type { DownloadRecordingOptions, RecordingDownloadResult } from './download-recording.js';
import { isHikvisionError } from './errors.js';
import { recordingFileName, type HikvisionRecording } from './recording.js';

export interface DownloadRecordingsOptions extends Omit<DownloadRecordingOptions, 'onProgress' | 'onEvent' | 'rateLimiter'> {
  /** Directory for the files (created if missing); each is named by {@link recordingFileName}. */
  directory: string;
  /** One limiter shared by every download (wins over `rateLimitMbps`). @default a limiter of `rateLimitMbps` */
  rateLimiter?: RateLimiter | undefined;
  /** Once aborted, no new file starts; the running one finishes. @default undefined */
  stopSignal?: AbortSignal | undefined;
  /** Progress and events of every file. @default undefined */
  onEvent?: ((event: RecordingTransferEvent) => void) | undefined;
}

/** The shared transfer events, `item` being the recording. */
export type RecordingTransferEvent = TransferEvent<HikvisionRecording>;

/** The outcome for one recording. */
export type RecordingOutcome = RecordingTransferOutcome<HikvisionRecording, RecordingDownloadResult>;

/**
 * Downloads recordings one after the other (recorders serve few streams at once) into `directory`,
 * as `ch01_<start>-<end>.mp4`, renamed to `.ps` when the file is an MPEG program stream (NVRs); a
 * file already there under either name with the URI's `size=` is skipped. Never throws for one
 * file; a refused login stops the rest (one failed login).
 */
export async function downloadRecordings(client: Pick<HikvisionClient, 'downloadRecording'>, recordings: readonly HikvisionRecording[], options: DownloadRecordingsOptions): Promise<RecordingOutcome[]> {
  await mkdir(options.directory, { recursive: true });
  const limiter = options.rateLimiter ?? new RateLimiter(options.rateLimitMbps ?? 0);
  const emit = (event: RecordingTransferEvent): void => options.onEvent?.(event);
  const outcomes: RecordingOutcome[] = recordings.map((recording) => ({ recording, path: join(options.directory, recordingFileName(recording)), status: 'not-started' }));
  for (const outcome of outcomes) {
    if (options.signal?.aborted || options.stopSignal?.aborted) break;
    const { recording, path } = outcome;
    const programStreamPath = join(options.directory, recordingFileName(recording, 'ps'));
    const existing = recording.size === undefined ? undefined : await stat(programStreamPath).catch(() => undefined);
    if (existing !== undefined && existing.isFile() && existing.size === recording.size) {
      outcome.path = programStreamPath;
      outcome.status = 'skipped';
      const result: DownloadResult = { status: 'skipped', path: programStreamPath, bytes: 0, size: existing.size, verified: true, attempts: 0, skipReason: 'size-matches', localSize: existing.size, remoteSize: recording.size };
      emit({ type: 'skip', item: recording, path: programStreamPath, reason: 'size-matches', localSize: existing.size, remoteSize: recording.size, result });
      continue;
    }
    const forward = forwardTransferEvents(recording, path, new URL('ISAPI/ContentMgmt/download', 'http://device/').pathname, emit);
    try {
      const result = await client.downloadRecording(recording, path, { ...options, rateLimiter: limiter, onProgress: forward.onProgress, onEvent: forward.onEvent });
      if (result.container === 'mpeg-ps') {
        await rename(path, programStreamPath);
        outcome.path = programStreamPath;
        result.path = programStreamPath;
      }
      outcome.result = result;
      outcome.status = result.status;
      if (result.status === 'skipped') emit({ type: 'skip', item: recording, path, reason: result.skipReason ?? 'exists', localSize: result.size, remoteSize: result.remoteSize, result });
      else emit({ type: 'done', item: recording, path: outcome.path, result });
    } catch (error) {
      if (recordBatchFailure(outcome, error, { signal: options.signal, emit, stopsBatch: (failure) => isHikvisionError(failure, 'ERR_HIKVISION_AUTH') })) break;
    }
  }
  return outcomes;
}
