import { readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deterministicBytes, makeSelfSignedCert, makeTempDir, sha256, startRawHttpServer, type RawHttpServer, type TempDir } from '@camdl/test-utils';
import { download, DownloadAgent, smallRequest } from '../src/index.js';

// Many embedded web servers close the connection right after each answer. Over TLS the close is
// seen at once, while the receiver may still be holding the body back (its engine deciding where the
// bytes go): a complete answer must still be read as complete, whatever frames it.

const crlf = (lines: string[]): string => lines.map((line) => `${line}\r\n`).join('');

type Framing = 'Content-Length' | 'chunked' | 'close';
type Close = 'end' | 'destroy';

function answer(body: Buffer, framing: Framing): Buffer {
  if (framing === 'close') return Buffer.concat([Buffer.from(crlf(['HTTP/1.0 200 OK', ''])), body]);
  if (framing === 'Content-Length') return Buffer.concat([Buffer.from(crlf(['HTTP/1.1 200 OK', `Content-Length: ${body.length}`, ''])), body]);
  return Buffer.concat([
    Buffer.from(crlf(['HTTP/1.1 200 OK', 'Transfer-Encoding: chunked', ''])),
    Buffer.from(`${body.length.toString(16)}\r\n`),
    body,
    Buffer.from('\r\n0\r\n\r\n'),
  ]);
}

function respond(socket: Socket, message: Buffer, close: Close): void {
  if (close === 'end') socket.end(message);
  else socket.write(message, () => socket.destroy());
}

// 65,536: the body fills a response stream's buffer (64 KiB) exactly with its last byte.
const sizes = [10, 1000, 65_536, 200_000];
const framings: Framing[] = ['Content-Length', 'chunked', 'close'];
const closes: Close[] = ['end', 'destroy'];
const cases = sizes.flatMap((size) => framings.flatMap((framing) => closes.map((close) => ({ size, framing, close }))));

describe('https: a server that closes the connection right after a complete answer', () => {
  let dir: TempDir;
  let server: RawHttpServer;
  let dispatcher: DownloadAgent;
  /** Settles once the server's side of the latest connection is closed. */
  let serverClosed: Promise<void> = Promise.resolve();
  beforeAll(async () => {
    dir = await makeTempDir('camdl-tls-close-');
    const { key, cert } = await makeSelfSignedCert(dir.path);
    server = await startRawHttpServer(
      (socket, request) => {
        const [, size, framing, close] = request.target.split('/');
        // 'finish': the last byte and the close are handed to the kernel (a paused client never
        // closes its side, so the socket's own 'close' would wait for the test).
        serverClosed = new Promise((resolve) => socket.once(close === 'end' ? 'finish' : 'close', () => resolve()));
        respond(socket, answer(deterministicBytes(Number(size), 3), framing as Framing), close as Close);
      },
      { tls: { key, cert } },
    );
    dispatcher = new DownloadAgent({ connect: { ca: cert } });
  });
  afterAll(async () => {
    await dispatcher.close();
    await server.close();
    await dir.cleanup();
  });

  it.each(cases)('download() reads $size bytes framed by $framing, closed by $close', async ({ size, framing, close }) => {
    const dest = `${dir.path}/${size}-${framing}-${close}.bin`;
    const result = await download(server.url(`/${size}/${framing}/${close}`), dest, { dispatcher, maxRetries: 0, timeout: 5000 });
    expect(result).toMatchObject({ status: 'downloaded', size, attempts: 1 });
    expect(sha256(readFileSync(dest))).toBe(sha256(deterministicBytes(size, 3)));
  });

  it.each(cases)('smallRequest() reads $size bytes framed by $framing, closed by $close', async ({ size, framing, close }) => {
    const response = await smallRequest(server.url(`/${size}/${framing}/${close}`), { dispatcher, headersTimeout: 5000, bodyTimeout: 5000 });
    const chunks: Buffer[] = [];
    // Nothing read until the server is gone: the body backs up (the stream pauses the connection).
    await serverClosed;
    for await (const chunk of response.body) chunks.push(chunk as Buffer);
    expect(response.statusCode).toBe(200);
    expect(sha256(Buffer.concat(chunks))).toBe(sha256(deterministicBytes(size, 3)));
  });
});
