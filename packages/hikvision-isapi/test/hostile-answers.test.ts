import type { Socket } from 'node:net';
import { closeAfterEach, startEndlessAnswerServer, startRawHttpServer } from '@camdl/test-utils';
import { describe, expect, it } from 'vitest';
import { createHikvisionClient, isHikvisionError } from '@camdl/hikvision-isapi';

const track = closeAfterEach();
const SEARCH = '<CMSearchDescription><searchID>88C2CD4D-D3FA-4AD4-BD80-555C18205DCC</searchID></CMSearchDescription>';

async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure');
}

// A search is a POST with an XML body over the lean reader (plain http): an answer that never ends, or
// trickles, still costs a bounded number of bytes and a bounded time.
describe('ISAPI calls against a hostile device', () => {
  it('an endless search answer is cut at the answer cap and its connection closed', async () => {
    const server = track(await startEndlessAnswerServer('HTTP/1.1 200 OK\r\ncontent-type: application/xml\r\ntransfer-encoding: chunked\r\n\r\n'));
    const client = track(createHikvisionClient({ url: server.origin, username: 'admin', password: 'secret' }));
    const error = await failure(client.isapi('/ISAPI/ContentMgmt/search', { method: 'POST', body: SEARCH }));
    expect(isHikvisionError(error, 'ERR_HIKVISION_BAD_RESPONSE'), String(error)).toBe(true);
    expect((error as Error).message).toMatch(/answer larger than 8388608 bytes/);
    await server.clientLetGo;
    expect(server.requests[0]?.head).toMatch(/^POST \/ISAPI\/ContentMgmt\/search HTTP\/1\.1\r\n/);
    expect(server.requests[0]?.head).toContain(`\r\ncontent-length: ${Buffer.byteLength(SEARCH)}\r\n`);
  });

  it('an answer trickled a byte at a time ends at the call’s deadline, not at an idle timer', async () => {
    const sockets: Socket[] = [];
    const server = track(
      await startRawHttpServer((socket) => {
        sockets.push(socket);
        socket.write('HTTP/1.1 200 OK\r\ncontent-type: application/xml\r\ntransfer-encoding: chunked\r\n\r\n');
        const timer = setInterval(() => (socket.destroyed ? clearInterval(timer) : socket.write('1\r\n \r\n')), 20);
        socket.once('close', () => clearInterval(timer));
      }),
    );
    const client = track(createHikvisionClient({ url: server.origin, username: 'admin', password: 'secret', timeout: 400 }));
    const started = performance.now();
    const error = await failure(client.isapi('/ISAPI/ContentMgmt/search', { method: 'POST', body: SEARCH }));
    expect(isHikvisionError(error, 'ERR_HIKVISION_NETWORK'), String(error)).toBe(true);
    expect((error as Error).message).toMatch(/timed out: no complete answer within 0\.4 s/);
    expect(performance.now() - started).toBeLessThan(5_000);
    // The client let go of the connection (else this waits until the test times out).
    await Promise.all(sockets.map((socket) => (socket.destroyed ? undefined : new Promise((resolve) => socket.once('close', resolve)))));
  });
});
