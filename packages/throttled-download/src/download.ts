import { open, type FileHandle } from 'node:fs/promises';
import { redactUrl } from '@camdl/internal';
import { LEAN_BODY } from './lean/index.js';
import { DownloadError, toDownloadError } from './errors.js';
import {
  headerValue,
  isRetryableStatus,
  isStrongEtag,
  parseContentLength,
  parseContentRange,
  parseRetryAfter,
  STATUS_TEXT,
  transferCodings,
} from './http-headers.js';
import { normalizeOptions, retryDelayMs, type NormalizedOptions } from './options.js';
import { DestinationBusyError, lockDestination } from './download-lock.js';
import {
  commitPart,
  ensureTemporaryDirectory,
  fileSize,
  partPath,
  readPartState,
  removePart,
  removePartQuietly,
  removeTemporaryDirectoryIfEmpty,
  writePartState,
  type PartState,
} from './part-file.js';
import { probeRemoteSize } from './probe-remote-size.js';
import { ProgressMeter } from './progress-meter.js';
import { FileWriteError } from './body-file-writer.js';
import { LEAN_READ_BYTES, type LeanBodyHint } from './lean/index.js';
import { ResponseReceiver } from './response-receiver.js';
import { hashFilePrefix, RunningHash } from './running-hash.js';
import type { DownloadOptions, DownloadResult, RestartReason } from './types.js';

/** A `.part` may be continued when the server's file can be proven unchanged (or the caller accepts the risk). */
function canResume(state: PartState | undefined, options: NormalizedOptions): state is PartState {
  if (!options.resume || !state) return false;
  return isStrongEtag(state.etag) || state.lastModified !== undefined || options.resumeWithoutValidators;
}

/** What one attempt ended with: the result, or "go again at once" after throwing the `.part` away. */
type AttemptOutcome = { done: DownloadResult } | { again: RestartReason };

class Transfer {
  readonly href: string;
  readonly part: string;
  state: PartState | undefined;
  attempt = 0;
  transferred = 0;
  /**
   * With the `sha256` option: the hash of the `.part`'s first `hash.bytes` bytes, kept across
   * attempts so a retry that continues the same `.part` does not read its prefix again.
   */
  hash: RunningHash | undefined;
  readonly meter: ProgressMeter;

  constructor(
    readonly url: string | URL,
    readonly destination: string,
    readonly options: NormalizedOptions,
  ) {
    this.href = redactUrl(url);
    this.part = partPath(destination);
    this.meter = new ProgressMeter(options.now, options.progressInterval, options.onProgress);
  }

  abortedError(): DownloadError {
    return new DownloadError(`[GET] "${this.href}": aborted`, {
      code: 'ERR_DOWNLOAD_ABORTED',
      url: this.href,
      attempt: this.attempt,
      cause: this.options.signal?.reason,
    });
  }

  async run(): Promise<DownloadResult> {
    const { options } = this;
    if (options.signal?.aborted) throw this.abortedError();
    await this.disk(() => ensureTemporaryDirectory(this.destination));
    if (options.resume && (await fileSize(this.part)) !== undefined) {
      this.state = await readPartState(this.destination);
      if (!canResume(this.state, options)) await this.restart('no-validators');
    } else if (!options.resume) {
      await removePart(this.destination);
    }

    let retries = 0;
    for (;;) {
      this.attempt += 1;
      try {
        const outcome = await this.attemptOnce();
        if ('done' in outcome) return outcome.done;
        await this.restart(outcome.again);
        continue;
      } catch (thrown) {
        if (options.signal?.aborted) {
          await this.dropUnresumablePart();
          throw this.abortedError();
        }
        const error = toDownloadError(thrown, { url: this.href, method: 'GET', attempt: this.attempt, phase: 'request' });
        error.attempt = this.attempt;
        if (!error.retryable) {
          await removePartQuietly(this.destination);
          throw error;
        }
        if (retries >= options.maxRetries) {
          await this.dropUnresumablePart();
          if (this.attempt > 1) error.message += ` (gave up after ${this.attempt} attempts)`;
          throw error;
        }
        retries += 1;
        const delayMs = retryDelayMs(options, retries, error.retryAfterMs);
        options.onEvent({ type: 'retry', attempt: this.attempt, delayMs, error });
        try {
          await options.sleep(delayMs, options.signal);
        } catch (sleepError) {
          if (options.signal?.aborted) {
            await this.dropUnresumablePart();
            throw this.abortedError();
          }
          throw sleepError;
        }
        if (options.signal?.aborted) {
          await this.dropUnresumablePart();
          throw this.abortedError();
        }
      }
    }
  }

