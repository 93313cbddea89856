import { closeAfterEach, startRawHttpServer } from '@camdl/test-utils';
import { describe, expect, it } from 'vitest';
import { DownloadAgent, readText, smallRequest } from '../src/index.js';

const track = closeAfterEach();

/** A chunked answer of `chunks` chunks of `size` bytes, all written at once. */
function chunkedAnswer(chunks: number, size: number): string {
  const chunk = `${size.toString(16)}\r\n${'x'.repeat(size)}\r\n`;
  return `HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ntransfer-encoding: chunked\r\n\r\n${chunk.repeat(chunks)}0\r\n\r\n`;
}

describe('smallRequest + readText through DownloadAgent', () => {
  it('a chunked body past maxResponseSize rejects readText with the size error, nothing uncaught', async () => {
    const server = track(await startRawHttpServer((socket) => void socket.end(chunkedAnswer(8, 1000))));
    const agent = track(new DownloadAgent({ maxResponseSize: 2500 }));
    const uncaught: unknown[] = [];
    const onUncaught = (error: unknown): void => void uncaught.push(error);
    process.on('uncaughtException', onUncaught);
    try {
      const response = await smallRequest(server.url('/list'), { dispatcher: agent });
      expect(response.statusCode).toBe(200);
      // The caller reads the body a moment after the head, as a client checking the status first does.
      await new Promise((resolve) => setTimeout(resolve, 20));
      await expect(readText(response.body, 1_000_000, () => new Error('too large'))).rejects.toMatchObject({ code: 'UND_ERR_RES_EXCEEDED_MAX_SIZE' });
      await new Promise((resolve) => setTimeout(resolve, 20));
    } finally {
      process.off('uncaughtException', onUncaught);
    }
    expect(uncaught).toEqual([]);
  });

  it('a chunked body within the limits is read whole', async () => {
    const server = track(await startRawHttpServer((socket) => void socket.end(chunkedAnswer(3, 1000))));
    const agent = track(new DownloadAgent({ maxResponseSize: 5000 }));
    const response = await smallRequest(server.url('/list'), { dispatcher: agent });
    expect(await readText(response.body, 1_000_000, () => new Error('too large'))).toBe('x'.repeat(3000));
  });

  it('a deadline ends a body that stalls, and a head that never comes', async () => {
    const stalling = track(await startRawHttpServer((socket) => void socket.write('HTTP/1.1 200 OK\r\ncontent-length: 1000\r\n\r\npart of it')));
    const silent = track(await startRawHttpServer(() => {}));
    const agent = track(new DownloadAgent());
    const response = await smallRequest(stalling.url('/list'), { dispatcher: agent, deadline: 100 });
    await expect(readText(response.body, 1_000_000, () => new Error('too large'))).rejects.toMatchObject({ code: 'UND_ERR_BODY_TIMEOUT' });
    await expect(smallRequest(silent.url('/list'), { dispatcher: agent, deadline: 100 })).rejects.toMatchObject({ code: 'UND_ERR_HEADERS_TIMEOUT' });
  });

  it('maxBodyBytes fails a body past it, and lets one at it through', async () => {
    const body = 'y'.repeat(5000);
    const server = track(await startRawHttpServer((socket) => void socket.end(`HTTP/1.1 200 OK\r\ncontent-length: ${body.length}\r\n\r\n${body}`)));
    const agent = track(new DownloadAgent());
    const over = await smallRequest(server.url('/a'), { dispatcher: agent, maxBodyBytes: 4999 });
    await expect(readText(over.body, 1_000_000, () => new Error('too large'))).rejects.toMatchObject({ code: 'UND_ERR_RES_EXCEEDED_MAX_SIZE' });
    const at = await smallRequest(server.url('/b'), { dispatcher: agent, maxBodyBytes: 5000 });
    expect(await readText(at.body, 1_000_000, () => new Error('too large'))).toBe(body);
  });
});

describe('smallRequest: one connection per request', () => {
  it('sends connection: close, closes its socket after the answer, and never reads a stray answer as the next', async () => {
    const sockets = new Set<unknown>();
    const closed: Promise<void>[] = [];
    let answered = 0;
    // Each answer is followed by a second, unasked-for answer on the same socket, which stays open.
    const server = track(
      await startRawHttpServer((socket) => {
        sockets.add(socket);
        closed.push(new Promise((resolve) => socket.once('close', () => resolve())));
        answered += 1;
        const body = `answer-${answered}`;
        socket.write(`HTTP/1.1 200 OK\r\ncontent-length: ${body.length}\r\n\r\n${body}HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nstray`);
        return new Promise<void>((resolve) => socket.once('close', () => resolve()));
      }),
    );
    const agent = track(new DownloadAgent({ connections: 1 }));
    const texts: string[] = [];
    for (const path of ['/first', '/second']) {
      const response = await smallRequest(server.url(path), { dispatcher: agent, deadline: 5000 });
      texts.push(await readText(response.body, 1000, () => new Error('too large')));
    }
    expect(texts).toEqual(['answer-1', 'answer-2']);
    expect(sockets.size).toBe(2);
    expect(server.requests.map((request) => /\r\nconnection: close\r\n/i.test(request.head))).toEqual([true, true]);
    // The server never ends its side: the client closed both sockets.
    await Promise.all(closed);
  });
});
