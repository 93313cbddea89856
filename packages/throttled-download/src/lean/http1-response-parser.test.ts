import { describe, expect, it } from 'vitest';
import { Http1ResponseParser, MAX_HEAD_BYTES, type ResponseHeaders } from './http1-response-parser.js';

interface Parsed {
  heads: { status: number; text: string; headers: ResponseHeaders }[];
  body: Buffer;
  trailers: ResponseHeaders | undefined;
  ended: boolean;
}

/** Feeds `message` in pieces of `size` bytes (all of it, or up to the end of the response). */
function parse(message: string | Buffer, size = Number.POSITIVE_INFINITY, eof = false): Parsed {
  const bytes = Buffer.isBuffer(message) ? message : Buffer.from(message, 'latin1');
  const out: Parsed = { heads: [], body: Buffer.alloc(0), trailers: undefined, ended: false };
  const parts: Buffer[] = [];
  const parser = new Http1ResponseParser({
    onHead: (status, text, headers) => {
      out.heads.push({ status, text, headers });
    },
    onBody: (buffer, start, end) => {
      parts.push(Buffer.from(buffer.subarray(start, end)));
    },
    onEnd: (trailers) => {
      out.ended = true;
      out.trailers = trailers;
    },
  });
  const step = Math.min(size, bytes.length || 1);
  for (let at = 0; at < bytes.length && !parser.done; at += step) {
    // Each piece in a fresh buffer that is overwritten afterwards: the parser keeps no reference.
    const piece = Buffer.from(bytes.subarray(at, at + step));
    parser.execute(piece, 0, piece.length);
    piece.fill(0x58);
  }
  if (eof) parser.finish();
  out.body = Buffer.concat(parts);
  return out;
}

const splits = [1, 2, 3, 5, 7, 64, Number.POSITIVE_INFINITY];