  async restart(reason: RestartReason): Promise<void> {
    this.options.onEvent({ type: 'restart', reason });
    this.state = undefined;
    this.hash = undefined;
    await removePart(this.destination);
  }

  async dropUnresumablePart(): Promise<void> {
    if (!canResume(this.state, this.options)) await removePartQuietly(this.destination);
  }

  async attemptOnce(): Promise<AttemptOutcome> {
    const { options } = this;
    const partSize = (await fileSize(this.part)) ?? 0;
    const offset = canResume(this.state, options) ? partSize : 0;
    const headers: Record<string, string> = { ...options.headers, 'accept-encoding': 'identity' };
    if (offset > 0 && this.state) {
      headers['range'] = `bytes=${offset}-`;
      const validator = isStrongEtag(this.state.etag) ? this.state.etag : this.state.lastModified;
      if (validator) headers['if-range'] = validator;
    }
    options.onEvent({ type: 'request', attempt: this.attempt, rangeStart: offset });
    const receiver = new ResponseReceiver(options.signal, options.timeout);
    const target = new URL(this.url);
    const limiter = options.rateLimiter;
    const hint: LeanBodyHint = {
      // Under a limit, each socket read is about 20 ms worth of the rate: small enough to keep the
      // rate exact, large enough that the limiter does not wake per tiny chunk.
      ...(limiter ? { readBytes: () => (limiter.unlimited ? LEAN_READ_BYTES : limiter.bytesPerSecond / 50) } : {}),
    };
    const dispatchOptions = {
      origin: target.origin,
      path: `${target.pathname}${target.search}`,
      method: 'GET' as const,
      headers,
      headersTimeout: options.timeout,
      bodyTimeout: options.timeout,
      [LEAN_BODY]: hint,
    };
    try {
      options.dispatcher.dispatch(dispatchOptions, receiver);
    } catch (error) {
      receiver.onResponseError(undefined as never, error as Error);
    }
    const { status, headers: responseHeaders } = await receiver.head;
    // Whatever fails from here on (a refused answer, a full disk before the first byte), the rest of
    // the body is abandoned: an unread body holds the connection and the process open.
    try {
      return await this.receive(status, responseHeaders, receiver, offset, partSize);
    } catch (error) {
      receiver.abandon();
      throw error;
    }
  }

