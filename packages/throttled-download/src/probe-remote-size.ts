import { redactUrl } from '@camdl/internal';
import { smallRequest } from './lean/index.js';
import { abandonBody } from './abandon-body.js';
import { DownloadError, toDownloadError } from './errors.js';
import { headerValue, isRetryableStatus, parseContentLength, parseContentRange, STATUS_TEXT } from './http-headers.js';
import { defaultDispatcher, DEFAULT_DOWNLOAD_OPTIONS } from './options.js';
import type { ProbeOptions, RemoteSize } from './types.js';

/**
 * The size of a remote file without HEAD (cameras often refuse it): a 1-byte Range GET, whose
 * `Content-Range` total is the size; a server that ignores Range answers 200 and its own
 * `Content-Length` is used, the body is abandoned unread.
 */
export async function probeRemoteSize(url: string | URL, options: ProbeOptions = {}): Promise<RemoteSize> {
  const href = redactUrl(url);
  const timeout = options.timeout ?? DEFAULT_DOWNLOAD_OPTIONS.timeout;
  let response;
  try {
    response = await smallRequest(new URL(String(url)), {
      method: 'GET',
      dispatcher: options.dispatcher ?? defaultDispatcher(timeout),
      headers: { ...options.headers, 'accept-encoding': 'identity', range: 'bytes=0-0' },
      signal: options.signal,
      headersTimeout: timeout,
      bodyTimeout: timeout,
    });
  } catch (error) {
    if (options.signal?.aborted) {
      throw new DownloadError(`[GET] "${href}": aborted`, { code: 'ERR_DOWNLOAD_ABORTED', url: href, cause: options.signal.reason });
    }
    throw toDownloadError(error, { url: href, method: 'GET', attempt: 1, phase: 'request' });
  }
  const { statusCode: status, headers, body } = response;
  const etag = headerValue(headers, 'etag');
  const lastModified = headerValue(headers, 'last-modified');
  const validators = { ...(etag ? { etag } : {}), ...(lastModified ? { lastModified } : {}) };
  if (status === 206) {
    await body.dump().catch(() => {});
    const total = parseContentRange(headers)?.total;
    return { ...(total === undefined ? {} : { size: total }), acceptsRanges: true, ...validators };
  }
  // Abandon the body: a 200 would send the whole file.
  abandonBody(body);
  if (status === 200) {
    const size = parseContentLength(headers);
    const acceptsRanges = headerValue(headers, 'accept-ranges')?.toLowerCase() === 'bytes';
    return { ...(size === undefined ? {} : { size }), acceptsRanges, ...validators };
  }
  throw new DownloadError(`[GET] "${href}": ${status} ${STATUS_TEXT[status] ?? ''}`.trimEnd(), {
    code: 'ERR_DOWNLOAD_HTTP_STATUS',
    url: href,
    status,
    attempt: 1,
    retryable: isRetryableStatus(status),
  });
}
