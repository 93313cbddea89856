import { createServer } from 'node:http';
import type { AddressInfo, LookupFunction } from 'node:net';
import { buildConnector } from 'undici';
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { closeAfterEach, endlessChunkedBody, makeTempDir, startRawHttpServer, type RawHttpServer } from '@camdl/test-utils';
import { download, DownloadAgent, readText, smallRequest, type DownloadAgentOptions } from '../src/index.js';

// DownloadAgent as every camera client uses it for small API answers: smallRequest() marks its
// requests as lean, so over plain http they take the lean reader unless an option says otherwise.

const track = closeAfterEach();
const ok = (body: string, extra = ''): string => `HTTP/1.1 200 OK\r\ncontent-length: ${Buffer.byteLength(body)}\r\n${extra}\r\n${body}`;
const tooLarge = (): Error => new Error('too large');
/** The lean reader writes `connection: close` on every request; undici keeps connections alive. */
const leanHead = (server: RawHttpServer, index = 0): boolean => /\r\nconnection: close\r\n/i.test(server.requests[index]?.head ?? '');

async function get(options: DownloadAgentOptions, url: string): Promise<{ status: number; text: string }> {
  const agent = track(new DownloadAgent(options));
  const response = await smallRequest(url, { dispatcher: agent, headersTimeout: 5_000, bodyTimeout: 5_000 });
  return { status: response.statusCode, text: await readText(response.body, 1024 * 1024, tooLarge) };
}

async function rejection(promise: Promise<unknown>): Promise<Error & { code?: string }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { code?: string };
  }
  throw new Error('expected a rejection');
}

describe('DownloadAgent connection slots', () => {
  /** A server that holds the first answer until `release()`; counts answers owed at once. */
  async function heldServer() {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let owed = 0;
    let peak = 0;
    const arrivals: Array<() => void> = [];
    const arrived = (count: number): Promise<void> =>
      new Promise((resolve) => {
        const check = (): void => {
          if (server.requests.length >= count) resolve();
        };
        arrivals.push(check);
        check();
      });
    const server = track(
      await startRawHttpServer(async (socket, request) => {
        owed += 1;
        peak = Math.max(peak, owed);
        for (const check of arrivals) check();
        if (server.requests.indexOf(request) === 0) await released;
        owed -= 1;
        socket.end(ok(request.target));
      }),
    );
    return { server, release, arrived, peak: () => peak };
  }

  it('runs at most `connections` requests to an origin at once; the next starts when one ends', async () => {
    const { server, release, arrived, peak } = await heldServer();
    const agent = track(new DownloadAgent({ connections: 1 }));
    const texts = ['/a', '/b'].map(async (path) => readText((await smallRequest(server.url(path), { dispatcher: agent })).body, 1024, tooLarge));
    await arrived(1);
    // Time for a second connection to arrive, were it allowed.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(server.requests.map((request) => request.target)).toEqual(['/a']);
    release();
    expect(await Promise.all(texts)).toEqual(['/a', '/b']);
    expect(peak()).toBe(1);
    expect([leanHead(server, 0), leanHead(server, 1)]).toEqual([true, true]);
  });

  it('lets `connections` requests run together', async () => {
    const { server, release, arrived, peak } = await heldServer();
    const agent = track(new DownloadAgent({ connections: 2 }));
    const texts = ['/a', '/b', '/c'].map(async (path) => readText((await smallRequest(server.url(path), { dispatcher: agent })).body, 1024, tooLarge));
    await arrived(2);
    expect(server.requests).toHaveLength(2);
    release();
    expect(await Promise.all(texts)).toEqual(['/a', '/b', '/c']);
    expect(peak()).toBe(2);
  });

  /** `/bad`: a malformed head; `/reset`: part of a body, then a reset; `/stall`: part of a body, then nothing; else `ok`. */
  const faultyServer = async (): Promise<RawHttpServer> =>
    track(
      await startRawHttpServer((socket, request) => {
        if (request.target === '/bad') socket.end('HTTP/1.1 200 OK\r\ncontent-length: nope\r\n\r\n');
        else if (request.target === '/reset') socket.write('HTTP/1.1 200 OK\r\ncontent-length: 1000\r\n\r\npart', () => socket.destroy());
        else if (request.target === '/stall') socket.write('HTTP/1.1 200 OK\r\ncontent-length: 1000\r\n\r\npart');
        else socket.end(ok(request.target));
      }),
    );
  const readers = [
    ['the lean reader', true],
    ['undici', false],
  ] as const;

  it.each(readers)('frees the slot of a request that fails (a malformed head, a reset mid-body) for the next one (%s)', async (_reader, lean) => {
    const server = await faultyServer();
    const agent = track(new DownloadAgent({ connections: 1, lean }));
    const bad = rejection(smallRequest(server.url('/bad'), { dispatcher: agent }));
    const reset = (async () => rejection(readText((await smallRequest(server.url('/reset'), { dispatcher: agent })).body, 4096, tooLarge)))();
    const next = (async () => readText((await smallRequest(server.url('/next'), { dispatcher: agent })).body, 1024, tooLarge))();
    expect((await bad).name).toBe('HTTPParserError');
    expect((await reset).code).toMatch(/^(UND_ERR_SOCKET|ECONNRESET)$/);
    expect(await next).toBe('/next');
    expect(server.requests.map((request) => request.target)).toEqual(['/bad', '/reset', '/next']);
    expect(leanHead(server, 2)).toBe(lean);
  });

  it.each(readers)('frees the slot of a request aborted mid-body, and of one aborted while it waits for a slot (%s)', async (_reader, lean) => {
    const server = await faultyServer();
    const agent = track(new DownloadAgent({ connections: 1, lean }));
    const stopStalled = new AbortController();
    const stalled = await smallRequest(server.url('/stall'), { dispatcher: agent, signal: stopStalled.signal });
    const stopWaiting = new AbortController();
    const waiting = smallRequest(server.url('/waiting'), { dispatcher: agent, signal: stopWaiting.signal });
    const next = (async () => readText((await smallRequest(server.url('/next'), { dispatcher: agent })).body, 1024, tooLarge))();
    stopWaiting.abort(new Error('stopped while waiting'));
    await expect(waiting).rejects.toThrow('stopped while waiting');
    const stalledText = rejection(readText(stalled.body, 4096, tooLarge));
    stopStalled.abort(new Error('stopped mid-body'));
    expect((await stalledText).message).toBe('stopped mid-body');
    expect(await next).toBe('/next');
    // The request aborted while it waited was never sent.
    expect(server.requests.map((request) => request.target)).toEqual(['/stall', '/next']);
  });
});