  async receive(
    status: number,
    responseHeaders: Record<string, string | string[] | undefined>,
    body: ResponseReceiver,
    offset: number,
    partSize: number,
  ): Promise<AttemptOutcome> {
    const { options } = this;
    const etag = headerValue(responseHeaders, 'etag');
    const lastModified = headerValue(responseHeaders, 'last-modified');
    const contentType = headerValue(responseHeaders, 'content-type');
    const contentRange = parseContentRange(responseHeaders);
    const discardBody = (): Promise<void> => body.discard();
    const changed = (): boolean =>
      this.state !== undefined &&
      ((this.state.etag !== undefined && etag !== undefined && this.state.etag !== etag) ||
        (this.state.lastModified !== undefined && lastModified !== undefined && this.state.lastModified !== lastModified));
    if (status === 200 || status === 206) this.checkAnswer(status, responseHeaders, contentType);
    if (status === 206 && offset === 0) this.checkWholeFile(responseHeaders);
    let start: number;
    let total: number | undefined;
    if (status === 206 && contentRange?.start !== undefined && (offset > 0 || contentRange.start === 0)) {
      total = contentRange.total;
      options.onEvent({ type: 'response', attempt: this.attempt, status, total });
      if (contentRange.start !== offset) {
        body.abandon();
        return { again: 'range-mismatch' };
      }
      if (offset > 0 && (changed() || (this.state?.total !== undefined && total !== undefined && this.state.total !== total))) {
        body.abandon();
        return { again: 'validator-changed' };
      }
      start = offset;
    } else if (status === 200) {
      total = parseContentLength(responseHeaders);
      options.onEvent({ type: 'response', attempt: this.attempt, status, total });
      if (offset > 0) {
        options.onEvent({ type: 'restart', reason: changed() ? 'validator-changed' : 'range-ignored' });
      }
      start = 0;
    } else if (status === 416 && offset > 0) {
      await discardBody();
      total = contentRange?.total ?? this.state?.total;
      options.onEvent({ type: 'response', attempt: this.attempt, status, total });
      if (total === undefined || total !== partSize) return { again: 'range-not-satisfiable' };
      this.checkMinSize(total, status);
      // The .part already holds the whole file (the last run died between the last byte and the rename).
      const file = await this.disk(() => open(this.part, 'r+'));
      let sha256: string | undefined;
      try {
        sha256 = options.sha256 ? await this.digestOf(file, partSize) : undefined;
      } catch (error) {
        await file.close().catch(() => {});
        throw error;
      }
      if (options.sha256 && sha256 === undefined) {
        await file.close().catch(() => {});
        return { again: 'part-changed' };
      }
      await this.commit(file, partSize, total);
      return { done: { ...this.result(offset, partSize, true), framing: 'length', ...(sha256 === undefined ? {} : { sha256 }) } };
    } else {
      await discardBody();
      options.onEvent({ type: 'response', attempt: this.attempt, status, total: undefined });
      const retryAfterMs = parseRetryAfter(responseHeaders);
      throw new DownloadError(`[GET] "${this.href}": ${status} ${STATUS_TEXT[status] ?? ''}`.trimEnd(), {
        code: 'ERR_DOWNLOAD_HTTP_STATUS',
        url: this.href,
        status,
        attempt: this.attempt,
        retryable: isRetryableStatus(status),
        ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      });
    }
    if (total !== undefined) this.checkMinSize(total, status);

    if (start === 0) {
      this.state = {
        version: 1,
        ...(etag ? { etag } : {}),
        ...(lastModified ? { lastModified } : {}),
        ...(total === undefined ? {} : { total }),
      };
      if (options.resume) await this.disk(() => writePartState(this.destination, this.state as PartState));
    } else {
      options.onEvent({ type: 'resume', from: start });
    }
    const expected = options.expectedSize;
    if (expected !== undefined && total !== undefined && expected !== total) {
      options.onEvent({ type: 'expected-size-differs', expectedSize: expected, remoteSize: total });
    }
    const target = total ?? expected;

    if (options.sha256 && start === 0) this.hash = new RunningHash();
    // Appending to a `.part` whose prefix gets hashed: the same descriptor reads it.
    const file = await this.disk(() => open(this.part, start === 0 ? 'w' : options.sha256 ? 'a+' : 'a'));
    let written = start;
    let closed = false;
    try {
      if (start > 0) {
        // Append only to the very bytes the offset was computed from: a .part that changed length
        // since (another writer, a crash mid-write) would put the body at the wrong place.
        const onDisk = (await this.disk(() => file.stat())).size;
        if (options.sha256 && onDisk === start && this.hash?.bytes !== start) {
          // Read once, here; the bytes received next are hashed as they are written.
          this.hash = await this.disk(() => hashFilePrefix(file.fd, start));
        }
        if (onDisk !== start || (options.sha256 && this.hash === undefined)) {
          this.hash = undefined;
          closed = true;
          await file.close().catch(() => {});
          body.abandon();
          return { again: 'part-changed' };
        }
      }
      // Counts (and stops a body longer than announced) as chunks arrive; with fsync, the writer
      // fdatasyncs in the background while receiving and fsyncs before it resolves.
      try {
        await body.receiveToFile({
          fd: file.fd,
          durable: options.fsync,
          limiter: options.rateLimiter,
          signal: options.signal,
          hash: this.hash,
          onChunk: (bytes) => {
            if (target !== undefined && written + bytes > target) {
              return new DownloadError(`[GET] "${this.href}": body longer than the expected ${target} bytes`, {
                code: 'ERR_DOWNLOAD_SIZE_MISMATCH',
                url: this.href,
                status,
                attempt: this.attempt,
              });
            }
            written += bytes;
            this.transferred += bytes;
            this.meter.update(written, this.transferred, target);
            return undefined;
          },
        });
      } catch (error) {
        if (error instanceof FileWriteError && !options.signal?.aborted) {
          throw toDownloadError(error.cause, { url: this.href, method: 'GET', attempt: this.attempt, phase: 'write' });
        }
        throw error;
      }
      // The file on disk, not the count of bytes received, is what gets renamed.
      const onDisk = (await this.disk(() => file.stat())).size;
      closed = true;
      await this.disk(() => file.close());
      if (onDisk !== written || (this.hash !== undefined && this.hash.bytes !== written)) {
        this.hash = undefined;
        await removePartQuietly(this.destination);
        this.state = undefined;
        throw new DownloadError(`[GET] "${this.href}": the .part holds ${onDisk} bytes, ${written} were written (another writer?)`, {
          code: 'ERR_DOWNLOAD_SIZE_MISMATCH',
          url: this.href,
          status,
          attempt: this.attempt,
          retryable: true,
        });
      }
      if (target !== undefined && written < target) {
        throw new DownloadError(`[GET] "${this.href}": body ended after ${written} of ${target} bytes`, {
          code: 'ERR_DOWNLOAD_SIZE_MISMATCH',
          url: this.href,
          status,
          attempt: this.attempt,
          retryable: true,
        });
      }
      if (target === undefined) this.checkMinSize(written, status, 'body ended after');
    } finally {
      if (!closed) await file.close().catch(() => {});
    }
    const framing = bodyFraming(status, responseHeaders);
    if (framing === 'close' && options.checkClosedBody !== undefined) await this.checkClosedBody(options.checkClosedBody, written, status);
    const sha256 = this.hash?.digest();
    this.hash = undefined;
    await this.commit(undefined, written, target);
    return {
      done: {
        ...this.result(start, written, target !== undefined, etag, lastModified),
        framing,
        ...(contentType ? { contentType } : {}),
        ...(sha256 === undefined ? {} : { sha256 }),
      },
    };
  }

