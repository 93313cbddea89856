import { headersOverflowError, httpParserError, socketError } from './transport-errors.js';

/** Response headers as undici gives them: lower-case names, latin1 values, repeated names as arrays. */
export type ResponseHeaders = Record<string, string | string[]>;

/** The largest response head (status line + headers) or trailer block accepted, in bytes (Node's and undici's default). */
export const MAX_HEAD_BYTES = 16 * 1024;

/** The longest chunk-size line (size + extensions) accepted, in bytes. */
const MAX_CHUNK_LINE_BYTES = 4 * 1024;

/** What the parser reports, in order: heads (1xx ones are skipped), body bytes, the end. */
export interface ResponseParserCallbacks {
  /** The final (non-1xx) head. Return `false` to stop `execute()` right after it. */
  onHead(status: number, statusText: string, headers: ResponseHeaders): boolean | void;
  /** Body bytes `buffer[start, end)`, only valid during the call. Return `false` to stop `execute()` after them. */
  onBody(buffer: Buffer, start: number, end: number): boolean | void;
  /** The whole response was read (`trailers` of a chunked body, else empty). */
  onEnd(trailers: ResponseHeaders): void;
}

const enum State {
  Head,
  Body,
  ChunkSize,
  ChunkData,
  ChunkDataEnd,
  Trailers,
  UntilClose,
  Done,
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// Field values: visible characters, obs-text, SP and HTAB; no CTL (RFC 9110 §5.5).
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;
const STATUS_LINE = /^HTTP\/(\d)\.(\d) (\d{3})(?: ([\t\x20-\x7e\x80-\xff]*))?$/;

/** A LF not preceded by CR in a head: refused as soon as it arrives, as llhttp does. */
function checkLineEnds(window: Buffer, from: number, to: number): void {
  for (let at = window.indexOf(10, from); at >= 0 && at < to; at = window.indexOf(10, at + 1)) {
    if (at === 0 || window[at - 1] !== 13) throw parserError('Missing expected CR after header value', 'CR_EXPECTED');
  }
}

function parserError(message: string, code: string): Error {
  return httpParserError(message, code);
}

/**
 * A small, strict, incremental HTTP/1.1 response parser for a GET: status line, headers (size
 * limited), `Content-Length`, `chunked` (with trailers) or close-delimited bodies; 1xx heads are
 * skipped. Whatever is malformed throws an undici `HTTPParserError` (`HPE_*` code) or
 * `HeadersOverflowError`, the errors undici's own parser gives for the same bytes, so a caller
 * sees one behaviour whichever reader ran. A body cut short is reported by {@link finish}.
 *
 * Body bytes are passed on as ranges of the caller's buffer: nothing is copied on the hot path.
 */
export class Http1ResponseParser {
  #state = State.Head;
  #head: Buffer[] = [];
  #tail: Buffer = Buffer.alloc(0);
  #headBytes = 0;
  #remaining = 0;
  #chunkLine = '';
  readonly #maxHeadBytes: number;

  /** @param maxHeadBytes Largest response head (status line and headers), as undici's `maxHeaderSize`. @default MAX_HEAD_BYTES */
  constructor(
    private readonly callbacks: ResponseParserCallbacks,
    maxHeadBytes: number = MAX_HEAD_BYTES,
  ) {
    this.#maxHeadBytes = maxHeadBytes;
  }

  /** Whether the whole response was read. */
  get done(): boolean {
    return this.#state === State.Done;
  }

  /**
   * Parses `buffer[start, end)`. Returns the offset up to which bytes were consumed: `end`, or less
   * when a callback returned `false` (call again with the rest) or the response is complete (the
   * rest is not part of it).
   */
  execute(buffer: Buffer, start: number, end: number): number {
    let at = start;
    while (at < end) {
      switch (this.#state) {
        case State.Head: {
          const stop = this.#takeHead(buffer, at, end);
          if (stop < 0) return end;
          at = stop;
          const head = this.#parseHead();
          if (head === undefined) continue; // a 1xx head: read the next one
          const more = this.callbacks.onHead(head.status, head.statusText, head.headers);
          if ((this.#state as State) === State.Done) {
            // No body (Content-Length: 0, 204, 304): the response is complete with its head.
            this.callbacks.onEnd({});
            return at;
          }
          if (more === false && at < end) return at;
          break;
        }
        case State.Body:
        case State.UntilClose: {
          const take = this.#state === State.Body ? Math.min(this.#remaining, end - at) : end - at;
          const from = at;
          at += take;
          if (this.#state === State.Body) {
            this.#remaining -= take;
            if (this.#remaining === 0) this.#state = State.Done;
          }
          const more = this.callbacks.onBody(buffer, from, at);
          if (this.#state === State.Done) {
            this.callbacks.onEnd({});
            return at;
          }
          if (more === false && at < end) return at;
          break;
        }
        case State.ChunkSize: {
          const lineEnd = buffer.indexOf(10, at);
          const stop = lineEnd < 0 || lineEnd >= end ? end : lineEnd + 1;
          this.#chunkLine += buffer.toString('latin1', at, stop);
          if (this.#chunkLine.length > MAX_CHUNK_LINE_BYTES) throw parserError('Chunk size line too long', 'INVALID_CHUNK_SIZE');
          at = stop;
          if (stop === lineEnd + 1) this.#chunkSize();
          break;
        }
        case State.ChunkData: {
          const take = Math.min(this.#remaining, end - at);
          const from = at;
          at += take;
          this.#remaining -= take;
          if (this.#remaining === 0) {
            this.#state = State.ChunkDataEnd;
            this.#chunkLine = '';
          }
          if (this.callbacks.onBody(buffer, from, at) === false && at < end) return at;
          break;
        }
        case State.ChunkDataEnd: {
          // Exactly CRLF after the data of each chunk.
          const byte = buffer[at] as number;
          at += 1;
          if (this.#chunkLine === '' && byte === 13) this.#chunkLine = '\r';
          else if (this.#chunkLine === '\r' && byte === 10) {
            this.#chunkLine = '';
            this.#state = State.ChunkSize;
          } else throw parserError('Expected CRLF after chunk data', 'STRICT');
          break;
        }
        case State.Trailers: {
          const stop = this.#takeHead(buffer, at, end);
          if (stop < 0) return end;
          at = stop;
          const trailers = this.#parseTrailers();
          this.#state = State.Done;
          this.callbacks.onEnd(trailers);
          return at;
        }
        case State.Done:
          return at;
      }
    }
    return at;
  }

  /**
   * The connection ended (EOF). Completes a close-delimited body; anything else unfinished is a
   * response cut short: an undici `SocketError` ("other side closed"), as undici reports it.
   */
  finish(): void {
    if (this.#state === State.Done) return;
    if (this.#state === State.UntilClose) {
      this.#state = State.Done;
      this.callbacks.onEnd({});
      return;
    }
    throw socketError('other side closed');
  }

  /** Collects head (or trailer) bytes up to the empty line; returns the offset after it, or -1 for "need more". */
  #takeHead(buffer: Buffer, start: number, end: number): number {
    // The end of the head may straddle two reads: search from the last 3 bytes already collected.
    const carried = this.#tail;
    const window = carried.length === 0 ? buffer.subarray(start, end) : Buffer.concat([carried, buffer.subarray(start, Math.min(end, start + this.#maxHeadBytes))]);
    const index = window.indexOf('\r\n\r\n', 0, 'latin1');
    checkLineEnds(window, carried.length, index < 0 ? window.length : index + 4);
    if (index < 0) {
      this.#headBytes += end - start;
      if (this.#headBytes > this.#maxHeadBytes) throw headersOverflowError();
      this.#push(buffer.subarray(start, end));
      return -1;
    }
    const stop = start + index - carried.length + 4;
    this.#headBytes += stop - start;
    if (this.#headBytes > this.#maxHeadBytes) throw headersOverflowError();
    this.#push(buffer.subarray(start, stop));
    return stop;
  }

  /** Keeps a copy of head bytes, and the last 3 of them (where a CRLFCRLF split across reads starts). */
  #push(bytes: Buffer): void {
    this.#head.push(Buffer.from(bytes));
    const joined = Buffer.concat([this.#tail, bytes.subarray(Math.max(0, bytes.length - 3))]);
    this.#tail = Buffer.from(joined.subarray(Math.max(0, joined.length - 3)));
  }

  #takeLines(): string[] {
    const text = Buffer.concat(this.#head).toString('latin1');
    this.#head = [];
    this.#tail = Buffer.alloc(0);
    this.#headBytes = 0;
    // Each line must end in CRLF: a bare LF or CR is refused, as llhttp does.
    const lines = text.split('\r\n');
    for (const line of lines) {
      if (line.includes('\n') || line.includes('\r')) throw parserError('Missing expected CR after header value', 'CR_EXPECTED');
    }
    return lines.slice(0, -2); // the head ends with an empty line: "...\r\n\r\n"
  }

  #parseFields(lines: string[], what: 'header' | 'trailer'): ResponseHeaders {
    const headers: ResponseHeaders = {};
    const fields: [string, string][] = [];
    for (const line of lines) {
      if (line.startsWith(' ') || line.startsWith('\t')) {
        // obs-fold (OWS CRLF RWS): the line continues the field before it, the fold read as one space
        // (RFC 9112 §5.2).
        // Before the first field there is nothing to continue: refused (RFC 9112 §2.2).
        const last = fields.at(-1);
        if (last === undefined) throw parserError(`Invalid ${what} (line folding before the first field)`, 'INVALID_HEADER_TOKEN');
        last[1] = `${last[1].replace(/[ \t]+$/, '')} ${line.replace(/^[ \t]+/, '')}`;
        continue;
      }
      const colon = line.indexOf(':');
      if (colon <= 0) throw parserError(`Invalid ${what} line`, 'INVALID_HEADER_TOKEN');
      const name = line.slice(0, colon);
      if (!TOKEN.test(name)) throw parserError(`Invalid ${what} token`, 'INVALID_HEADER_TOKEN');
      fields.push([name, line.slice(colon + 1)]);
    }
    for (const [name, raw] of fields) {
      const value = raw.replace(/^[ \t]+|[ \t]+$/g, '');
      if (!FIELD_VALUE.test(value)) throw parserError(`Invalid ${what} value char`, 'INVALID_HEADER_TOKEN');
      const key = name.toLowerCase();
      const existing = headers[key];
      headers[key] = existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value];
    }
    return headers;
  }

  /** Parses the collected head; sets the body state. Undefined for a 1xx head (skipped). */
  #parseHead(): { status: number; statusText: string; headers: ResponseHeaders } | undefined {
    const lines = this.#takeLines();
    const match = STATUS_LINE.exec(lines[0] ?? '');
    if (!match) throw parserError('Invalid status line', 'INVALID_STATUS');
    const [, , , code, text] = match;
    const status = Number(code);
    if (status < 100) throw parserError('Invalid status code', 'INVALID_STATUS');
    const headers = this.#parseFields(lines.slice(1), 'header');
    if (status === 101) throw parserError('Unexpected 101 Switching Protocols (no upgrade was asked for)', 'INVALID_STATUS');
    // Any other 1xx, an unasked 100 Continue included, is skipped: the answer follows (RFC 9110 §15.2).
    if (status < 200) return undefined;

    const lengths = headers['content-length'];
    const encoding = headers['transfer-encoding'];
    if (Array.isArray(lengths)) throw parserError('Duplicate Content-Length', 'UNEXPECTED_CONTENT_LENGTH');
    if (lengths !== undefined && encoding !== undefined) throw parserError("Content-Length can't be present with Transfer-Encoding", 'UNEXPECTED_CONTENT_LENGTH');
    // A malformed length is refused even where no body follows (204, 304), as llhttp does.
    if (lengths !== undefined && !/^\d+$/.test(lengths)) throw parserError('Invalid Content-Length', 'INVALID_CONTENT_LENGTH');
    if (status === 204 || status === 304) {
      this.#state = State.Done;
    } else if (encoding !== undefined) {
      const codings = transferCodings(encoding);
      // A response whose last coding is not chunked is delimited by the close (RFC 9112 §6.3).
      this.#state = codings.at(-1) === 'chunked' ? State.ChunkSize : State.UntilClose;
      this.#chunkLine = '';
    } else if (lengths !== undefined) {
      // Leading zeros are still a valid number; more than 15 significant digits is no plausible length.
      if (!/^0*\d{1,15}$/.test(lengths)) throw parserError('Content-Length too large', 'INVALID_CONTENT_LENGTH');
      this.#remaining = Number(lengths);
      this.#state = this.#remaining === 0 ? State.Done : State.Body;
    } else {
      this.#state = State.UntilClose;
    }
    return { status, statusText: text ?? '', headers };
  }

  #chunkSize(): void {
    const line = this.#chunkLine;
    this.#chunkLine = '';
    if (!line.endsWith('\r\n')) throw parserError('Missing expected CR after chunk size', 'CR_EXPECTED');
    const match = /^0*([0-9A-Fa-f]{1,13})[ \t]*(?:;[\t\x20-\x7e\x80-\xff]*)?$/.exec(line.slice(0, -2));
    if (!match) throw parserError('Invalid character in chunk size', 'INVALID_CHUNK_SIZE');
    const size = Number.parseInt(match[1] as string, 16);
    if (size === 0) {
      // The trailer block is parsed like a head after a stand-in first line, so "\r\n" alone
      // (no trailers) also ends in CRLFCRLF.
      this.#state = State.Trailers;
      this.#head = [Buffer.from('T\r\n', 'latin1')];
      this.#tail = Buffer.from('T\r\n', 'latin1');
      this.#headBytes = 0;
      return;
    }
    this.#remaining = size;
    this.#state = State.ChunkData;
  }

  #parseTrailers(): ResponseHeaders {
    return this.#parseFields(this.#takeLines().slice(1), 'trailer');
  }
}

/**
 * The transfer codings of a message, lower-case, in order, from every `Transfer-Encoding` field (a list
 * split over several fields is one list, RFC 9110 §5.3).
 */
export function transferCodings(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return [value]
    .flat()
    .join(',')
    .split(',')
    .map((coding) => coding.trim().toLowerCase())
    .filter((coding) => coding !== '');
}
