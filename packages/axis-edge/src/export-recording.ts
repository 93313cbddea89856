import { rm } from 'node:fs/promises';
import { checkContainerFile, parseXml } from '@camdl/internal';
import { download, isDownloadError, smallRequest, transferOptions, type DownloadEvent, type DownloadProgress, type DownloadResult, type TransferOptions } from '@camdl/throttled-download';
import { generalErrorOf, type AxisEdgeClient } from './client.js';
import { AxisEdgeError } from './errors.js';
import type { EdgeRecording } from './recording.js';

/** Export container formats (`exportformat=`); `mp4` only on firmware that offers it. */
export type ExportFormat = 'matroska' | 'mp4';

export interface ExportRecordingOptions extends TransferOptions {
  /** `exportformat`. @default 'matroska' */
  format?: ExportFormat;
  /**
   * Largest difference between the file's duration and the recording's listed length, in seconds
   * (a streamed file without a Duration is measured to its last frame's end). A lost cluster (a GOP, about a second) must not fit in it.
   * @default 0.75
   */
  durationTolerance?: number;
  /** Aborts the export. @default undefined */
  signal?: AbortSignal | undefined;
  /** Progress (no total: the camera sends no length). @default undefined */
  onProgress?: ((progress: DownloadProgress) => void) | undefined;
  /** Requests, retries of the engine. @default undefined */
  onEvent?: ((event: DownloadEvent) => void) | undefined;
  /** Injectable sleep for retry waits (tests). @default a timer */
  sleep?: ((ms: number, signal?: AbortSignal) => Promise<void>) | undefined;
}

/** An export that was checked whole. */
export interface ExportResult extends DownloadResult {
  format: ExportFormat;
  /** The duration the container says, in seconds. */
  durationSec: number;
  /** Always true: an export that cannot be proven whole is an error and its file removed. */
  containerVerified: true;
}

const ERROR_ANSWER_MAX_BYTES = 64 * 1024;

/** Types that are an answer about the request, not the recording (the camera's errors are `200 text/xml`). */
function isVideoType(contentType: string | undefined): boolean {
  if (contentType === undefined) return true;
  const type = (contentType.split(';')[0] ?? '').trim().toLowerCase();
  return !(type.startsWith('text/') || type.endsWith('/xml') || type.endsWith('+xml') || type.endsWith('/html') || type.endsWith('/json'));
}

/** Reads the XML answer of a refused export once more (small, capped) to say its GeneralError. */
async function refusalOf(client: Pick<AxisEdgeClient, 'dispatcher'>, url: URL, recordingId: string, timeout: number, cause: unknown): Promise<AxisEdgeError> {
  try {
    const response = await smallRequest(url, { dispatcher: client.dispatcher, headersTimeout: timeout, bodyTimeout: timeout, signal: AbortSignal.timeout(timeout) });
    const type = response.headers['content-type'];
    if (isVideoType(Array.isArray(type) ? type[0] : type)) {
      response.body.destroy();
    } else {
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of response.body) {
        size += (chunk as Buffer).length;
        if (size > ERROR_ANSWER_MAX_BYTES) {
          response.body.destroy();
          break;
        }
        chunks.push(chunk as Buffer);
      }
      const general = generalErrorOf(parseXml(Buffer.concat(chunks).toString('utf8')));
      if (general !== undefined) {
        return new AxisEdgeError(`[GET] "${url.href}": the camera refused the export with GeneralError ${general.errorCode ?? '?'}${general.description ? ` (${general.description})` : ''} (HTTP ${response.statusCode})`, {
          code: 'ERR_AXIS_EDGE_DEVICE',
          url: url.href,
          status: response.statusCode,
          errorCode: general.errorCode,
          recordingId,
          cause,
        });
      }
    }
  } catch {
    // The first answer already failed: say that one.
  }
  return new AxisEdgeError(`[GET] "${url.href}": the camera answered with something other than the recording`, { code: 'ERR_AXIS_EDGE_BAD_RESPONSE', url: url.href, recordingId, cause });
}

/**
 * Exports one recording to `destination` (atomic: a `.part` beside it, renamed when whole). A
 * recording still in progress is refused without a request. The camera sends no `Content-Length`
 * and ignores Range, so the transfer alone proves nothing: the file is parsed to the end of its
 * container (Matroska or MP4) and its duration compared with the recording's; a file that fails
 * is removed (`ERR_AXIS_EDGE_INCOMPLETE`). A `200 text/xml` GeneralError is never saved.
 */