  /** A body the close ended, checked by the caller before it gets the final name; refused: the `.part` goes. */
  async checkClosedBody(check: NonNullable<NormalizedOptions['checkClosedBody']>, size: number, status: number): Promise<void> {
    const refusal = await check({ path: this.part, size });
    if (refusal === undefined) return;
    await removePartQuietly(this.destination);
    this.state = undefined;
    throw new DownloadError(`[GET] "${this.href}": the answer ended with the connection after ${size} bytes and is not the whole file: ${refusal}`, {
      code: 'ERR_DOWNLOAD_SIZE_MISMATCH',
      url: this.href,
      status,
      attempt: this.attempt,
      retryable: true,
    });
  }

  /**
   * A 200/206 that cannot be the file: compressed bytes (a content or transfer coding), or a type the
   * caller refuses (an error page).
   */
  checkAnswer(status: number, headers: Record<string, string | string[] | undefined>, contentType: string | undefined): void {
    const codings = transferCodings(headers['transfer-encoding']);
    if (codings.length > 0 && (codings.length > 1 || codings[0] !== 'chunked')) {
      throw new DownloadError(`[GET] "${this.href}": the server sent the body with Transfer-Encoding: ${JSON.stringify(codings.join(', '))} (only chunked is read): not the file as stored`, {
        code: 'ERR_DOWNLOAD_BAD_RESPONSE',
        url: this.href,
        status,
        attempt: this.attempt,
      });
    }
    const encoding = headerValue(headers, 'content-encoding')?.trim();
    if (encoding !== undefined && encoding !== '' && encoding.toLowerCase() !== 'identity') {
      throw new DownloadError(`[GET] "${this.href}": the server sent the body with Content-Encoding: ${encoding} (identity was asked for): not the file as stored`, {
        code: 'ERR_DOWNLOAD_BAD_RESPONSE',
        url: this.href,
        status,
        attempt: this.attempt,
      });
    }
    const accept = this.options.acceptContentType;
    if (accept && !accept(contentType)) {
      throw new DownloadError(`[GET] "${this.href}": the server answered ${status} ${contentType ?? '(no Content-Type)'}, not the file (an error or login page?)`, {
        code: 'ERR_DOWNLOAD_BAD_RESPONSE',
        url: this.href,
        status,
        attempt: this.attempt,
      });
    }
  }

