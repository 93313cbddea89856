import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { makeTempDir, sha256, sha256File } from '@camdl/test-utils';
import { download } from '../src/download.js';

// A camera-like server: whole body, `Connection: close`, then FIN, with the body read only after the
// FIN has arrived (bodies ≥ 64 KiB leave undici's parser paused at that point). A plain Agent must
// still deliver the whole body, complete and intact, and never crash the process
// (nodejs/undici#5360, fixed by nodejs/undici#5474, which the undici range in package.json includes).
describe('a Connection: close body read after the FIN', () => {
  const server = createServer((socket) => {
    socket.once('data', (data) => {
      const size = Number(/size=(\d+)/.exec(data.toString())?.[1] ?? 0);
      socket.write(`HTTP/1.1 200 OK\r\nContent-Length: ${size}\r\nConnection: close\r\n\r\n`);
      socket.end(Buffer.alloc(size, 0x61));
    });
  });
  let origin = '';

  beforeAll(async () => {
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => {
    server.close();
  });

  it.each([64 * 1024, 100 * 1024, 1024 * 1024])('completes a %i-byte body read after the FIN', async (size) => {
    const dispatcher = new Agent();
    try {
      for (let round = 0; round < 3; round++) {
        const response = await request(`${origin}/?size=${size}`, { dispatcher });
        await new Promise((resolve) => setTimeout(resolve, 100));
        let received = 0;
        for await (const chunk of response.body) received += (chunk as Buffer).length;
        expect(received).toBe(size);
      }
    } finally {
      await dispatcher.close();
    }
  });

  it('download() completes a throttled camera-style body', async () => {
    const dir = await makeTempDir();
    const size = 512 * 1024;
    try {
      const destination = join(dir.path, 'file.bin');
      // 16 Mbps: the throttle holds the body back long after the server's FIN arrived.
      const result = await download(`${origin}/?size=${size}`, destination, { rateLimitMbps: 16, dispatcher: new Agent() });
      expect(result).toMatchObject({ status: 'downloaded', size, verified: true });
      expect(await sha256File(destination)).toBe(sha256(Buffer.alloc(size, 0x61)));
    } finally {
      await dir.cleanup();
    }
  });
});
