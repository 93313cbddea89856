import { assignErrorFields, codedErrorGuard, errorCause } from '@camdl/internal';

/** Stable codes carried by every {@link DownloadError}. */
export type DownloadErrorCode =
  | 'ERR_DOWNLOAD_HTTP_STATUS'
  | 'ERR_DOWNLOAD_ABORTED'
  | 'ERR_DOWNLOAD_TIMEOUT'
  | 'ERR_DOWNLOAD_SIZE_MISMATCH'
  | 'ERR_DOWNLOAD_NETWORK'
  | 'ERR_DOWNLOAD_DISK'
  | 'ERR_DOWNLOAD_BAD_RESPONSE'
  | 'ERR_DOWNLOAD_AUTH'
  /** Another process holds the destination's lock (it is downloading the same file). */
  | 'ERR_DOWNLOAD_BUSY'
  | 'ERR_DOWNLOAD_INVALID_OPTIONS';

export interface DownloadErrorOptions {
  /** The stable code users branch on. */
  code: DownloadErrorCode;
  /** The URL without credentials. */
  url: string;
  /** The HTTP status, when the server answered. @default undefined */
  status?: number;
  /** 1-based attempt that failed (the last one when retries ran out). @default undefined */
  attempt?: number;
  /** Whether another attempt could succeed (5xx, 429, resets, timeouts, short bodies). @default false */
  retryable?: boolean;
  /** Delay the server asked for (`Retry-After`), in ms. @default undefined */
  retryAfterMs?: number;
  /** The error that led to this one. @default undefined */
  cause?: unknown;
}

// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging -- assignErrorFields sets these fields
export interface DownloadError extends Readonly<Omit<DownloadErrorOptions, 'cause' | 'attempt' | 'retryable'>> {
  /** 1-based attempt that failed; set when a retry loop learns it. */
  attempt: number | undefined;
  readonly retryable: boolean;
}

/** The one error class of `@camdl/throttled-download`; `code` is stable, the message is for humans. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging -- see the interface above
export class DownloadError extends Error {
  constructor(message: string, options: DownloadErrorOptions) {
    super(message, errorCause(options));
    assignErrorFields(this, 'DownloadError', { ...options, retryable: options.retryable ?? false }, ['url', 'status', 'attempt', 'retryable', 'retryAfterMs']);
  }
}

/** Type guard for {@link DownloadError}, optionally of one code; also across package copies (checks `name` and `code`, not only `instanceof`). */
export const isDownloadError = codedErrorGuard(DownloadError, 'DownloadError', ['ERR_DOWNLOAD_']);

const DISK_CODES = new Set(['ENOSPC', 'EDQUOT', 'EACCES', 'EPERM', 'EROFS', 'EISDIR', 'ENOTDIR', 'ENOENT', 'EMFILE', 'ENFILE', 'EFBIG', 'EIO']);
const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT', 'ETIMEDOUT']);
const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
  'UND_ERR_REQ_CONTENT_LENGTH_MISMATCH',
  'HPE_INVALID_CONSTANT',
  'HPE_INVALID_CHUNK_SIZE',
  'HPE_UNEXPECTED_CONTENT_LENGTH',
  'ERR_STREAM_PREMATURE_CLOSE',
]);

function errorCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const { code } = error as { code: unknown };
    if (typeof code === 'string') return code;
  }
  return undefined;
}

/**
 * Maps anything thrown while requesting or writing to a {@link DownloadError}.
 * `ERR_DIGEST_*` (from a digest dispatcher) is never retryable; unknown errors are not either.
 */
export function toDownloadError(error: unknown, context: { url: string; method: string; attempt: number; phase: 'request' | 'write' }): DownloadError {
  if (isDownloadError(error)) {
    error.attempt ??= context.attempt;
    return error;
  }
  const code = errorCode(error);
  const where = `[${context.method}] "${context.url}"`;
  const detail = error instanceof Error ? error.message : String(error);
  const base = { url: context.url, attempt: context.attempt, cause: error };
  if (code?.startsWith('ERR_DIGEST_')) {
    return new DownloadError(`${where}: authentication failed (${code}): ${detail}`, { ...base, code: 'ERR_DOWNLOAD_AUTH' });
  }
  if (context.phase === 'write' && code !== undefined && DISK_CODES.has(code)) {
    return new DownloadError(`${where}: cannot write to disk (${code}): ${detail}`, { ...base, code: 'ERR_DOWNLOAD_DISK' });
  }
  if (code !== undefined && TIMEOUT_CODES.has(code)) {
    return new DownloadError(`${where}: timed out (${code})`, { ...base, code: 'ERR_DOWNLOAD_TIMEOUT', retryable: true });
  }
  // A response that is not HTTP/1.1 (llhttp's HPE_* codes; undici 8 reports them as an
  // HTTPParserError without a code): a broken answer, worth another attempt like a reset.
  const parserError = error instanceof Error && error.name === 'HTTPParserError';
  if ((code !== undefined && (NETWORK_CODES.has(code) || code.startsWith('HPE_'))) || parserError) {
    return new DownloadError(`${where}: network error (${code ?? 'HTTPParserError'}): ${detail}`, { ...base, code: 'ERR_DOWNLOAD_NETWORK', retryable: true });
  }
  if (code !== undefined && DISK_CODES.has(code)) {
    return new DownloadError(`${where}: cannot write to disk (${code}): ${detail}`, { ...base, code: 'ERR_DOWNLOAD_DISK' });
  }
  return new DownloadError(`${where}: ${detail}`, { ...base, code: 'ERR_DOWNLOAD_NETWORK', retryable: false });
}