  /**
   * A 206 to a request without `Range` is taken only when its `Content-Range` covers the whole file
   * (`bytes 0-(n-1)/n`): a part, or one of unknown total (`bytes 0-4/*`), is not the file.
   */
  checkWholeFile(headers: Record<string, string | string[] | undefined>): void {
    const range = parseContentRange(headers);
    if (range?.start === 0 && range.total !== undefined && range.end === range.total - 1) return;
    const shown = headerValue(headers, 'content-range') ?? '(no Content-Range)';
    throw new DownloadError(`[GET] "${this.href}": the server answered 206 ${JSON.stringify(shown)} to a request for the whole file: a part, not the file`, {
      code: 'ERR_DOWNLOAD_BAD_RESPONSE',
      url: this.href,
      status: 206,
      attempt: this.attempt,
    });
  }

  /** A file smaller than `minSize` is a truncated answer (retried), never a final file. */
  checkMinSize(size: number, status: number, what = 'the server announces'): void {
    const min = this.options.minSize;
    if (min === undefined || size >= min) return;
    throw new DownloadError(`[GET] "${this.href}": ${what} ${size} bytes, less than the ${min} expected: a truncated answer`, {
      code: 'ERR_DOWNLOAD_SIZE_MISMATCH',
      url: this.href,
      status,
      attempt: this.attempt,
      retryable: true,
    });
  }

  /** The SHA-256 of the `.part` open as `file`, `size` bytes long: the running hash when it covers them, else read once. */
  async digestOf(file: FileHandle, size: number): Promise<string | undefined> {
    const hash = this.hash?.bytes === size ? this.hash : await this.disk(() => hashFilePrefix(file.fd, size));
    this.hash = undefined;
    if (hash === undefined || (await this.disk(() => file.stat())).size !== size) return undefined;
    return hash.digest();
  }

  /** fsync `file` (when given; else it is already flushed and closed), rename, report 100 %. */
  async commit(file: FileHandle | undefined, size: number, total: number | undefined): Promise<void> {
    await this.disk(async () => {
      if (file) {
        try {
          if (this.options.fsync) await file.sync();
        } finally {
          await file.close();
        }
      }
      await commitPart(this.destination, this.options.fsync);
    });
    this.meter.update(size, this.transferred, total ?? size, true);
  }

  result(start: number, size: number, verified: boolean, etag?: string, lastModified?: string): DownloadResult {
    const e = etag ?? this.state?.etag;
    const lm = lastModified ?? this.state?.lastModified;
    return {
      status: start > 0 ? 'resumed' : 'downloaded',
      path: this.destination,
      bytes: this.transferred,
      size,
      verified,
      attempts: this.attempt,
      ...(e ? { etag: e } : {}),
      ...(lm ? { lastModified: lm } : {}),
    };
  }

  async disk<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      throw toDownloadError(error, { url: this.href, method: 'GET', attempt: this.attempt, phase: 'write' });
    }
  }
}

/**
 * Downloads `url` to `destination` through `<destination>.part`: rate limited, retried, resumed,
 * size-checked, then fsynced and renamed, so the final name only ever holds a complete file.
 *
 * @example
 * const result = await download('http://camera/rec/1.mkv', 'rec/1.mkv', { rateLimitMbps: 10 });
 * // { status: 'downloaded', bytes: 1048576, size: 1048576, verified: true, attempts: 1, ... }
 */