describe('DownloadAgent options on the lean path', () => {
  it('honours localAddress: the connection is made from it', async () => {
    const server = track(await startRawHttpServer((socket) => void socket.end(ok('hello'))));
    expect(await get({ localAddress: '127.0.0.1' }, server.url('/'))).toEqual({ status: 200, text: 'hello' });
    expect(leanHead(server)).toBe(true);
    // 192.0.2.1 (TEST-NET-1) is no address of this machine: the connection cannot be made from it.
    const error = await rejection(get({ localAddress: '192.0.2.1' }, server.url('/')));
    expect(error.code).toBe('EADDRNOTAVAIL');
    expect(server.requests).toHaveLength(1);
  });

  it('honours connect.lookup: the host name is resolved by it', async () => {
    const server = track(await startRawHttpServer((socket) => void socket.end(ok('resolved'))));
    const asked: string[] = [];
    const lookup = ((hostname: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
      asked.push(hostname);
      if (options.all) callback(null, [{ address: '127.0.0.1', family: 4 }]);
      else callback(null, '127.0.0.1', 4);
    }) as unknown as LookupFunction;
    const url = server.url('/').replace('127.0.0.1', 'camera.invalid');
    expect(await get({ connect: { lookup } }, url)).toEqual({ status: 200, text: 'resolved' });
    expect(asked).toEqual(['camera.invalid']);
    expect(leanHead(server)).toBe(true);
  });

  it.each([[true], [false]])('honours maxHeaderSize (lean: %s)', async (lean) => {
    const server = track(await startRawHttpServer((socket) => void socket.end(ok('x', `x-filler: ${'f'.repeat(300)}\r\n`))));
    expect(await get({ lean }, server.url('/'))).toEqual({ status: 200, text: 'x' });
    const error = await rejection(get({ lean, maxHeaderSize: 128 }, server.url('/')));
    expect(error.code).toBe('UND_ERR_HEADERS_OVERFLOW');
    expect(leanHead(server)).toBe(lean);
  });

  it.each([[true], [false]])('honours maxResponseSize for a Content-Length and a chunked body (lean: %s)', async (lean) => {
    const server = track(
      await startRawHttpServer((socket, request) =>
        request.target === '/chunked' ? endlessChunkedBody(socket, 'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n', 1000) : void socket.end(ok('y'.repeat(100))),
      ),
    );
    expect(await get({ lean, maxResponseSize: 100 }, server.url('/length'))).toEqual({ status: 200, text: 'y'.repeat(100) });
    expect((await rejection(get({ lean, maxResponseSize: 99 }, server.url('/length')))).code).toBe('UND_ERR_RES_EXCEEDED_MAX_SIZE');
    expect(leanHead(server)).toBe(lean);
    // A body without a length, cut at the limit while it streams: the download fails on that error.
    const dir = track(await makeTempDir());
    const agent = track(new DownloadAgent({ lean, maxResponseSize: 50_000 }));
    const failed = await rejection(download(server.url('/chunked'), join(dir.path, 'endless.bin'), { dispatcher: agent, maxRetries: 0 }));
    expect((failed.cause as { code?: string } | undefined)?.code ?? failed.code).toBe('UND_ERR_RES_EXCEEDED_MAX_SIZE');
  });

  it('keeps the lean path for options that only concern TLS (allowH2, ca, rejectUnauthorized): the camera clients set them', async () => {
    const server = track(await startRawHttpServer((socket) => void socket.end(ok('lean'))));
    expect(await get({ allowH2: false, connect: { timeout: 5000, rejectUnauthorized: false } }, server.url('/'))).toEqual({ status: 200, text: 'lean' });
    expect(leanHead(server)).toBe(true);
  });

  it('hands a request to undici when an option asks for what the lean reader cannot do (a connect function)', async () => {
    const server = track(await startRawHttpServer((socket) => void socket.end(ok('via undici'))));
    const base = buildConnector({});
    let connects = 0;
    const connect: buildConnector.connector = (options, callback) => {
      connects += 1;
      base(options, callback);
    };
    expect(await get({ connect }, server.url('/'))).toEqual({ status: 200, text: 'via undici' });
    expect(connects).toBe(1);
    expect(leanHead(server)).toBe(false);
  });
});

