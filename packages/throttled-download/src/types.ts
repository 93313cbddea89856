import type { ComposableDispatcher } from './lean/index.js';
import type { DownloadError } from './errors.js';
import type { RateLimiter } from './rate-limiter.js';

/** What to do when the destination file already exists. */
export type ExistingPolicy = 'skip' | 'overwrite' | 'check-size';

/** Why a download was skipped. */
export type SkipReason = 'exists' | 'size-matches' | 'size-unverifiable';

/** Why a `.part` was thrown away and the download started again from byte 0. */
export type RestartReason =
  | 'range-ignored'
  | 'validator-changed'
  | 'range-mismatch'
  | 'range-not-satisfiable'
  | 'no-validators'
  | 'resume-disabled'
  /** The `.part` on disk was not the length the engine recorded (another writer, a crash): never appended to. */
  | 'part-changed';

export interface BackoffOptions {
  /** Each retry waits `factor` times longer than the previous one. @default 2 */
  factor?: number;
  /** Upper bound of a computed delay and of a server's `Retry-After`, in ms. @default 60000 */
  maxDelay?: number;
  /** Random spread of each delay, as a fraction (0.2 = ±20 %). @default 0.2 */
  jitter?: number;
}

export interface DownloadProgress {
  /** Bytes in the file so far (resumed bytes included). */
  bytes: number;
  /** Bytes received during this call (all attempts). */
  transferred: number;
  /** Final size, when the server or the caller said it. */
  total: number | undefined;
  /** 0..100 when `total` is known. */
  percent: number | undefined;
  /** Bytes per second, averaged over the last few seconds. */
  speed: number;
  /** Seconds left at `speed`, when `total` is known and speed > 0. */
  eta: number | undefined;
}

/** Everything `download()` does that a CLI may want to print. */
export type DownloadEvent =
  | { type: 'request'; attempt: number; rangeStart: number }
  | { type: 'response'; attempt: number; status: number; total: number | undefined }
  | { type: 'retry'; attempt: number; delayMs: number; error: DownloadError }
  | { type: 'resume'; from: number }
  | { type: 'restart'; reason: RestartReason }
  | { type: 'size-mismatch'; localSize: number; remoteSize: number }
  | { type: 'expected-size-differs'; expectedSize: number; remoteSize: number };