export async function download(url: string | URL, destination: string, options: DownloadOptions = {}): Promise<DownloadResult> {
  const parent = options.signal;
  if (parent === undefined || parent.aborted) return downloadOnce(url, destination, options);
  // One listener on the caller's signal per download: inside, the request, the body writer, every
  // rate-limiter wait and retry sleep listen to this download's own signal. A signal shared by
  // several downloads (one Ctrl+C for all) then never collects more listeners than there are downloads
  // (3 each made Node warn "MaxListenersExceededWarning" at 4 concurrent downloads).
  const own = new AbortController();
  const forward = (): void => own.abort(parent.reason);
  parent.addEventListener('abort', forward, { once: true });
  try {
    return await downloadOnce(url, destination, { ...options, signal: own.signal });
  } finally {
    parent.removeEventListener('abort', forward);
  }
}

async function downloadOnce(url: string | URL, destination: string, options: DownloadOptions): Promise<DownloadResult> {
  const href = redactUrl(url);
  const normalized = normalizeOptions(options, href);
  if (normalized.signal?.aborted) {
    throw new DownloadError(`[GET] "${href}": aborted`, { code: 'ERR_DOWNLOAD_ABORTED', url: href, cause: normalized.signal.reason });
  }
  // An existing file that is kept as it is needs no lock: nothing is written.
  if (normalized.existing === 'skip') {
    const localSize = await fileSize(destination);
    if (localSize !== undefined) return skippedExisting(destination, localSize);
  }
  let release: () => Promise<void>;
  try {
    release = await lockDestination(destination);
  } catch (error) {
    if (error instanceof DestinationBusyError) {
      throw new DownloadError(`[GET] "${href}": ${error.message}`, { code: 'ERR_DOWNLOAD_BUSY', url: href, cause: error });
    }
    throw toDownloadError(error, { url: href, method: 'GET', attempt: 0, phase: 'write' });
  }
  try {
    return await downloadLocked(url, destination, normalized);
  } finally {
    await release().catch(() => {});
    await removeTemporaryDirectoryIfEmpty(destination);
  }
}

function skippedExisting(destination: string, localSize: number): DownloadResult {
  return { status: 'skipped', path: destination, bytes: 0, size: localSize, localSize, verified: false, attempts: 0, skipReason: 'exists' };
}

/** {@link download} once this process holds the destination's lock. */
async function downloadLocked(url: string | URL, destination: string, normalized: NormalizedOptions): Promise<DownloadResult> {
  const localSize = await fileSize(destination);
  if (localSize !== undefined && normalized.existing !== 'overwrite') {
    if (normalized.existing === 'skip') return skippedExisting(destination, localSize);
    const skipped = { status: 'skipped', path: destination, bytes: 0, size: localSize, localSize } as const;
    let remoteSize = normalized.expectedSize;
    let attempts = 0;
    if (remoteSize === undefined) {
      attempts = 1;
      remoteSize = (
        await probeRemoteSize(url, {
          dispatcher: normalized.dispatcher,
          headers: normalized.headers,
          timeout: normalized.timeout,
          ...(normalized.signal ? { signal: normalized.signal } : {}),
        })
      ).size;
    }
    if (remoteSize === undefined) return { ...skipped, verified: false, attempts, skipReason: 'size-unverifiable' };
    if (remoteSize === localSize) return { ...skipped, verified: true, attempts, skipReason: 'size-matches', remoteSize };
    normalized.onEvent({ type: 'size-mismatch', localSize, remoteSize });
    const result = await new Transfer(url, destination, normalized).run();
    return { ...result, attempts: result.attempts + attempts, localSize, remoteSize };
  }
  return new Transfer(url, destination, normalized).run();
}

/** How the body of a 200/206 answer ends (RFC 9112 §6.3): its length, the chunked coding, or the close. */
function bodyFraming(status: number, headers: Record<string, string | string[] | undefined>): 'length' | 'chunked' | 'close' {
  const codings = transferCodings(headers['transfer-encoding']);
  if (codings.length > 0) return codings.at(-1) === 'chunked' ? 'chunked' : 'close';
  if (status === 206 ? parseContentRange(headers) !== undefined : parseContentLength(headers) !== undefined) return 'length';
  return 'close';
}
