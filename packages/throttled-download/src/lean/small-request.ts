import { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import { LEAN_BODY } from './download-agent.js';
import { bodyTimeoutError, headersTimeoutError, responseExceededMaxSizeError } from './transport-errors.js';

/** The part of a dispatcher a request needs (every undici `Dispatcher` has it, `DownloadAgent` too). */
export interface DispatchOnly {
  dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean;
}

/** Options of {@link smallRequest}. */
export interface SmallRequestOptions {
  /** What sends the request: a `DownloadAgent` (lean over plain http) or any undici dispatcher. */
  dispatcher: DispatchOnly;
  /**
   * The request method.
   * @default 'GET'
   */
  method?: string | undefined;
  /**
   * Request headers.
   * @default {}
   */
  headers?: Record<string, string> | undefined;
  /** The request body (an XML search), sent with its length; plain-http requests still take the lean path. @default undefined */
  body?: string | Uint8Array | undefined;
  /**
   * Aborts the request: before the head it rejects with the signal's reason, after it the body fails with it.
   * @default undefined
   */
  signal?: AbortSignal | undefined;
  /**
   * Longest wait for the final head after the request is sent, in ms (the dispatcher's default when undefined).
   * @default undefined
   */
  headersTimeout?: number | undefined;
  /**
   * Longest wait between two body reads, in ms (the dispatcher's default when undefined).
   * @default undefined
   */
  bodyTimeout?: number | undefined;
  /**
   * Longest the whole exchange may take, in ms, from the call to the body's last byte (authentication
   * round trips included): past it the request is aborted with a headers-timeout error (no head yet) or
   * a body-timeout error (the body stream fails with it). 0: none.
   * @default 0
   */
  deadline?: number | undefined;
  /**
   * Largest body accepted, in bytes: past it the connection is closed and the body stream fails with a
   * response-exceeded-max-size error, whoever reads it. -1: no limit.
   * @default -1
   */
  maxBodyBytes?: number | undefined;
}

/** A response body: a stream of copied chunks, plus `dump` as undici's. */
export interface SmallResponseBody extends Readable {
  /**
   * Reads and drops up to `limit` bytes (default 128 KiB) for at most `timeout` ms (default the
   * request's `bodyTimeout`, else 10 s), then abandons the rest: a body nobody reads still ends.
   */
  dump(options?: { limit?: number; timeout?: number }): Promise<void>;
}

/** How long {@link SmallResponseBody.dump} drains when the request has no `bodyTimeout`. */
const DUMP_TIMEOUT_MS = 10_000;

export interface SmallResponse {
  statusCode: number;
  headers: Record<string, string | string[] | undefined>;
  body: SmallResponseBody;
}

/**
 * One request through `dispatcher`, answered like undici's `request()` (status, lower-case headers, a
 * body stream), without loading undici: camera API answers over plain http go through
 * `DownloadAgent`'s lean reader. Each chunk is copied, so the dispatcher may reuse its read buffer.
 * An aborted `signal` rejects with its reason (before the head) or destroys the body with it.
 */
export function smallRequest(url: URL | string, options: SmallRequestOptions): Promise<SmallResponse> {
  const target = typeof url === 'string' ? new URL(url) : url;
  return new Promise<SmallResponse>((resolve, reject) => {
    let controller: Dispatcher.DispatchController | undefined;
    let body: SmallResponseBody | undefined;
    let settled = false;
    const { signal } = options;
    const onAbort = (): void => {
      const reason = signal?.reason instanceof Error ? signal.reason : new Error('This operation was aborted');
      controller?.abort(reason);
      if (!settled) {
        settled = true;
        reject(reason);
      }
    };
    let deadlineTimer: ReturnType<typeof setTimeout> | undefined;
    const detach = (): void => {
      clearTimeout(deadlineTimer);
      signal?.removeEventListener('abort', onAbort);
    };
    if (signal?.aborted) {
      onAbort();
      return;
    }
    signal?.addEventListener('abort', onAbort, { once: true });
    if (options.deadline) {
      deadlineTimer = setTimeout(() => {
        const error = settled ? bodyTimeoutError(`Body Timeout Error (deadline of ${options.deadline} ms)`) : headersTimeoutError(`Headers Timeout Error (deadline of ${options.deadline} ms)`);
        if (controller !== undefined) controller.abort(error);
        else handler.onResponseError?.(undefined as never, error);
      }, options.deadline);
      deadlineTimer.unref?.();
    }
    const maxBodyBytes = options.maxBodyBytes ?? -1;
    let bodyBytes = 0;

    const makeBody = (): SmallResponseBody => {
      const stream = new Readable({
        read() {
          controller?.resume();
        },
        destroy(error, callback) {
          detach();
          if (!ended) controller?.abort(error ?? new Error('response body destroyed'));
          callback(error);
        },
      }) as SmallResponseBody;
      // The connection can fail (a size limit, a reset) before the caller reads the body, even in the
      // tick that delivered the head: the error is kept on the stream (`errored`) and thrown by the
      // next read, never raised as an unhandled 'error' event that would end the process.
      stream.on('error', () => {});
      stream.dump = async ({ limit = 128 * 1024, timeout = options.bodyTimeout || DUMP_TIMEOUT_MS } = {}) => {
        let seen = 0;
        const deadline = setTimeout(() => {
          if (!stream.destroyed) stream.destroy();
        }, timeout);
        deadline.unref?.();
        try {
          for await (const chunk of stream) {
            seen += (chunk as Buffer).length;
            if (seen > limit) break;
          }
        } catch {
          // Destroyed at the deadline, or the connection failed: either way nothing is left to drop.
        } finally {
          clearTimeout(deadline);
          if (!stream.destroyed) stream.destroy();
        }
      };
      return stream;
    };
    let ended = false;
    let headDeadline: ReturnType<typeof setTimeout> | undefined;
    /** Body bytes still to come by the answer's Content-Length (undefined: chunked, close or unknown). */
    let lengthLeft: number | undefined;

    const handler: Dispatcher.DispatchHandler = {
      onRequestStart(control) {
        controller = control;
        if (signal?.aborted) control.abort(signal.reason as Error);
        // The final head has a deadline from the moment the request is sent: 1xx answers do not move
        // it (undici re-arms its own headers timeout on each one).
        clearTimeout(headDeadline);
        if (options.headersTimeout) {
          headDeadline = setTimeout(() => control.abort(headersTimeoutError()), options.headersTimeout);
          headDeadline.unref?.();
        }
      },
      onResponseStart(control, statusCode, headers) {
        controller = control;
        if (statusCode < 200) return;
        clearTimeout(headDeadline);
        const length = headers['content-length'];
        lengthLeft = headers['transfer-encoding'] === undefined && typeof length === 'string' && /^\d+$/.test(length) ? Number(length) : undefined;
        body = makeBody();
        settled = true;
        resolve({ statusCode, headers: headers as Record<string, string | string[] | undefined>, body });
      },
      onResponseData(control, chunk) {
        bodyBytes += chunk.length;
        if (maxBodyBytes >= 0 && bodyBytes > maxBodyBytes) {
          control.abort(responseExceededMaxSizeError());
          return;
        }
        if (lengthLeft !== undefined) lengthLeft = Math.max(0, lengthLeft - chunk.length);
        // Copied: the lean reader hands out views of a buffer it reuses for the next read. Not paused
        // once a Content-Length body is all in: undici would hold the message unfinished, and a server
        // closing right after its answer (seen at once over TLS) would fail it ("other side closed").
        if (body !== undefined && !body.destroyed && !body.push(Buffer.from(chunk)) && lengthLeft !== 0) control.pause();
      },
      onResponseEnd() {
        ended = true;
        clearTimeout(headDeadline);
        detach();
        body?.push(null);
      },
      onResponseError(_control, error) {
        ended = true;
        clearTimeout(headDeadline);
        detach();
        if (!settled) {
          settled = true;
          reject(error);
        } else if (body !== undefined && !body.destroyed) {
          body.destroy(error);
        }
      },
    };
    const dispatchOptions = {
      origin: target.origin,
      path: `${target.pathname}${target.search}`,
      method: (options.method ?? 'GET') as Dispatcher.HttpMethod,
      headers: options.headers ?? {},
      ...(options.body === undefined ? {} : { body: options.body }),
      ...(options.headersTimeout === undefined ? {} : { headersTimeout: options.headersTimeout }),
      ...(options.bodyTimeout === undefined ? {} : { bodyTimeout: options.bodyTimeout }),
      [LEAN_BODY]: {},
    };
    try {
      options.dispatcher.dispatch(dispatchOptions, handler);
    } catch (error) {
      handler.onResponseError?.(undefined as never, error as Error);
    }
  });
}

/**
 * The whole body as UTF-8 text, at most `limit` bytes: a larger body is destroyed (its connection
 * closed, nothing more read) and `tooLarge()` is thrown, so an endless answer costs `limit` bytes.
 */
export async function readText(body: AsyncIterable<Buffer> & { destroy(error?: Error): unknown }, limit: number, tooLarge: () => Error): Promise<string> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of body) {
    total += chunk.length;
    if (total > limit) {
      body.destroy();
      throw tooLarge();
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
