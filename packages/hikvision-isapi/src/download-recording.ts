import { open, rm } from 'node:fs/promises';
import { download, isDownloadError, temporaryPaths, transferOptions, type ComposableDispatcher, type DownloadEvent, type DownloadProgress, type DownloadResult, type TransferOptions } from '@camdl/throttled-download';
import type { Dispatcher } from 'undici';
import { HikvisionError } from './errors.js';
import type { HikvisionRecording } from './recording.js';
import { escapeXmlText } from '@camdl/internal';

export interface DownloadRecordingOptions extends TransferOptions {
  /**
   * `GET` with the XML body (ISAPI's documented method), `POST` with the same body, or `'auto'`:
   * GET, and POST when the device refuses GET (405, 501, 400/403, an XML or HTML answer); the method
   * that worked is kept for the client's later downloads.
   * @default 'auto'
   */
  method?: 'auto' | 'GET' | 'POST';
  /** Aborts the download (its `.part` stays). @default undefined */
  signal?: AbortSignal | undefined;
  /** Progress, at most every 200 ms. @default undefined */
  onProgress?: ((progress: DownloadProgress) => void) | undefined;
  /** Requests, retries, restarts of the engine. @default undefined */
  onEvent?: ((event: DownloadEvent) => void) | undefined;
  /** Injectable sleep for retry waits (tests). @default a timer */
  sleep?: ((ms: number, signal?: AbortSignal) => Promise<void>) | undefined;
}

/** What a recording's download did. */
export interface RecordingDownloadResult extends DownloadResult {
  /** The method the device answered with the file. */
  method: 'GET' | 'POST';
  /** What the file is, from its first bytes: MP4, MPEG program stream (NVRs; `IMKH` header or not), or unknown. */
  container: 'mp4' | 'mpeg-ps' | 'unknown';
  /** The file's size is the `size=` of its playbackURI (false when the URI has none). */
  sizeVerified: boolean;
}