describe('smallRequest through DownloadAgent', () => {
  it('answers with status, lower-case headers and the body', async () => {
    const server = track(await startRawHttpServer((socket) => void socket.end(ok('{"a":1}', 'Content-Type: application/json\r\n'))));
    const agent = track(new DownloadAgent());
    const response = await smallRequest(server.url('/api?x=1'), { dispatcher: agent, headers: { accept: 'application/json' } });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/json');
    expect(await readText(response.body, 1024, tooLarge)).toBe('{"a":1}');
    expect(server.requests[0]?.target).toBe('/api?x=1');
    expect(server.requests[0]?.head).toMatch(/\r\naccept: application\/json\r\n/);
  });

  it('readText stops reading an endless body at its limit and closes the connection', async () => {
    let closed!: () => void;
    const serverSawClose = new Promise<void>((resolve) => (closed = resolve));
    const server = track(
      await startRawHttpServer((socket) => {
        socket.once('close', closed);
        return endlessChunkedBody(socket, 'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n', 5000);
      }),
    );
    const agent = track(new DownloadAgent());
    const response = await smallRequest(server.url('/'), { dispatcher: agent });
    await expect(readText(response.body, 64 * 1024, tooLarge)).rejects.toThrow('too large');
    await serverSawClose;
  });

  it('POSTs a body over the lean path: method, length and bytes as given, the answer read back', async () => {
    const seen: Array<{ method: string | undefined; connection: string | undefined; length: string | undefined; type: string | undefined; body: Buffer }> = [];
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        seen.push({ method: request.method, connection: request.headers.connection, length: request.headers['content-length'], type: request.headers['content-type'], body: Buffer.concat(chunks) });
        response.end(`<ok>${Buffer.concat(chunks).length}</ok>`);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    track({ close: () => new Promise<void>((resolve) => server.close(() => resolve())) });
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/ISAPI/ContentMgmt/search`;
    const agent = track(new DownloadAgent());
    const xml = '<CMSearchDescription><searchID>Küche</searchID></CMSearchDescription>';
    const response = await smallRequest(url, { dispatcher: agent, method: 'POST', body: xml, headers: { 'content-type': 'application/xml' } });
    expect(await readText(response.body, 1024, tooLarge)).toBe(`<ok>${Buffer.byteLength(xml)}</ok>`);
    const bytes = Uint8Array.from([0, 1, 2, 255]);
    await readText((await smallRequest(url, { dispatcher: agent, method: 'PUT', body: bytes })).body, 1024, tooLarge);
    // `connection: close`: written by the lean reader (undici keeps connections alive).
    expect(seen.map(({ method, connection, length, type }) => ({ method, connection, length, type }))).toEqual([
      { method: 'POST', connection: 'close', length: String(Buffer.byteLength(xml)), type: 'application/xml' },
      { method: 'PUT', connection: 'close', length: '4', type: undefined },
    ]);
    expect(seen[0]?.body.toString('utf8')).toBe(xml);
    expect([...(seen[1]?.body ?? [])]).toEqual([0, 1, 2, 255]);
  });

  it('an aborted signal rejects the request with its reason before the head', async () => {
    const server = track(await startRawHttpServer(() => undefined));
    const agent = track(new DownloadAgent());
    const controller = new AbortController();
    const pending = smallRequest(server.url('/'), { dispatcher: agent, signal: controller.signal });
    controller.abort(new Error('stopped by the caller'));
    await expect(pending).rejects.toThrow('stopped by the caller');
  });
});
