import { once } from 'node:events';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, type TempDir } from '@camdl/test-utils';
import { download } from '../src/download.js';
import { DownloadAgent } from '../src/lean/index.js';

const BODY = Buffer.from('0123456789'.repeat(5000));

/** Answers `/length`, `/chunked`, `/close` and `/chunked-cut` (the last chunk never comes) with BODY. */
function answer(socket: Socket, path: string): void {
  if (path === '/length') {
    socket.end(Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nContent-Type: video/x-msvideo\r\nContent-Length: ${BODY.length}\r\nConnection: close\r\n\r\n`), BODY]));
  } else if (path === '/chunked' || path === '/chunked-cut') {
    socket.write('HTTP/1.1 200 OK\r\nContent-Type: video/x-msvideo\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n');
    const half = BODY.length / 2;
    socket.write(`${half.toString(16)}\r\n`);
    socket.write(BODY.subarray(0, half));
    socket.write(`\r\n${(BODY.length - half).toString(16)}\r\n`);
    socket.write(BODY.subarray(half));
    socket.end(path === '/chunked' ? '\r\n0\r\n\r\n' : '\r\n');
  } else {
    socket.end(Buffer.concat([Buffer.from('HTTP/1.1 200 OK\r\nContent-Type: video/x-msvideo\r\nConnection: close\r\n\r\n'), BODY]));
  }
}

describe('how the end of a body was known (DownloadResult.framing), on the lean reader and on undici', () => {
  const server = createServer((socket) => {
    socket.once('data', (data) => answer(socket, /^GET (\S+)/.exec(data.toString('latin1'))?.[1] ?? '/'));
  });
  let origin = '';
  let dir: TempDir;
  beforeAll(async () => {
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    dir = await makeTempDir();
  });
  afterAll(async () => {
    server.close();
    await dir.cleanup();
  });

  for (const reader of ['lean', 'undici'] as const) {
    it(`${reader}: Content-Length → length (verified), chunked → chunked (whole, unverified), close → close; a chunked body cut before its last chunk fails`, async () => {
      const dispatcher = reader === 'lean' ? new DownloadAgent() : new Agent();
      try {
        const get = (path: string) => download(`${origin}${path}`, join(dir.path, `${reader}${path.replace('/', '-')}.bin`), { dispatcher, maxRetries: 0 });
        expect(await get('/length')).toMatchObject({ status: 'downloaded', size: BODY.length, verified: true, framing: 'length' });
        const chunked = await get('/chunked');
        expect(chunked).toMatchObject({ status: 'downloaded', size: BODY.length, verified: false, framing: 'chunked' });
        expect((await readFile(chunked.path)).equals(BODY)).toBe(true);
        expect(await get('/close')).toMatchObject({ status: 'downloaded', size: BODY.length, verified: false, framing: 'close' });
        await expect(get('/chunked-cut')).rejects.toMatchObject({ code: 'ERR_DOWNLOAD_NETWORK' });
        expect(existsSync(join(dir.path, `${reader}-chunked-cut.bin`))).toBe(false);
      } finally {
        await dispatcher.close();
      }
    });
  }
});
