import { readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digestInterceptor } from '@camdl/http-digest';
import { download, DownloadAgent } from '@camdl/throttled-download';
import { makeTempDir, startRawHttpServer, type RawHttpServer, type TempDir } from '@camdl/test-utils';

// The composition the client uses (the lean reader behind the digest interceptor): a camera whose 401
// page never ends (or trickles) costs its connection once the drain's cap or deadline is reached, and
// the download goes on with credentials. The hostile 401s end after GIVE_UP_MS, so a drain without a
// bound completes late (and the test fails) instead of hanging.

const TIMEOUT_MS = 300;
const GIVE_UP_MS = 2000;
const challenge = 'WWW-Authenticate: Digest realm="cam", nonce="n0", qop="auth", algorithm=MD5';
const tick = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function endlessPage(socket: Socket): Promise<void> {
  socket.write(`HTTP/1.1 401 Unauthorized\r\n${challenge}\r\nTransfer-Encoding: chunked\r\n\r\n`);
  const chunk = Buffer.concat([Buffer.from('4000\r\n'), Buffer.alloc(0x4000, 0x78), Buffer.from('\r\n')]);
  const until = Date.now() + GIVE_UP_MS;
  while (Date.now() < until && !socket.destroyed) {
    if (!socket.write(chunk)) await Promise.race([new Promise((resolve) => socket.once('drain', resolve)), tick(50)]);
  }
  socket.end('0\r\n\r\n');
}

async function trickledPage(socket: Socket): Promise<void> {
  const page = Buffer.alloc(1000, 0x78);
  socket.write(`HTTP/1.1 401 Unauthorized\r\n${challenge}\r\nContent-Length: ${page.length}\r\n\r\n`);
  const until = Date.now() + GIVE_UP_MS;
  let at = 0;
  for (; at < page.length && Date.now() < until && !socket.destroyed; at += 1) {
    socket.write(page.subarray(at, at + 1));
    await tick(25);
  }
  socket.end(page.subarray(at));
}

describe('DownloadAgent (lean reader) behind the digest interceptor: an endless 401 page', () => {
  let server: RawHttpServer;
  let dir: TempDir;
  let dispatcher: ReturnType<DownloadAgent['compose']>;
  beforeAll(async () => {
    server = await startRawHttpServer((socket, received) => {
      if (/^authorization: Digest /im.test(received.head)) {
        socket.end('HTTP/1.1 200 OK\r\nContent-Type: video/mp4\r\nContent-Length: 5\r\n\r\nhello');
        return;
      }
      return received.target === '/endless' ? endlessPage(socket) : trickledPage(socket);
    });
    dir = await makeTempDir('camdl-drain-');
    dispatcher = new DownloadAgent().compose(digestInterceptor({ username: 'root', password: 'pw', preemptive: false }));
  });
  afterAll(async () => {
    await dispatcher.close();
    await server.close();
    await dir.cleanup();
  });

  it.each(['/endless', '/trickled'])('%s: the download goes on with credentials at once', async (path) => {
    const started = performance.now();
    const dest = `${dir.path}${path}.mp4`;
    const result = await download(server.url(path), dest, { dispatcher, timeout: TIMEOUT_MS, maxRetries: 0 });
    expect(result).toMatchObject({ status: 'downloaded', size: 5 });
    expect(readFileSync(dest, 'latin1')).toBe('hello');
    expect(performance.now() - started).toBeLessThan(TIMEOUT_MS + 700);
  });
});
