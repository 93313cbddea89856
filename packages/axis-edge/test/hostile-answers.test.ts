import { closeAfterEach, startEndlessAnswerServer, startRawHttpServer, trickle } from '@camdl/test-utils';
import { describe, expect, it } from 'vitest';
import { createAxisEdgeClient, isAxisEdgeError } from '../src/index.js';

const track = closeAfterEach();

async function firstRecording(client: ReturnType<typeof createAxisEdgeClient>): Promise<unknown> {
  for await (const each of client.listRecordings()) return each;
  return undefined;
}

describe('VAPIX calls against a hostile device', () => {
  it('an endless list.cgi answer is cut at the answer cap and its connection closed', async () => {
    const server = track(await startEndlessAnswerServer('HTTP/1.1 200 OK\r\ncontent-type: text/xml\r\ntransfer-encoding: chunked\r\n\r\n'));
    const client = track(createAxisEdgeClient({ url: server.origin, username: 'root', password: 'secret' }));
    const error = await firstRecording(client).catch((caught: unknown) => caught);
    expect(isAxisEdgeError(error, 'ERR_AXIS_EDGE_BAD_RESPONSE'), String(error)).toBe(true);
    expect((error as Error).message).toMatch(/answer larger than 8388608 bytes/);
    await server.clientLetGo;
    expect(server.requests[0]?.head).toMatch(/^GET \/axis-cgi\/record\/list\.cgi\?recordingid=all&maxnumberofresults=100&startatresultnumber=0&sortorder=ascending HTTP\/1\.1\r\n/);
  });

  it('an answer trickled a byte at a time ends at the call’s deadline, not at an idle timer', async () => {
    let released!: () => void;
    const clientLetGo = new Promise<void>((resolve) => (released = resolve));
    const server = track(
      await startRawHttpServer((socket) => {
        socket.once('close', released);
        socket.write('HTTP/1.1 200 OK\r\ncontent-type: text/xml\r\ntransfer-encoding: chunked\r\n\r\n');
        return trickle(socket, '1\r\n \r\n'.repeat(1000), { paceMs: 20, giveUpMs: 4000 });
      }),
    );
    const client = track(createAxisEdgeClient({ url: server.origin, username: 'root', password: 'secret', timeout: 400 }));
    const started = performance.now();
    const error = await firstRecording(client).catch((caught: unknown) => caught);
    expect(isAxisEdgeError(error, 'ERR_AXIS_EDGE_NETWORK'), String(error)).toBe(true);
    expect((error as Error).message).toMatch(/timed out: no complete answer within 0\.4 s/);
    expect(performance.now() - started).toBeLessThan(3_000);
    // The client let go of the connection well before the server would have stopped trickling.
    await clientLetGo;
    expect(performance.now() - started).toBeLessThan(3_000);
  });

  it('a list answer with non-UTF-8 bytes and control characters in a recording id: that recording skipped, the rest listed', async () => {
    const good = '<recording diskid="SD_DISK" recordingid="20260116_200000_AE24_ACCC8EF7DE6B" starttime="2026-01-16T20:00:00.000000Z" stoptime="2026-01-16T20:00:04.000000Z" recordingstatus="completed" source="1"/>';
    const bad = Buffer.concat([Buffer.from('<recording diskid="SD_DISK" recordingid="../\x1b[31m'), Buffer.from([0xff, 0xfe]), Buffer.from('" starttime="2026-01-16T20:10:00.000000Z" stoptime="2026-01-16T20:10:04.000000Z" recordingstatus="completed" source="1"/>')]);
    const body = Buffer.concat([Buffer.from('<?xml version="1.0"?>\n<root><recordings totalnumberofrecordings="2" numberofrecordings="2">'), bad, Buffer.from(good), Buffer.from('</recordings></root>\n')]);
    const server = track(await startRawHttpServer((socket) => void socket.end(Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\ncontent-type: text/xml\r\ncontent-length: ${body.length}\r\nconnection: close\r\n\r\n`), body]))));
    const client = track(createAxisEdgeClient({ url: server.origin, username: 'root', password: 'secret' }));
    const warnings: string[] = [];
    const listed: string[] = [];
    for await (const each of client.listRecordings({ onWarning: (message) => warnings.push(message) })) listed.push(each.recordingId);
    expect(listed).toEqual(['20260116_200000_AE24_ACCC8EF7DE6B']);
    expect(warnings).toHaveLength(1);
    // The warning does not carry the terminal escape to whoever prints it.
    expect(warnings[0]).not.toContain('\x1b');
  });
});