/** The `downloadRequest` body: the playbackURI verbatim, `&` (and `<`, `>`, `"`) escaped once. */
export function downloadRequestBody(playbackUri: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<downloadRequest version="1.0"><playbackURI>${escapeXmlText(playbackUri)}</playbackURI></downloadRequest>\n`;
}

/** An interceptor giving a download request its method and XML body (Digest, under it, signs that method). */
function withRequestBody(method: 'GET' | 'POST', body: string): Dispatcher.DispatcherComposeInterceptor {
  const bytes = Buffer.from(body, 'utf8');
  return (dispatch) => (opts, handler) => {
    const headers = { ...(opts.headers as Record<string, string> | undefined), 'content-type': 'application/xml; charset="UTF-8"' };
    return dispatch({ ...opts, method, body: bytes, headers }, handler);
  };
}

/** Types a device answers with when it is not sending the file. */
function isMediaType(contentType: string | undefined): boolean {
  if (contentType === undefined) return true;
  const type = (contentType.split(';')[0] ?? '').trim().toLowerCase();
  return !(type.startsWith('text/') || type.endsWith('/xml') || type.endsWith('+xml') || type.endsWith('/html') || type.endsWith('/json'));
}

/** A GET the device will not take (it wants POST): method or request refused, or an error page instead of a file. */
function refusedGet(error: unknown): boolean {
  if (!isDownloadError(error)) return false;
  if (error.code === 'ERR_DOWNLOAD_BAD_RESPONSE' && error.status !== undefined && error.status >= 200 && error.status < 300) return true;
  return error.status === 400 || error.status === 403 || error.status === 404 || error.status === 405 || error.status === 501;
}

async function sniffContainer(path: string): Promise<RecordingDownloadResult['container']> {
  const file = await open(path, 'r');
  try {
    const head = Buffer.alloc(48);
    const { bytesRead } = await file.read(head, 0, 48, 0);
    const bytes = head.subarray(0, bytesRead);
    if (bytes.length >= 8 && bytes.toString('latin1', 4, 8) === 'ftyp') return 'mp4';
    if (bytes.length >= 4 && bytes.readUInt32BE(0) === 0x000001ba) return 'mpeg-ps';
    // Hikvision's 40-byte `IMKH` media header before the program stream.
    if (bytes.length >= 44 && bytes.toString('latin1', 0, 4) === 'IMKH' && bytes.readUInt32BE(40) === 0x000001ba) return 'mpeg-ps';
    return 'unknown';
  } finally {
    await file.close();
  }
}

export interface DownloadContext {
  base: URL;
  dispatcher: ComposableDispatcher;
  /** The method found to work on this device, shared by the client's downloads. */
  methodState: { method: 'GET' | 'POST' | undefined };
  guarded: <T>(method: string, url: string, task: () => Promise<T>) => Promise<T>;
}

/**
 * Downloads one recording to `destination` (atomic: a `.part` beside it, renamed when whole), the
 * playbackURI sent back to the device's HTTP origin (never to the `rtsp://` address in it). The file
 * must measure the URI's `size=`: another size is removed and reported (`ERR_HIKVISION_SIZE_MISMATCH`);
 * an error page (XML, HTML) is never saved.
 */
export async function downloadRecordingWith(context: DownloadContext, recording: Pick<HikvisionRecording, 'playbackUri' | 'size'>, destination: string, options: DownloadRecordingOptions = {}): Promise<RecordingDownloadResult> {
  const url = new URL('ISAPI/ContentMgmt/download', context.base);
  const body = downloadRequestBody(recording.playbackUri);
  const choice = options.method ?? 'auto';
  if (!['auto', 'GET', 'POST'].includes(choice)) throw new HikvisionError(`method must be auto, GET or POST, got ${String(choice)}`, { code: 'ERR_HIKVISION_INVALID_OPTIONS' });
  const attempt = (method: 'GET' | 'POST'): Promise<DownloadResult> =>
    context.guarded(method, url.href, () =>
      download(url, destination, {
        dispatcher: context.dispatcher.compose(withRequestBody(method, body)),
        ...transferOptions(options),
        // Range on a body-carrying request is not known to work: a cut download starts again.
        resume: false,
        acceptContentType: isMediaType,
        ...(recording.size !== undefined ? { expectedSize: recording.size, existing: 'check-size' as const } : { existing: 'skip' as const }),
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
        ...(options.onEvent ? { onEvent: options.onEvent } : {}),
        ...(options.sleep ? { sleep: options.sleep } : {}),
      }),
    );
  const first: 'GET' | 'POST' = choice === 'auto' ? (context.methodState.method ?? 'GET') : choice;
  let method = first;
  const sizeMismatch = async (received: string, cause?: unknown): Promise<HikvisionError> => {
    await rm(destination, { force: true });
    const temporary = temporaryPaths(destination);
    await Promise.all([rm(temporary.part, { force: true }), rm(temporary.state, { force: true })]);
    return new HikvisionError(`[${method}] "${url.href}": the file ${received}, its playbackURI says size=${String(recording.size)}; removed`, {
      code: 'ERR_HIKVISION_SIZE_MISMATCH',
      url: url.href,
      method,
      ...(cause === undefined ? {} : { cause }),
    });
  };
  let result: DownloadResult;
  try {
    try {
      result = await attempt(first);
    } catch (error) {
      if (choice !== 'auto' || first !== 'GET' || context.methodState.method === 'GET' || !refusedGet(error)) throw error;
      method = 'POST';
      result = await attempt('POST');
    }
  } catch (error) {
    // Without a Content-Length (a chunked answer) the URI's size= is the only size: a body that ends
    // short of it or runs past it is the same mismatch as a whole file of another size.
    if (recording.size !== undefined && isDownloadError(error, 'ERR_DOWNLOAD_SIZE_MISMATCH')) throw await sizeMismatch('does not match (the answer had no Content-Length)', error);
    throw error;
  }
  if (choice === 'auto' && result.status !== 'skipped') context.methodState.method = method;
  const sizeVerified = recording.size !== undefined && result.size === recording.size;
  if (recording.size !== undefined && !sizeVerified) throw await sizeMismatch(`has ${result.size} bytes`);
  return { ...result, method, container: await sniffContainer(destination), sizeVerified };
}
