import { connect, type NetConnectOpts, type Socket } from 'node:net';
import type { Dispatcher } from 'undici';
import { bodyTimeoutError, connectTimeoutError, headersTimeoutError, invalidArgumentError, responseExceededMaxSizeError } from './transport-errors.js';
import { Http1ResponseParser, type ResponseHeaders } from './http1-response-parser.js';

// One request of the lean path: its two properties (one reused read buffer, one connection per request)
// are set out in ./index.ts.

/** Largest single socket read of the lean reader. */
export const LEAN_READ_BYTES = 256 * 1024;

export interface LeanBodyHint {
  /** Largest socket read, in bytes, asked before every read (at most {@link LEAN_READ_BYTES}). @default LEAN_READ_BYTES */
  readBytes?: (() => number) | undefined;
}

export interface LeanRequestOptions {
  connectTimeout: number;
  headersTimeout: number;
  bodyTimeout: number;
  readBytes: (() => number) | undefined;
  /** Largest response head in bytes (undici's `maxHeaderSize`). */
  maxHeaderSize: number;
  /** Largest response body in bytes, -1 for no limit (undici's `maxResponseSize`). */
  maxResponseSize: number;
  /** Socket options passed to `net.connect` (`localAddress`, `lookup`, `family`, `keepAlive`…). */
  socket: Partial<NetConnectOpts>;
  /** Called once the request is over (the socket is closed or handed off), before the handler hears it. */
  onSettled: () => void;
}

/**
 * Read buffers of finished lean requests, kept for the next ones: a run of many small requests (an
 * Amcrest search's pages, a listing per camera) allocates no 256 KiB buffer per request.
 */
const spareReadBuffers: Buffer[] = [];
const MAX_SPARE_READ_BUFFERS = 4;

// Request-target and header checks of undici's own `Request` (so both paths refuse the same input).
const INVALID_PATH = /[^\u0021-\u00ff]/;
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const INVALID_HEADER_VALUE = /[\0\r\n]/;
/** Headers the lean request writes itself, or that would change its framing. */
const RESERVED = new Set(['host', 'connection', 'content-length', 'transfer-encoding', 'keep-alive', 'upgrade', 'expect']);

type Headers = [string, string][];

function headerList(input: Dispatcher.DispatchOptions['headers']): Headers | undefined {
  const out: Headers = [];
  const add = (name: unknown, value: unknown): void => {
    if (value === undefined || value === null) return;
    for (const one of Array.isArray(value) ? value : [value]) out.push([String(name), String(one)]);
  };
  if (input === null || input === undefined) return out;
  if (Array.isArray(input)) {
    if (input.length > 0 && Array.isArray(input[0])) return undefined;
    for (let i = 0; i + 1 < input.length; i += 2) add(input[i], input[i + 1]);
  } else if (typeof (input as Iterable<unknown>)[Symbol.iterator] === 'function') {
    return undefined;
  } else {
    for (const [name, value] of Object.entries(input)) add(name, value);
  }
  return out;
}

/** Methods the lean path sends: a GET, or a small request with its body in hand (an ISAPI search or download). */
const LEAN_METHODS = new Set(['GET', 'POST', 'PUT']);

/**
 * The request of a lean GET, POST or PUT as latin1 text (one character per byte: the body's bytes go
 * out unchanged), or undefined when the request is not one the lean path takes (another method, a
 * body that is not a string or bytes, headers that would change the framing or the connection; undici
 * then handles it as usual). Throws an undici `InvalidArgumentError` for what undici itself would refuse.
 */
export function leanRequestHead(opts: Dispatcher.DispatchOptions, host: string): string | undefined {
  const headers = headerList(opts.headers);
  if (headers === undefined || !LEAN_METHODS.has(opts.method)) return undefined;
  const { body } = opts;
  let bytes: Buffer | undefined;
  if (typeof body === 'string') bytes = Buffer.from(body, 'utf8');
  else if (body instanceof Uint8Array) bytes = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  else if (body !== undefined && body !== null) return undefined;
  if (INVALID_PATH.test(opts.path)) throw invalidArgumentError('invalid request path');
  let head = `${opts.method} ${opts.path} HTTP/1.1\r\nhost: ${host}\r\nconnection: close\r\n`;
  // undici sends a length for a body, and for a POST or PUT without one.
  if (bytes !== undefined || opts.method !== 'GET') head += `content-length: ${bytes?.length ?? 0}\r\n`;
  for (const [name, value] of headers) {
    const lower = name.toLowerCase();
    if (RESERVED.has(lower)) return undefined;
    if (!TOKEN.test(name)) throw invalidArgumentError('invalid header key');
    if (INVALID_HEADER_VALUE.test(value)) throw invalidArgumentError(`invalid ${name} header`);
    head += `${name}: ${value}\r\n`;
  }
  return `${head}\r\n${bytes?.toString('latin1') ?? ''}`;
}

/**
 * One request over its own connection, read with `onread` into one reused buffer and parsed by
 * {@link Http1ResponseParser}; the handler gets views of that buffer (see `LEAN_BODY`).
 * Timeouts, pause/resume and abort follow undici's `DispatchController` contract and errors.
 */