export interface DownloadOptions {
  /**
   * Any undici dispatcher: a `DownloadAgent` (plain-http bodies read by its lean reader), an undici
   * `Agent`, or either composed with `digestInterceptor()`. @default an internal DownloadAgent
   */
  dispatcher?: ComposableDispatcher;
  /** Extra request headers (`accept-encoding` is always `identity`). @default {} */
  headers?: Record<string, string>;
  /** A limiter shared with other downloads; wins over `rateLimitMbps`. @default undefined */
  rateLimiter?: RateLimiter;
  /** A limit for this download alone, in Mbps (1 Mbps = 125,000 B/s); 0 = unlimited. @default 0 */
  rateLimitMbps?: number;
  /** Retries after the first attempt (5xx, 429, resets, timeouts, short bodies). @default 3 */
  maxRetries?: number;
  /** Delay before the first retry, in ms; grows by `backoff.factor`. @default 5000 */
  retryDelay?: number;
  /** Exponential backoff with jitter. @default { factor: 2, maxDelay: 60000, jitter: 0.2 } */
  backoff?: BackoffOptions;
  /** Timeout in ms for connecting (default dispatcher only), for the headers and between body chunks. @default 60000 */
  timeout?: number;
  /** The size the caller expects; checked when the server does not say. @default undefined */
  expectedSize?: number;
  /**
   * The smallest size the file can have, e.g. the size a listing gave for a file that can only grow.
   * An answer announcing fewer bytes (`Content-Length`, `Content-Range` total), or a body ending
   * before it, is a truncated answer: an error (retried), never a final file. @default undefined
   */
  minSize?: number;
  /**
   * Decides whether a 200/206 answer's `Content-Type` can be the file (e.g. refuse `text/html`: an
   * error or login page). A refused answer is an `ERR_DOWNLOAD_BAD_RESPONSE`, its body is not saved.
   * @default every type is accepted
   */
  acceptContentType?: (contentType: string | undefined) => boolean;
  /**
   * Checks a body that only the closing of the connection ended (no length, not chunked: a cut
   * connection looks the same), while it is still the `.part`: resolve to `undefined` to accept it,
   * or to the reason it is not the whole file (then an `ERR_DOWNLOAD_SIZE_MISMATCH`, retried; the
   * `.part` is dropped and nothing gets the final name).
   * @default every such body is accepted (unverified)
   */
  checkClosedBody?: (part: { path: string; size: number }) => Promise<string | undefined>;
  /** What to do when the destination exists. @default 'skip' */
  existing?: ExistingPolicy;
  /** Keep `<dest>.part` across retries and runs and continue it with `Range` + `If-Range`. @default true */
  resume?: boolean;
  /**
   * Resume a `.part` even when the server sent neither a strong ETag nor Last-Modified (the server's
   * file cannot be proven unchanged; only its total length is compared). @default false
   */
  resumeWithoutValidators?: boolean;
  /** Cancels the download at once (also a retry wait); the `.part` stays for resuming. @default undefined */
  signal?: AbortSignal;
  /** Called at most every `progressInterval` ms and once at the end. @default undefined */
  onProgress?: (progress: DownloadProgress) => void;
  /** Minimum ms between `onProgress` calls. @default 200 */
  progressInterval?: number;
  /** Called for every request, response, retry, resume, restart. @default undefined */
  onEvent?: (event: DownloadEvent) => void;
  /**
   * Make the file durable: `fdatasync` in the background every 32 MiB while receiving, fsync the file
   * before the rename and (best effort) its directory after. @default true
   */
  fsync?: boolean;
  /**
   * Compute the SHA-256 of the file while writing it (see {@link DownloadResult.sha256}): the bytes are
   * hashed as the writes complete, and a resumed `.part` is read once for its prefix, so a caller that
   * needs the hash does not read the file again. A skipped file is not hashed. @default false
   */
  sha256?: boolean;
  /** Sleep used for retry waits; must reject when `signal` aborts. Injectable for tests. @default a timer */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Clock in ms for speed/ETA. Injectable for tests. @default performance.now */
  now?: () => number;
  /** Random source in [0, 1) for jitter. Injectable for tests. @default Math.random */
  random?: () => number;
}

export interface DownloadResult {
  status: 'downloaded' | 'resumed' | 'skipped';
  /** The destination path. */
  path: string;
  /** Bytes received during this call. */
  bytes: number;
  /** Size of the final file. */
  size: number;
  /** The size was confirmed by Content-Length, a Content-Range total or `expectedSize`. */
  verified: boolean;
  /**
   * How the end of the body was known: `length` (Content-Length or Content-Range), `chunked` (the
   * chunked coding's last chunk arrived: whole as the server sent it, though no length says how long the
   * file is — e.g. Apache 2.4.59+ in front of a FastCGI app drops the app's Content-Length), `close` (the
   * connection closed: a cut cannot be told from the end). Absent when no body was received (skipped).
   */
  framing?: 'length' | 'chunked' | 'close';
  /** HTTP requests made for the file (0 when skipped without one). */
  attempts: number;
  skipReason?: SkipReason;
  localSize?: number;
  remoteSize?: number;
  etag?: string;
  lastModified?: string;
  /** The `Content-Type` of the answer the file came from (absent when skipped or not sent). */
  contentType?: string;
  /**
   * Hex SHA-256 of the final file as written to disk, with the `sha256` option (absent when skipped:
   * nothing was written).
   */
  sha256?: string;
}

export interface ProbeOptions {
  /** The undici dispatcher to send the probe through (compose `digestInterceptor` into it for Digest). @default a shared keep-alive Agent per `timeout` */
  dispatcher?: ComposableDispatcher;
  /** Extra request headers. @default {} */
  headers?: Record<string, string>;
  /** @default 60000 */
  timeout?: number;
  /** Aborts the probe (it rejects with `ERR_DOWNLOAD_ABORTED`). @default undefined */
  signal?: AbortSignal;
}

export interface RemoteSize {
  size?: number;
  acceptsRanges: boolean;
  etag?: string;
  lastModified?: string;
}
