import { existsSync, readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deterministicBytes, makeTempDir, sha256, startRawHttpServer, type RawHttpServer, type TempDir } from '@camdl/test-utils';
import { download, DownloadAgent, isDownloadError, type DownloadOptions } from '../src/index.js';

// Every hostile or unusual answer goes through both readers: the lean HTTP/1.1 reader of
// DownloadAgent (the default) and undici's (lean: false). Both must end the same way: the same file,
// or the same error code, retryability and nothing left under the final name.

const body = deterministicBytes(300_000, 5);
const crlf = (lines: string[]): string => lines.map((line) => `${line}\r\n`).join('');
const head = (status: string, headers: string[]): string => crlf([status, ...headers, '']);

/** Writes `data` in pieces of `size` bytes, one per tick (heads and chunk lines split anywhere). */
async function dribble(socket: Socket, data: Buffer | string, size: number): Promise<void> {
  const bytes = Buffer.isBuffer(data) ? data : Buffer.from(data, 'latin1');
  for (let at = 0; at < bytes.length; at += size) {
    socket.write(bytes.subarray(at, at + size));
    await new Promise((resolve) => setImmediate(resolve));
  }
}

function chunked(data: Buffer, size: number, extension = ''): Buffer {
  const parts: Buffer[] = [];
  for (let at = 0; at < data.length; at += size) {
    const piece = data.subarray(at, at + size);
    parts.push(Buffer.from(`${piece.length.toString(16)}${extension}\r\n`), piece, Buffer.from('\r\n'));
  }
  return Buffer.concat(parts);
}

type Case = { name: string; respond: (socket: Socket) => void | Promise<void> };

