import { once } from 'node:events';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { closeAfterEach, deterministicBytes, sha256, sha256File } from '@camdl/test-utils';
import { download, temporaryPaths } from '../src/index.js';
import { useHarness } from './helpers.js';

const SIZE = 3 * 1024 * 1024 + 123;
const content = deterministicBytes(SIZE, 11);
const etag = `"${sha256(content).slice(0, 16)}"`;

const h = useHarness({ '/f': { content } });

/** A `.part` left by an earlier run: `prefix` on disk, with the validators that make it resumable. */
async function leavePart(dest: string, prefix: Buffer): Promise<void> {
  const paths = temporaryPaths(dest);
  await mkdir(paths.directory, { recursive: true });
  await writeFile(paths.part, prefix);
  await writeFile(paths.state, JSON.stringify({ version: 1, etag, total: SIZE }));
}

describe('download() with sha256: the hash of the file as written', () => {
  it('is absent unless asked for', async () => {
    const result = await download(h.server.url('/f'), h.dest(), h.options());
    expect(result.sha256).toBeUndefined();
  });

  it('equals the SHA-256 of the final file for a plain download', async () => {
    const dest = h.dest();
    const result = await download(h.server.url('/f'), dest, h.options({ sha256: true }));
    expect(result.status).toBe('downloaded');
    expect(result.sha256).toBe(sha256(content));
    expect(await sha256File(dest)).toBe(result.sha256);
  });

  it('hashes the prefix of a resumed .part from disk: the digest is of the file, not of what the server holds', async () => {
    const dest = h.dest();
    // Bytes the server never sent: only a hash that read the .part can match the final file.
    const prefix = deterministicBytes(1024 * 1024 + 7, 99);
    await leavePart(dest, prefix);
    const result = await download(h.server.url('/f'), dest, h.options({ sha256: true }));
    expect(result).toMatchObject({ status: 'resumed', bytes: SIZE - prefix.length });
    expect(h.server.requests[0]?.status).toBe(206);
    const final = await readFile(dest);
    expect(final.equals(Buffer.concat([prefix, content.subarray(prefix.length)]))).toBe(true);
    expect(result.sha256).toBe(sha256(final));
    expect(result.sha256).not.toBe(sha256(content));
  });

  it('carries the hash across a reset within one call (the .part is continued, the digest still matches)', async () => {
    h.server.queueFaults('/f', { kind: 'reset', afterBytes: 1_300_000 });
    const dest = h.dest();
    const result = await download(h.server.url('/f'), dest, h.options({ sha256: true }));
    expect(result).toMatchObject({ status: 'resumed', attempts: 2 });
    expect(result.sha256).toBe(sha256(content));
    expect(await sha256File(dest)).toBe(result.sha256);
  });

  it('starts the hash over when the server ignores Range (the .part is thrown away)', async () => {
    const dest = h.dest();
    await leavePart(dest, deterministicBytes(500_000, 98));
    h.server.queueFaults('/f', { kind: 'ignore-range' });
    const result = await download(h.server.url('/f'), dest, h.options({ sha256: true }));
    expect(result.status).toBe('downloaded');
    expect(h.events).toContainEqual({ type: 'restart', reason: 'range-ignored' });
    expect(result.sha256).toBe(sha256(content));
    expect(await sha256File(dest)).toBe(result.sha256);
  });

  it('hashes a whole .part completed on 416 from disk', async () => {
    const dest = h.dest();
    await leavePart(dest, content);
    const result = await download(h.server.url('/f'), dest, h.options({ sha256: true }));
    expect(h.server.requests[0]?.status).toBe(416);
    expect(result).toMatchObject({ status: 'resumed', bytes: 0 });
    expect(result.sha256).toBe(sha256(content));
  });

  it('gives no hash for a file that was skipped (nothing was written)', async () => {
    const dest = h.dest();
    await writeFile(dest, 'already here');
    const result = await download(h.server.url('/f'), dest, h.options({ sha256: true }));
    expect(result.status).toBe('skipped');
    expect(result.sha256).toBeUndefined();
  });
});

describe('download() with sha256 of a chunked body', () => {
  const closing = closeAfterEach();

  it('equals the SHA-256 of the final file', async () => {
    const body = deterministicBytes(2 * 1024 * 1024 + 5, 12);
    const server = createServer((socket) => {
      socket.once('data', () => {
        socket.write('HTTP/1.1 200 OK\r\nContent-Type: video/mp4\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n');
        for (let at = 0; at < body.length; at += 300_001) {
          const piece = body.subarray(at, at + 300_001);
          socket.write(`${piece.length.toString(16)}\r\n`);
          socket.write(piece);
          socket.write('\r\n');
        }
        socket.end('0\r\n\r\n');
      });
    });
    closing({ close: () => new Promise<void>((resolve) => server.close(() => resolve())) });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const dest = h.dest('chunked.bin');
    const result = await download(`http://127.0.0.1:${(server.address() as AddressInfo).port}/c`, dest, h.options({ sha256: true, maxRetries: 0 }));
    expect(result).toMatchObject({ status: 'downloaded', framing: 'chunked', size: body.length });
    expect(result.sha256).toBe(sha256(body));
    expect(await sha256File(dest)).toBe(result.sha256);
  });
});