export async function exportRecording(
  client: Pick<AxisEdgeClient, 'dispatcher' | 'exportUrl' | 'assertUsable'>,
  recording: Pick<EdgeRecording, 'recordingId' | 'diskId' | 'start' | 'stop' | 'inProgress'>,
  destination: string,
  options: ExportRecordingOptions = {},
): Promise<ExportResult> {
  const format = options.format ?? 'matroska';
  if (format !== 'matroska' && format !== 'mp4') throw new AxisEdgeError(`format must be matroska or mp4, got ${String(format)}`, { code: 'ERR_AXIS_EDGE_INVALID_OPTIONS' });
  const tolerance = options.durationTolerance ?? 0.75;
  if (!Number.isFinite(tolerance) || tolerance < 0) throw new AxisEdgeError(`durationTolerance must be a non-negative number, got ${tolerance}`, { code: 'ERR_AXIS_EDGE_INVALID_OPTIONS' });
  if (recording.inProgress || recording.stop === undefined) {
    throw new AxisEdgeError(`recording ${recording.recordingId} is still being written: not exported until it is complete`, { code: 'ERR_AXIS_EDGE_IN_PROGRESS', recordingId: recording.recordingId });
  }
  client.assertUsable();
  const url = client.exportUrl(recording, format);
  const timeout = options.timeout ?? 60_000;
  let result: DownloadResult;
  try {
    result = await download(url, destination, {
      dispatcher: client.dispatcher,
      ...transferOptions(options),
      timeout,
      // No Range on export: a cut transfer is exported again from the start.
      resume: false,
      // A file at the destination was verified when it was written (or will be checked below).
      existing: 'skip',
      acceptContentType: isVideoType,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(options.onEvent ? { onEvent: options.onEvent } : {}),
      ...(options.sleep ? { sleep: options.sleep } : {}),
    });
  } catch (error) {
    if (isDownloadError(error) && error.code === 'ERR_DOWNLOAD_BAD_RESPONSE' && error.status !== undefined && error.status >= 200 && error.status < 300) {
      throw await refusalOf(client, url, recording.recordingId, Math.min(timeout, 30_000), error);
    }
    if (isDownloadError(error) && error.code === 'ERR_DOWNLOAD_AUTH') {
      throw new AxisEdgeError(`[GET] "${url.href}": the camera refused the user name or password`, { code: 'ERR_AXIS_EDGE_AUTH', url: url.href, status: error.status, cause: error });
    }
    throw error;
  }
  const check = await checkExportFile(destination, { format, durationSec: (recording.stop.getTime() - recording.start.getTime()) / 1000, durationTolerance: tolerance });
  if (!check.ok) {
    await rm(destination, { force: true });
    throw new AxisEdgeError(`[GET] "${url.href}": ${check.reason}; removed`, { code: 'ERR_AXIS_EDGE_INCOMPLETE', url: url.href, recordingId: recording.recordingId });
  }
  return { ...result, format, durationSec: check.durationSec, containerVerified: true };
}

/** What {@link checkExportFile} found. */
export type ExportFileCheck = { ok: true; durationSec: number } | { ok: false; reason: string };

/**
 * Whether the file at `path` is a whole export of a recording lasting `durationSec`: its container
 * parsed to its end (headers only, constant memory) and its duration within `durationTolerance`. The
 * check {@link exportRecording} makes; also for an archived copy before the camera's is removed.
 */
export async function checkExportFile(path: string, expected: { format: ExportFormat; durationSec: number; durationTolerance?: number }): Promise<ExportFileCheck> {
  const tolerance = expected.durationTolerance ?? 0.75;
  const check = await checkContainerFile(path, expected.format === 'matroska' ? 'matroska' : 'mp4');
  if (!check.ok) return check;
  if (check.durationSec === undefined) return { ok: false, reason: 'the export does not say how long it is, so it cannot be proven whole' };
  if (Math.abs(check.durationSec - expected.durationSec) > tolerance) return { ok: false, reason: `the export lasts ${check.durationSec.toFixed(3)} s, the recording ${expected.durationSec.toFixed(3)} s` };
  return { ok: true, durationSec: check.durationSec };
}
