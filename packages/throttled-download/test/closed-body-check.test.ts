import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deterministicBytes, makeTempDir, sha256, startRawHttpServer, type RawHttpServer, type TempDir } from '@camdl/test-utils';
import { download, DownloadAgent, isDownloadError, temporaryPaths } from '../src/index.js';

// A body that only the close of the connection ends (HTTP/1.0 without a length) looks the same as a
// cut one: `checkClosedBody` sees it as the `.part` and decides before it gets the final name.

const whole = deterministicBytes(5000, 4);

describe.each([
  ['the lean reader', true],
  ['undici', false],
])('checkClosedBody, through %s', (_label, lean) => {
  let server: RawHttpServer;
  let dir: TempDir;
  let dispatcher: DownloadAgent;
  beforeAll(async () => {
    server = await startRawHttpServer((socket, request) => {
      const body = request.target === '/cut' ? whole.subarray(0, 4) : request.target === '/length' ? whole.subarray(0, 4) : whole;
      const length = request.target === '/length' ? `Content-Length: ${body.length}\r\n` : '';
      socket.end(Buffer.concat([Buffer.from(`HTTP/1.0 200 OK\r\nContent-Type: video/x-msvideo\r\n${length}\r\n`), body]));
    });
    dir = await makeTempDir('camdl-closed-');
    dispatcher = new DownloadAgent({ lean });
  });
  afterAll(async () => {
    await dispatcher.close();
    await server.close();
    await dir.cleanup();
  });

  const seen: { path: string; size: number; bytes: string }[] = [];
  const check = async (part: { path: string; size: number }): Promise<string | undefined> => {
    seen.push({ ...part, bytes: sha256(readFileSync(part.path)) });
    return part.size === whole.length ? undefined : `${part.size} bytes, ${whole.length} expected`;
  };

  it('refused: ERR_DOWNLOAD_SIZE_MISMATCH after every attempt, no final name, no .part', async () => {
    seen.length = 0;
    const dest = `${dir.path}/cut.avi`;
    const error = await download(server.url('/cut'), dest, { dispatcher, maxRetries: 1, retryDelay: 0, timeout: 5000, checkClosedBody: check }).catch((e: unknown) => e);
    expect(isDownloadError(error, 'ERR_DOWNLOAD_SIZE_MISMATCH'), String(error)).toBe(true);
    expect((error as Error).message).toMatch(/ended with the connection after 4 bytes and is not the whole file: 4 bytes, 5000 expected \(gave up after 2 attempts\)/);
    expect(seen.map((part) => part.size)).toEqual([4, 4]);
    expect(seen[0]?.path).toBe(temporaryPaths(dest).part);
    expect(existsSync(dest)).toBe(false);
    expect(existsSync(temporaryPaths(dest).part)).toBe(false);
  });

  it('accepted: the file gets its final name', async () => {
    seen.length = 0;
    const dest = `${dir.path}/whole.avi`;
    const result = await download(server.url('/whole'), dest, { dispatcher, maxRetries: 0, timeout: 5000, checkClosedBody: check });
    expect(result).toMatchObject({ status: 'downloaded', size: whole.length, verified: false, framing: 'close' });
    expect(seen).toEqual([{ path: temporaryPaths(dest).part, size: whole.length, bytes: sha256(whole) }]);
    expect(sha256(readFileSync(dest))).toBe(sha256(whole));
  });

  it('not asked for a body with a length', async () => {
    seen.length = 0;
    const result = await download(server.url('/length'), `${dir.path}/length.avi`, { dispatcher, maxRetries: 0, timeout: 5000, checkClosedBody: check });
    expect(result).toMatchObject({ status: 'downloaded', size: 4, verified: true, framing: 'length' });
    expect(seen).toEqual([]);
  });
});