describe('Http1ResponseParser', () => {
  it.each(splits)('Content-Length body, split every %s bytes', (size) => {
    const result = parse('HTTP/1.1 200 OK\r\nContent-Length: 11\r\nETag: "x"\r\nSet-Cookie: a\r\nSet-Cookie: b\r\n\r\nhello world', size);
    expect(result.heads).toEqual([{ status: 200, text: 'OK', headers: { 'content-length': '11', etag: '"x"', 'set-cookie': ['a', 'b'] } }]);
    expect(result.body.toString()).toBe('hello world');
    expect(result.ended).toBe(true);
  });

  it.each(splits)('chunked body with extensions and trailers, split every %s bytes', (size) => {
    const result = parse('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;x=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Sum: 42\r\n\r\n', size);
    expect(result.body.toString()).toBe('hello world');
    expect(result.trailers).toEqual({ 'x-sum': '42' });
  });

  it.each(splits)('1xx heads are skipped, split every %s bytes', (size) => {
    const result = parse('HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 206 Partial Content\r\nContent-Length: 2\r\n\r\nok', size);
    expect(result.heads.map((head) => head.status)).toEqual([206]);
    expect(result.body.toString()).toBe('ok');
  });

  it.each(splits)('an unasked 100 Continue is skipped like any 1xx (RFC 9110 §15.2), split every %s bytes', (size) => {
    const result = parse('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 100 Continue\r\nX: y\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok', size);
    expect(result.heads.map((head) => head.status)).toEqual([200]);
    expect(result.body.toString()).toBe('ok');
  });

  it.each(splits)('leading zeros in Content-Length and chunk sizes are valid numbers, split every %s bytes', (size) => {
    const length = parse('HTTP/1.1 200 OK\r\nContent-Length: 0000000000000010\r\n\r\n0123456789', size);
    expect(length.body.toString()).toBe('0123456789');
    expect(length.ended).toBe(true);
    const chunked = parse('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n00000000000000a\r\n0123456789\r\n00000\r\n\r\n', size);
    expect(chunked.body.toString()).toBe('0123456789');
    expect(chunked.ended).toBe(true);
  });

  it.each(splits)('an obs-fold in a header or trailer is read as one space (RFC 9112 §5.2), split every %s bytes', (size) => {
    const result = parse('HTTP/1.1 200 OK\r\nX-Long: a \r\n  b\r\n\tc\r\nTransfer-Encoding:\r\n chunked\r\n\r\n2\r\nok\r\n0\r\nX-Sum: 4\r\n 2\r\n\r\n', size);
    expect(result.heads[0]?.headers).toEqual({ 'x-long': 'a b c', 'transfer-encoding': 'chunked' });
    expect(result.body.toString()).toBe('ok');
    expect(result.trailers).toEqual({ 'x-sum': '4 2' });
  });

  it('reads every Transfer-Encoding field as one list: the last coding decides the framing', () => {
    const chunked = parse('HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n');
    expect(chunked.body.toString()).toBe('ok');
    expect(chunked.ended).toBe(true);
    const untilClose = parse('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n\r\n2\r\nok', Number.POSITIVE_INFINITY, true);
    expect(untilClose.body.toString()).toBe('2\r\nok');
  });

  it('a close-delimited body ends at EOF; a body cut short is an error', () => {
    const open = parse('HTTP/1.0 200 OK\r\n\r\nall of it', 4, true);
    expect(open.body.toString()).toBe('all of it');
    expect(open.ended).toBe(true);
    expect(() => parse('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort', 4, true)).toThrow(expect.objectContaining({ code: 'UND_ERR_SOCKET' }));
    expect(() => parse('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel', 4, true)).toThrow(expect.objectContaining({ code: 'UND_ERR_SOCKET' }));
    expect(() => parse('HTTP/1.1 200 O', 4, true)).toThrow(expect.objectContaining({ code: 'UND_ERR_SOCKET' }));
  });

  it('no body for Content-Length: 0, 204 and 304; bytes after the response are not taken', () => {
    for (const head of ['HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n', 'HTTP/1.1 204 No Content\r\n\r\n', 'HTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\n\r\n']) {
      const result = parse(`${head}HTTP/1.1 200 OK\r\n`);
      expect(result.ended).toBe(true);
      expect(result.body.length).toBe(0);
      expect(result.heads).toHaveLength(1);
    }
  });

  it.each([
    ['HTTP/1.1 2x0 OK\r\n\r\n', 'HPE_INVALID_STATUS'],
    ['ICY 200 OK\r\n\r\n', 'HPE_INVALID_STATUS'],
    ['HTTP/1.1 200 OK\nContent-Length: 1\n\nx', 'HPE_CR_EXPECTED'],
    ['HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n', 'HPE_INVALID_HEADER_TOKEN'],
    ['HTTP/1.1 200 OK\r\n folded\r\nX: a\r\n\r\n', 'HPE_INVALID_HEADER_TOKEN'],
    ['HTTP/1.1 200 OK\r\nX: a\r\n b\x01\r\n\r\n', 'HPE_INVALID_HEADER_TOKEN'],
    ['HTTP/1.1 200 OK\r\nContent-Length: 1234567890123456\r\n\r\n', 'HPE_INVALID_CONTENT_LENGTH'],
    ['HTTP/1.1 304 Not Modified\r\nContent-Length: abc\r\n\r\n', 'HPE_INVALID_CONTENT_LENGTH'],
    ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0fffffffffffffff\r\n', 'HPE_INVALID_CHUNK_SIZE'],
    ['HTTP/1.1 200 OK\r\nX: a\0b\r\n\r\n', 'HPE_INVALID_HEADER_TOKEN'],
    ['HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n', 'HPE_INVALID_CONTENT_LENGTH'],
    ['HTTP/1.1 200 OK\r\nContent-Length: 1, 1\r\n\r\n', 'HPE_INVALID_CONTENT_LENGTH'],
    ['HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\n', 'HPE_UNEXPECTED_CONTENT_LENGTH'],
    ['HTTP/1.1 200 OK\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n', 'HPE_UNEXPECTED_CONTENT_LENGTH'],
    ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffff\r\n', 'HPE_INVALID_CHUNK_SIZE'],
    ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n-1\r\n', 'HPE_INVALID_CHUNK_SIZE'],
    ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nab\r\n', 'HPE_STRICT'],
    ['HTTP/1.1 101 Switching Protocols\r\n\r\n', 'HPE_INVALID_STATUS'],
  ])('refuses %j (%s), whatever the split', (message, code) => {
    for (const size of splits) expect(() => parse(message, size), `split ${size}`).toThrow(expect.objectContaining({ code }));
  });

  it('refuses a head or trailer block over the limit (HeadersOverflowError)', () => {
    const filler = `X-Filler: ${'x'.repeat(MAX_HEAD_BYTES)}\r\n`;
    expect(() => parse(`HTTP/1.1 200 OK\r\n${filler}\r\n`, 1000)).toThrow(expect.objectContaining({ code: 'UND_ERR_HEADERS_OVERFLOW' }));
    expect(() => parse(`HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n${filler}\r\n`, 1000)).toThrow(expect.objectContaining({ code: 'UND_ERR_HEADERS_OVERFLOW' }));
    // A head that never ends is refused once it passes the limit, not buffered forever.
    expect(() => parse(`HTTP/1.1 200 OK\r\n${'X-A: b\r\n'.repeat(MAX_HEAD_BYTES / 4)}`, 512)).toThrow(expect.objectContaining({ code: 'UND_ERR_HEADERS_OVERFLOW' }));
  });

  it('stops where a callback asks, and continues from there', () => {
    const chunks: string[] = [];
    const parser = new Http1ResponseParser({
      onHead: () => false,
      onBody: (buffer, start, end) => {
        chunks.push(buffer.toString('latin1', start, end));
        return false;
      },
      onEnd: () => chunks.push('<end>'),
    });
    const message = Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n');
    let at = parser.execute(message, 0, message.length);
    expect(chunks).toEqual([]);
    while (!parser.done) at = parser.execute(message, at, message.length);
    expect(chunks).toEqual(['abc', 'de', '<end>']);
  });
});
