import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeRemoteSize } from '../src/probe-remote-size.js';

// A camera-like server: ignores Range (200 with the whole body), or refuses with a large error body.
const SIZE = 4 * 1024 * 1024;
let server: Server;
let origin = '';

beforeAll(async () => {
  server = createServer((request, response) => {
    if (request.url === '/small-404') {
      response.writeHead(404, { 'content-type': 'text/plain', 'content-length': '10' });
      response.end('Not found\n');
      return;
    }
    if (request.url === '/small') {
      response.writeHead(200, { 'content-length': '10' });
      response.end('0123456789');
      return;
    }
    if (request.url === '/missing') {
      response.writeHead(404, { 'content-type': 'text/plain', 'content-length': String(SIZE) });
      response.end(Buffer.alloc(SIZE, 0x20));
      return;
    }
    if (request.url === '/ranged' && request.headers.range === 'bytes=0-0') {
      response.writeHead(206, { 'content-range': `bytes 0-0/${SIZE}`, 'content-length': '1', etag: '"v1"' });
      response.end('x');
      return;
    }
    response.writeHead(200, { 'content-length': String(SIZE) });
    response.end(Buffer.alloc(SIZE, 0x61));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => {
  server.close();
});

describe('probeRemoteSize', () => {
  it('reads the total of a 1-byte Range answer', async () => {
    await expect(probeRemoteSize(`${origin}/ranged`)).resolves.toEqual({ size: SIZE, acceptsRanges: true, etag: '"v1"' });
  });

  it('abandons a whole-file 200 without reading it, and without an unhandled body error', async () => {
    const results = await Promise.all([1, 2, 3].map(() => probeRemoteSize(`${origin}/no-range`)));
    for (const result of results) expect(result).toEqual({ size: SIZE, acceptsRanges: false });
    // Any error the abandoned bodies emit would surface as an unhandled error and fail this file.
    await new Promise((resolve) => setTimeout(resolve, 200));
  });

  it('rejects a 404 with a stable code, abandoning its body safely (small and large bodies)', async () => {
    await expect(probeRemoteSize(`${origin}/missing`)).rejects.toMatchObject({ code: 'ERR_DOWNLOAD_HTTP_STATUS', status: 404 });
    await expect(probeRemoteSize(`${origin}/small-404`)).rejects.toMatchObject({ code: 'ERR_DOWNLOAD_HTTP_STATUS', status: 404 });
    await expect(probeRemoteSize(`${origin}/small`)).resolves.toEqual({ size: 10, acceptsRanges: false });
    await new Promise((resolve) => setTimeout(resolve, 200));
  });
});
