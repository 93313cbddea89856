import type { Socket } from 'node:net';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRawHttpServer, type RawHttpServer } from '@camdl/test-utils';
import { digestInterceptor } from '@camdl/http-digest';

// The body of a 401 the interceptor answers itself is read and dropped, but only so much and so long:
// a camera whose 401 page never ends (or trickles) gets its retry with credentials at once, on a new
// connection, instead of being drained forever. The hostile 401s end after GIVE_UP_MS, so an
// interceptor without the bound completes late (and the test fails) instead of hanging.

const TIMEOUT_MS = 300;
const GIVE_UP_MS = 2000;
const challenge = 'WWW-Authenticate: Digest realm="cam", nonce="n0", qop="auth", algorithm=MD5';
const tick = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A chunked 401 page of 16 KiB chunks, written as fast as the client takes them, for GIVE_UP_MS. */
async function endlessPage(socket: Socket): Promise<void> {
  socket.write(`HTTP/1.1 401 Unauthorized\r\n${challenge}\r\nTransfer-Encoding: chunked\r\n\r\n`);
  const chunk = Buffer.concat([Buffer.from('4000\r\n'), Buffer.alloc(0x4000, 0x78), Buffer.from('\r\n')]);
  const until = Date.now() + GIVE_UP_MS;
  while (Date.now() < until && !socket.destroyed) {
    if (!socket.write(chunk)) await Promise.race([new Promise((resolve) => socket.once('drain', resolve)), tick(50)]);
  }
  socket.write('0\r\n\r\n');
}

/** A 401 page of 1,000 bytes at a byte per 25 ms; the rest after GIVE_UP_MS. */
async function trickledPage(socket: Socket): Promise<void> {
  const page = Buffer.alloc(1000, 0x78);
  socket.write(`HTTP/1.1 401 Unauthorized\r\n${challenge}\r\nContent-Length: ${page.length}\r\n\r\n`);
  const until = Date.now() + GIVE_UP_MS;
  let at = 0;
  for (; at < page.length && Date.now() < until && !socket.destroyed; at += 1) {
    socket.write(page.subarray(at, at + 1));
    await tick(25);
  }
  socket.write(page.subarray(at));
}

describe('the body of an answered 401 is drained with a size cap and a deadline', () => {
  let server: RawHttpServer;
  let dispatcher: ReturnType<Agent['compose']>;
  beforeAll(async () => {
    server = await startRawHttpServer((socket, received) => {
      if (/^authorization: Digest /im.test(received.head)) {
        socket.end('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello');
        return;
      }
      return received.target === '/endless' ? endlessPage(socket) : trickledPage(socket);
    });
    dispatcher = new Agent().compose(digestInterceptor({ username: 'admin', password: 'secret', preemptive: false }));
  });
  afterAll(async () => {
    await dispatcher.destroy();
    await server.close();
  });

  it.each(['/endless', '/trickled'])('%s: the retry with credentials goes out at once and is answered', async (path) => {
    const started = performance.now();
    const response = await request(server.url(path), { dispatcher, headersTimeout: TIMEOUT_MS, bodyTimeout: TIMEOUT_MS });
    expect(response.statusCode).toBe(200);
    expect(await response.body.text()).toBe('hello');
    expect(performance.now() - started).toBeLessThan(TIMEOUT_MS + 700);
  });
});
