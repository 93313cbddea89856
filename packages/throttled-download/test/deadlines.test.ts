import { existsSync } from 'node:fs';
import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, repeatInterim, startRawHttpServer, trickle, type RawHttpServer, type TempDir } from '@camdl/test-utils';
import { download, DownloadAgent, isDownloadError, smallRequest } from '../src/index.js';

// `timeout` bounds every wait for an answer: the headers timeout is a deadline armed once per request,
// so neither a head trickled a byte at a time nor an endless run of 1xx answers holds a download
// (or a small API request) past it. The hostile servers give up after GIVE_UP_MS and then answer
// properly, so that a reader without the deadline completes (and the test fails) instead of hanging.

const TIMEOUT_MS = 300;
const PACE_MS = 25;
const GIVE_UP_MS = 2000;

const answer = 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello';
const timing = { paceMs: PACE_MS, giveUpMs: GIVE_UP_MS };

const responders: Record<string, (socket: Socket) => Promise<void>> = {
  /** The answer a byte at a time. */
  '/trickled-head': (socket) => trickle(socket, answer, timing),
  /** A 103 Early Hints every PACE_MS; the answer only after GIVE_UP_MS. */
  '/endless-103': (socket) => repeatInterim(socket, 'HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n', answer, timing),
};

/** A 404 whose error page trickles a byte per PACE_MS. */
const trickledErrorPage = (socket: Socket): Promise<void> => {
  socket.write('HTTP/1.1 404 Not Found\r\nContent-Length: 1000\r\n\r\n');
  return trickle(socket, 'a'.repeat(1000), timing);
};

const readers: [string, boolean][] = [
  ['the lean reader', true],
  ['undici', false],
];

describe.each(readers)('every wait for an answer ends at the timeout, through %s', (_label, lean) => {
  let server: RawHttpServer;
  let dir: TempDir;
  let dispatcher: DownloadAgent;
  beforeAll(async () => {
    server = await startRawHttpServer((socket, request) => (request.target === '/trickled-error-page' ? trickledErrorPage(socket) : responders[request.target]?.(socket)));
    dir = await makeTempDir('camdl-deadline-');
    dispatcher = new DownloadAgent({ lean, headersTimeout: TIMEOUT_MS, bodyTimeout: TIMEOUT_MS });
  });
  afterAll(async () => {
    await dispatcher.destroy();
    await server.close();
    await dir.cleanup();
  });

  it.each(Object.keys(responders))('download() of %s: ERR_DOWNLOAD_TIMEOUT near the timeout, no file', async (path) => {
    const dest = `${dir.path}/${path.slice(1)}.bin`;
    const started = performance.now();
    const error = await download(server.url(path), dest, { dispatcher, timeout: TIMEOUT_MS, maxRetries: 0, resume: false }).catch((e: unknown) => e);
    const elapsed = performance.now() - started;
    expect(isDownloadError(error, 'ERR_DOWNLOAD_TIMEOUT'), String(error)).toBe(true);
    expect(elapsed).toBeLessThan(TIMEOUT_MS + 700);
    expect(existsSync(dest)).toBe(false);
  });

  it('download() of a 404 whose page trickles: ERR_DOWNLOAD_HTTP_STATUS near the timeout (the page is not drained past it)', async () => {
    const started = performance.now();
    const error = await download(server.url('/trickled-error-page'), `${dir.path}/404.bin`, { dispatcher, timeout: TIMEOUT_MS, maxRetries: 0 }).catch((e: unknown) => e);
    expect(isDownloadError(error, 'ERR_DOWNLOAD_HTTP_STATUS'), String(error)).toBe(true);
    expect(error).toMatchObject({ status: 404 });
    expect(performance.now() - started).toBeLessThan(TIMEOUT_MS + 700);
  });

  it('smallRequest(): dump() of a page that trickles ends at the body timeout', async () => {
    const response = await smallRequest(server.url('/trickled-error-page'), { dispatcher, headersTimeout: TIMEOUT_MS, bodyTimeout: TIMEOUT_MS });
    const started = performance.now();
    await response.body.dump();
    expect(response.statusCode).toBe(404);
    expect(performance.now() - started).toBeLessThan(TIMEOUT_MS + 700);
  });

  it.each(Object.keys(responders))('smallRequest() of %s: a headers timeout near the timeout', async (path) => {
    const started = performance.now();
    const error = await smallRequest(server.url(path), { dispatcher, headersTimeout: TIMEOUT_MS, bodyTimeout: TIMEOUT_MS }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'UND_ERR_HEADERS_TIMEOUT' });
    expect(performance.now() - started).toBeLessThan(TIMEOUT_MS + 700);
  });
});