const succeeding: (Case & { verified: boolean; leanOnly?: boolean })[] = [
  {
    name: 'Content-Length, the server keeping the connection open',
    verified: true,
    respond: (socket) => {
      socket.write(head('HTTP/1.1 200 OK', [`Content-Length: ${body.length}`, 'ETag: "a"']));
      socket.write(body);
    },
  },
  {
    name: 'chunked with chunk extensions and trailers, split into 7-byte writes',
    verified: false,
    respond: async (socket) => {
      const message = Buffer.concat([
        Buffer.from(head('HTTP/1.1 200 OK', ['Transfer-Encoding: chunked'])),
        chunked(body.subarray(0, 20_000), 4096, ';name=value'),
        chunked(body.subarray(20_000), 65_536),
        Buffer.from('0\r\nX-Checksum: abc\r\n\r\n'),
      ]);
      await dribble(socket, message.subarray(0, 500), 7);
      await dribble(socket, message.subarray(500, 30_000), 4099);
      socket.end(message.subarray(30_000));
    },
  },
  {
    name: 'chunked with trailers, in one write',
    verified: false,
    respond: (socket) => {
      socket.end(
        Buffer.concat([
          Buffer.from(head('HTTP/1.1 200 OK', ['Transfer-Encoding: chunked', 'Trailer: X-Checksum'])),
          chunked(body, 65_536),
          Buffer.from('0\r\nX-Checksum: abc\r\n\r\n'),
        ]),
      );
    },
  },
  {
    name: 'close-delimited (no length, HTTP/1.0)',
    verified: false,
    respond: (socket) => {
      socket.write(head('HTTP/1.0 200 OK', ['Content-Type: video/mp4']));
      socket.end(body);
    },
  },
  {
    name: '102 Processing and 103 Early Hints before the answer',
    verified: true,
    respond: (socket) => {
      socket.write(head('HTTP/1.1 102 Processing', []));
      socket.write(head('HTTP/1.1 103 Early Hints', ['Link: </style.css>; rel=preload']));
      socket.end(Buffer.concat([Buffer.from(head('HTTP/1.1 200 OK', [`Content-Length: ${body.length}`])), body]));
    },
  },
  {
    name: 'leading zeros in Content-Length',
    verified: true,
    respond: (socket) => {
      socket.end(Buffer.concat([Buffer.from(head('HTTP/1.1 200 OK', [`Content-Length: ${String(body.length).padStart(16, '0')}`])), body]));
    },
  },
  {
    name: 'leading zeros in chunk sizes (15 digits)',
    verified: false,
    respond: (socket) => {
      const sized = chunked(body, 65_536)
        .toString('latin1')
        .replace(/(^|\r\n)([0-9a-f]+)\r\n/g, (_match, before: string, size: string) => `${before}${size.padStart(15, '0')}\r\n`);
      socket.end(Buffer.concat([Buffer.from(head('HTTP/1.1 200 OK', ['Transfer-Encoding: chunked'])), Buffer.from(sized, 'latin1'), Buffer.from('000000000000000\r\n\r\n')]));
    },
  },
  {
    name: 'a 206 whose Content-Range covers the whole file, to a request without Range',
    verified: true,
    respond: (socket) => {
      socket.write(head('HTTP/1.1 206 Partial Content', [`Content-Range: bytes 0-${body.length - 1}/${body.length}`, `Content-Length: ${body.length}`]));
      socket.end(body);
    },
  },
  // undici refuses the next two (llhttp: "bad response", "Unexpected whitespace after header value");
  // RFC 9110 §15.2 and RFC 9112 §5.2 ask a client to read them.
  {
    name: 'a 100 Continue nobody asked for (skipped like any 1xx)',
    verified: true,
    leanOnly: true,
    respond: (socket) => {
      socket.end(Buffer.concat([Buffer.from(`HTTP/1.1 100 Continue\r\n\r\n${head('HTTP/1.1 200 OK', [`Content-Length: ${body.length}`])}`), body]));
    },
  },
  {
    name: 'obsolete line folding (read as a space)',
    verified: true,
    leanOnly: true,
    respond: (socket) => {
      socket.end(Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nX-A: a\r\n b\r\nContent-Length:\r\n ${body.length}\r\n\r\n`), body]));
    },
  },
  {
    name: 'a status line without a reason phrase, headers without spaces',
    verified: true,
    respond: (socket) => {
      socket.end(Buffer.concat([Buffer.from(`HTTP/1.1 200\r\ncontent-length:${body.length}\r\n\r\n`), body]));
    },
  },
];

const failing: (Case & { code: string; retryable: boolean })[] = [
  {
    name: 'a body cut short of its Content-Length',
    code: 'ERR_DOWNLOAD_NETWORK',
    retryable: true,
    respond: (socket) => {
      socket.write(head('HTTP/1.1 200 OK', [`Content-Length: ${body.length}`]));
      socket.end(body.subarray(0, 100_000));
    },
  },
  {
    name: 'a chunked body cut short inside a chunk',
    code: 'ERR_DOWNLOAD_NETWORK',
    retryable: true,
    respond: (socket) => {
      socket.write(head('HTTP/1.1 200 OK', ['Transfer-Encoding: chunked']));
      socket.end(chunked(body, 65_536).subarray(0, 100_000));
    },
  },
  {
    name: 'a chunked body without its last chunk',
    code: 'ERR_DOWNLOAD_NETWORK',
    retryable: true,
    respond: (socket) => {
      socket.write(head('HTTP/1.1 200 OK', ['Transfer-Encoding: chunked']));
      socket.end(chunked(body, 65_536));
    },
  },
  {
    name: 'a malformed status line',
    code: 'ERR_DOWNLOAD_NETWORK',
    retryable: true,
    respond: (socket) => {
      socket.end(`HTTP/1.1 2x0 OK\r\nContent-Length: 3\r\n\r\nabc`);
    },
  },
  {
    name: 'bare LF line ends, the server keeping the connection open',
    code: 'ERR_DOWNLOAD_NETWORK',
    retryable: true,
    respond: (socket) => {
      socket.write(`HTTP/1.1 200 OK\nContent-Length: 3\n\nabc`);
    },
  },
  {
    name: 'a 206 "bytes 0-4/*" to a request without Range (a part, not the file)',
    code: 'ERR_DOWNLOAD_BAD_RESPONSE',
    retryable: false,
    respond: (socket) => {
      socket.end(`HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 0-4/*\r\nContent-Length: 5\r\n\r\nabcde`);
    },
  },
  {
    name: 'a 206 "bytes 0-4/10" to a request without Range',
    code: 'ERR_DOWNLOAD_BAD_RESPONSE',
    retryable: false,
    respond: (socket) => {
      socket.end(`HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 0-4/10\r\nContent-Length: 5\r\n\r\nabcde`);
    },
  },
  {
    name: 'Transfer-Encoding: gzip, chunked (compressed bytes, not the file)',
    code: 'ERR_DOWNLOAD_BAD_RESPONSE',
    retryable: false,
    respond: (socket) => {
      socket.end(`HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n`);
    },
  },
  {
    name: 'Transfer-Encoding: gzip alone (compressed bytes up to the close)',
    code: 'ERR_DOWNLOAD_BAD_RESPONSE',
    retryable: false,
    respond: (socket) => {
      socket.end(`HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nabc`);
    },
  },
  {
    name: 'two Transfer-Encoding fields, gzip then chunked (read as one list)',
    code: 'ERR_DOWNLOAD_BAD_RESPONSE',
    retryable: false,
    respond: (socket) => {
      socket.end(`HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n`);
    },
  },
  {
    name: 'two Transfer-Encoding fields, chunked then gzip',
    code: 'ERR_DOWNLOAD_BAD_RESPONSE',
    retryable: false,
    respond: (socket) => {
      socket.end(`HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n\r\nabc`);
    },
  },
  {
    name: 'two Content-Length headers',
    code: 'ERR_DOWNLOAD_NETWORK',
    retryable: true,
    respond: (socket) => {
      socket.end(`HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc`);
    },
  },
  {
    name: 'not HTTP at all',
    code: 'ERR_DOWNLOAD_NETWORK',
    retryable: true,
    respond: (socket) => {
      socket.end('SSH-2.0-OpenSSH_9.2\r\n\r\n');
    },
  },
  {
    name: 'a header line without a colon',
    code: 'ERR_DOWNLOAD_NETWORK',
    retryable: true,
    respond: (socket) => {
      socket.end(`HTTP/1.1 200 OK\r\nContent-Length 3\r\n\r\nabc`);
    },
  },
  {
    name: 'a control character in a header value',
    code: 'ERR_DOWNLOAD_NETWORK',
    retryable: true,
    respond: (socket) => {
      socket.end(`HTTP/1.1 200 OK\r\nX-A: a\x01b\r\nContent-Length: 3\r\n\r\nabc`);
    },
  },
  {
    name: 'an invalid chunk size',
    code: 'ERR_DOWNLOAD_NETWORK',
    retryable: true,
    respond: (socket) => {
      socket.end(`HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n`);
    },
  },
  {
    name: 'both Content-Length and Transfer-Encoding (a smuggling shape)',
    code: 'ERR_DOWNLOAD_NETWORK',
    retryable: true,
    respond: (socket) => {
      socket.end(`HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n`);
    },
  },
  {
    name: 'headers larger than 16 KiB',
    code: 'ERR_DOWNLOAD_NETWORK',
    retryable: false,
    respond: (socket) => {
      socket.end(`HTTP/1.1 200 OK\r\n${Array.from({ length: 400 }, (_, i) => `X-Filler-${i}: ${'x'.repeat(60)}\r\n`).join('')}Content-Length: 3\r\n\r\nabc`);
    },
  },
  {
    name: 'a connection closed before any answer',
    code: 'ERR_DOWNLOAD_NETWORK',
    retryable: true,
    respond: (socket) => {
      socket.end();
    },
  },
  {
    name: 'a connection reset mid-body',
    code: 'ERR_DOWNLOAD_NETWORK',
    retryable: true,
    respond: async (socket) => {
      socket.write(head('HTTP/1.1 200 OK', [`Content-Length: ${body.length}`]));
      socket.write(body.subarray(0, 50_000));
      await new Promise((resolve) => setTimeout(resolve, 50));
      socket.resetAndDestroy();
    },
  },
  {
    name: 'a head that never ends (headers timeout)',
    code: 'ERR_DOWNLOAD_TIMEOUT',
    retryable: true,
    respond: (socket) => {
      socket.write('HTTP/1.1 200 OK\r\nContent-Length: 3\r\n');
    },
  },
  {
    name: 'a body that stalls (body timeout)',
    code: 'ERR_DOWNLOAD_TIMEOUT',
    retryable: true,
    respond: (socket) => {
      socket.write(head('HTTP/1.1 200 OK', [`Content-Length: ${body.length}`]));
      socket.write(body.subarray(0, 1000));
    },
  },
];

const all: Case[] = [...succeeding, ...failing];

const readers: [string, () => DownloadAgent | undefined, boolean][] = [
  ['the lean reader (default)', () => undefined, true],
  ['undici (lean: false)', () => new DownloadAgent({ lean: false }), false],
];

describe.each(readers)('download() through %s', (_label, makeDispatcher, lean) => {
  let server: RawHttpServer;
  let dir: TempDir;
  let dispatcher: DownloadAgent | undefined;
  beforeAll(async () => {
    server = await startRawHttpServer((socket, request) => all.find((c) => request.target === `/${all.indexOf(c)}`)?.respond(socket));
    dir = await makeTempDir('camdl-lean-');
    dispatcher = makeDispatcher();
  });
  afterAll(async () => {
    await dispatcher?.close();
    await server.close();
    await dir.cleanup();
  });
  const options = (): DownloadOptions => ({ maxRetries: 0, timeout: 600, resume: false, ...(dispatcher ? { dispatcher } : {}) });

  // undici refuses the RFC leniencies only the lean reader implements (an unasked 100, obs-fold).
  for (const c of succeeding.filter((each) => lean || each.leanOnly !== true)) {
    it(`completes: ${c.name}`, async () => {
      const dest = `${dir.path}/ok-${all.indexOf(c)}.bin`;
      const result = await download(server.url(`/${all.indexOf(c)}`), dest, { ...options(), timeout: 5000 });
      expect(result).toMatchObject({ status: 'downloaded', size: body.length, verified: c.verified });
      expect(sha256(readFileSync(dest))).toBe(sha256(body));
    });
  }

  for (const c of failing) {
    it(`fails with ${c.code} (retryable: ${c.retryable}), leaving no file: ${c.name}`, async () => {
      const dest = `${dir.path}/bad-${all.indexOf(c)}.bin`;
      const error = await download(server.url(`/${all.indexOf(c)}`), dest, options()).catch((e: unknown) => e);
      expect(isDownloadError(error), String(error)).toBe(true);
      expect(error).toMatchObject({ code: c.code, retryable: c.retryable });
      expect(existsSync(dest)).toBe(false);
    });
  }

  it('an empty file (Content-Length: 0), the server keeping the connection open', async () => {
    const empty = await startRawHttpServer((socket) => {
      socket.write(head('HTTP/1.1 200 OK', ['Content-Length: 0', 'ETag: "e"']));
    });
    try {
      const dest = `${dir.path}/empty.bin`;
      const result = await download(empty.url('/e'), dest, options());
      expect(result).toMatchObject({ status: 'downloaded', size: 0, verified: true });
      expect(readFileSync(dest).length).toBe(0);
    } finally {
      await empty.close();
    }
  });

  it('an abort mid-body rejects with ERR_DOWNLOAD_ABORTED at once, keeping no final file', async () => {
    const slow = await startRawHttpServer(async (socket) => {
      socket.write(head('HTTP/1.1 200 OK', [`Content-Length: ${body.length}`, 'ETag: "s"']));
      socket.write(body.subarray(0, 10_000));
    });
    try {
      const controller = new AbortController();
      const dest = `${dir.path}/aborted.bin`;
      const pending = download(slow.url('/x'), dest, {
        ...options(),
        timeout: 10_000,
        resume: true,
        signal: controller.signal,
        onProgress: () => controller.abort(new Error('stop')),
        progressInterval: 0,
      });
      await expect(pending).rejects.toMatchObject({ code: 'ERR_DOWNLOAD_ABORTED' });
      expect(existsSync(dest)).toBe(false);
    } finally {
      await slow.close();
    }
  });
});