export function leanRequest(url: URL, head: string, handler: Dispatcher.DispatchHandler, options: LeanRequestOptions): void {
  // Assigned once, after onRequestStart (which may abort first): the controller reads it before.
  // eslint-disable-next-line prefer-const
  let socket: Socket | undefined;
  let settled = false;
  let paused = false;
  let aborted = false;
  let reason: Error | null = null;
  /** Bytes of the last read not yet parsed when the handler paused. */
  let pending: Buffer | undefined;
  let eof = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let timerKind: 'connect' | 'headers' | 'body' = 'connect';
  let headSeen = false;
  const readBuffer = spareReadBuffers.pop() ?? Buffer.allocUnsafe(LEAN_READ_BYTES);
  const { readBytes } = options;

  const controller: Dispatcher.DispatchController = {
    get aborted() {
      return aborted;
    },
    get paused() {
      return paused;
    },
    get reason() {
      return reason;
    },
    abort(error: Error) {
      if (aborted || settled) return;
      aborted = true;
      reason = error;
      fail(error);
    },
    pause() {
      if (settled || paused) return;
      paused = true;
      stopTimer();
      socket?.pause();
    },
    resume() {
      if (settled || !paused) return;
      paused = false;
      if (pending !== undefined) {
        const rest = pending;
        pending = undefined;
        if (!feed(rest, 0, rest.length)) return;
      }
      if (settled || paused) return;
      if (eof) {
        end();
        return;
      }
      startTimer(headSeen ? 'body' : 'headers');
      socket?.resume();
    },
  };

  const stopTimer = (): void => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
  };
  const startTimer = (kind: 'connect' | 'headers' | 'body'): void => {
    const ms = kind === 'connect' ? options.connectTimeout : kind === 'headers' ? options.headersTimeout : options.bodyTimeout;
    if (timer !== undefined && kind === timerKind) {
      timer.refresh();
      return;
    }
    timerKind = kind;
    stopTimer();
    if (ms > 0) {
      timer = setTimeout(() => {
        timer = undefined;
        const kindNow = timerKind;
        fail(
          kindNow === 'connect'
            ? connectTimeoutError(`Connect Timeout Error (attempted address: ${url.host}, timeout: ${ms}ms)`)
            : kindNow === 'headers'
              ? headersTimeoutError()
              : bodyTimeoutError(),
        );
      }, ms);
      timer.unref?.();
    }
  };

  const finishSocket = (): void => {
    settled = true;
    stopTimer();
    pending = undefined;
    socket?.destroy();
    // No read lands in it any more, and handlers took their chunks when they got them (LEAN_BODY).
    if (spareReadBuffers.length < MAX_SPARE_READ_BUFFERS) spareReadBuffers.push(readBuffer);
    options.onSettled();
  };

  function fail(error: Error): void {
    if (settled) return;
    finishSocket();
    handler.onResponseError?.(controller, error);
  }

  let bodyBytes = 0;
  const { maxResponseSize } = options;
  const parser = new Http1ResponseParser({
    onHead(status, statusText, headers: ResponseHeaders) {
      headSeen = true;
      const length = headers['content-length'];
      if (maxResponseSize >= 0 && typeof length === 'string' && Number(length) > maxResponseSize) {
        fail(responseExceededMaxSizeError());
        return false;
      }
      startTimer('body');
      handler.onResponseStart?.(controller, status, headers, statusText);
      return !paused && !settled;
    },
    onBody(buffer, start, end) {
      bodyBytes += end - start;
      if (maxResponseSize >= 0 && bodyBytes > maxResponseSize) {
        fail(responseExceededMaxSizeError());
        return false;
      }
      handler.onResponseData?.(controller, buffer.subarray(start, end));
      return !paused && !settled;
    },
    onEnd(trailers) {
      if (settled) return;
      finishSocket();
      handler.onResponseEnd?.(controller, trailers);
    },
  }, options.maxHeaderSize);

  /** Parses `buffer[start, end)`; false when the request is over or paused (the rest is kept). */
  function feed(buffer: Buffer, start: number, end: number): boolean {
    let at = start;
    try {
      while (at < end && !settled && !parser.done) {
        at = parser.execute(buffer, at, end);
        if (paused && at < end && !parser.done) {
          pending = Buffer.from(buffer.subarray(at, end));
          return false;
        }
      }
    } catch (error) {
      fail(error as Error);
      return false;
    }
    return !settled && !paused;
  }

  function end(): void {
    try {
      parser.finish();
    } catch (error) {
      fail(error as Error);
    }
  }

  handler.onRequestStart?.(controller, {});
  if (aborted) return;

  socket = connect({
    ...options.socket,
    host: url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname,
    port: Number(url.port || 80),
    noDelay: true,
    onread: {
      buffer: readBytes === undefined ? readBuffer : () => readBuffer.subarray(0, Math.max(1024, Math.min(LEAN_READ_BYTES, Math.floor(readBytes())))),
      callback(bytes: number, buffer: Uint8Array): boolean {
        if (settled) return false;
        // The body timeout is the longest silence between reads; the headers timeout a deadline,
        // armed once when the request is sent: a head (or endless 1xx heads) trickled a byte at a
        // time still ends there, as undici's does.
        if (headSeen) startTimer('body');
        return feed(buffer as Buffer, 0, bytes);
      },
    },
  });
  startTimer('connect');
  socket.once('connect', () => {
    if (settled) return;
    startTimer('headers');
    socket?.write(head, 'latin1');
  });
  // EOF (or a close without an error of its own): completes a close-delimited body, else the
  // response was cut short. While paused, the bytes kept in `pending` come first (see resume()).
  const onEof = (): void => {
    if (settled) return;
    eof = true;
    if (!paused) end();
  };
  socket.on('end', onEof);
  socket.on('close', onEof);
  socket.on('error', (error) => fail(error));
}
