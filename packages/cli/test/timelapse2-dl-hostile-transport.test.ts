import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Socket } from 'node:net';
import { closeAfterEach, makeTempDir, repeatInterim, sha256, startFaultServer, startRawHttpServer, trickle, type RawHttpServer, type TempDir } from '@camdl/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import { aviBytes, mp4Bytes, serveTimelapse } from './fault-cameras.js';
import { assertBuilt, runCli } from './timelapse2-dl-helpers.js';

// A Timelapse2 1.x camera whose archive answers no HTTP library would send, against the built binary:
// only a whole file is ever saved under its final name, and anything else is a FAIL with exit 1.

beforeAll(() => assertBuilt());

/** The listing size (JPEG payload) and frames of the archive; the whole 1.x file is 10 × 24 + 248 bytes more. */
const LISTED = { size: 1000, frames: 10 };
const WHOLE_SIZE = LISTED.size + 24 * LISTED.frames + 248;

const json = (socket: Socket, value: unknown): void => {
  const body = Buffer.from(JSON.stringify(value));
  socket.end(Buffer.concat([Buffer.from(`HTTP/1.0 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`), body]));
};

/** A 1.x camera (app 1.2.0) listing `clip.avi`, whose download is answered by `download`. */
function v1Camera(download: (socket: Socket) => void | Promise<void>): Promise<RawHttpServer> {
  return startRawHttpServer((socket, request) => {
    if (request.target.startsWith('/local/timelapse2/app')) {
      json(socket, { manifest: { acapPackageConf: { setup: { version: '1.2.0' } } }, settings: { retentionMonths: 1 } });
    } else if (request.target.startsWith('/local/timelapse2/archive')) {
      json(socket, [{ id: 'QKXBTRWA', filename: 'clip.avi', size: LISTED.size, frames: LISTED.frames, fps: 10, first: 1727560800000, last: 1727560801000 }]);
    } else if (request.target.startsWith('/local/timelapse2/download')) {
      return download(socket);
    } else {
      socket.end('HTTP/1.0 404 Not Found\r\nContent-Length: 0\r\n\r\n');
    }
  });
}

const chunkedBody = (data: Buffer): Buffer => Buffer.concat([Buffer.from(`${data.length.toString(16)}\r\n`), data, Buffer.from('\r\n0\r\n\r\n')]);

const track = closeAfterEach();

async function run(
  download: (socket: Socket) => void | Promise<void>,
  timeoutSeconds = 5,
): Promise<{ code: number | null; stdout: string; stderr: string; ms: number; files: string[]; dir: TempDir }> {
  const server = track(await v1Camera(download));
  const dir = track(await makeTempDir('camdl-t2hostile-'));
  const retries = timeoutSeconds === 5 ? '1' : '0';
  const result = await runCli(['--host', server.origin, '--user', 'root', '--pass', 'pw', '--outdir', dir.path, '--no-progress', '--retry-delay', '0', '--timeout', String(timeoutSeconds), '--max-retries', retries, '--rate-limit', '0']);
  return { ...result, files: await readdir(dir.path), dir };
}

describe('timelapse2-dl, 1.x: an answer that cannot be the archive is a FAIL, exit 1, no final file', () => {
  it.each([
    ['Transfer-Encoding: gzip, chunked', 'HTTP/1.1 200 OK\r\nContent-Type: video/x-msvideo\r\nTransfer-Encoding: gzip, chunked\r\n\r\n', chunkedBody(aviBytes(WHOLE_SIZE, 2))],
    ['Transfer-Encoding: gzip', 'HTTP/1.1 200 OK\r\nContent-Type: video/x-msvideo\r\nTransfer-Encoding: gzip\r\n\r\n', aviBytes(WHOLE_SIZE, 2)],
    ['two Transfer-Encoding fields (gzip, then chunked)', 'HTTP/1.1 200 OK\r\nContent-Type: video/x-msvideo\r\nTransfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n', chunkedBody(aviBytes(WHOLE_SIZE, 2))],
  ])('%s: refused', async (_label, head, body) => {
    const result = await run((socket) => {
      socket.end(Buffer.concat([Buffer.from(head), body]));
    });
    expect(result.code, result.stdout + result.stderr).toBe(1);
    expect(result.stderr).toMatch(/^ *FAIL +http:/m);
    expect(result.stdout).toContain('Done. downloaded=0 skipped=0 failed=1');
    expect(result.stdout + result.stderr).toMatch(/Transfer-Encoding: .*gzip/);
    expect(result.files).toEqual([]);
  });

  it('HTTP/1.0 without a length, closed after 4 bytes (the listing implies 1,488): refused', async () => {
    const result = await run((socket) => {
      socket.end(Buffer.concat([Buffer.from('HTTP/1.0 200 OK\r\nContent-Type: video/x-msvideo\r\n\r\n'), aviBytes(WHOLE_SIZE, 2).subarray(0, 4)]));
    });
    expect(result.code, result.stdout + result.stderr).toBe(1);
    expect(result.stderr).toMatch(/^ *FAIL +http:/m);
    expect(result.stdout).toContain('Done. downloaded=0 skipped=0 failed=1');
    expect(result.stdout + result.stderr).toMatch(/ended with the connection after 4 bytes/);
    expect(result.files).toEqual([]);
  });

  it('HTTP/1.0 without a length, closed inside the AVI (its RIFF header says more): refused', async () => {
    const result = await run((socket) => {
      socket.end(Buffer.concat([Buffer.from('HTTP/1.0 200 OK\r\nContent-Type: video/x-msvideo\r\n\r\n'), aviBytes(WHOLE_SIZE, 2).subarray(0, 1200)]));
    });
    expect(result.code, result.stdout + result.stderr).toBe(1);
    expect(result.stdout + result.stderr).toMatch(/truncated/);
    expect(result.files).toEqual([]);
  });

  it('positive control: HTTP/1.0 without a length, the whole file, closed: saved, exit 0', async () => {
    const avi = aviBytes(WHOLE_SIZE, 2);
    const result = await run((socket) => {
      socket.end(Buffer.concat([Buffer.from('HTTP/1.0 200 OK\r\nContent-Type: video/x-msvideo\r\n\r\n'), avi]));
    });
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.files).toEqual(['clip.avi']);
    expect(sha256(await readFile(join(result.dir.path, 'clip.avi')))).toBe(sha256(avi));
  });
});

describe('timelapse2-dl --timeout 1 bounds every wait for the archive (FAIL, exit 1, no file)', () => {
  const GIVE_UP_MS = 6000;
  const whole = (): Buffer => Buffer.concat([Buffer.from(`HTTP/1.0 200 OK\r\nContent-Type: video/x-msvideo\r\nContent-Length: ${WHOLE_SIZE}\r\n\r\n`), aviBytes(WHOLE_SIZE, 2)]);
  const timing = { paceMs: 100, giveUpMs: GIVE_UP_MS, end: true };

  it.each([
    ['a head trickled a byte every 100 ms', (socket: Socket) => trickle(socket, whole(), timing)],
    ['endless 103 Early Hints', (socket: Socket) => repeatInterim(socket, 'HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n', whole(), timing)],
  ] as const)('%s', async (_label, download) => {
    const result = await run(download, 1);
    expect(result.code, result.stdout + result.stderr).toBe(1);
    expect(result.stderr).toMatch(/timed out/);
    expect(result.ms).toBeLessThan(GIVE_UP_MS - 1000);
    expect(result.files).toEqual([]);
  });
});

describe('timelapse2-dl: an archive name at the file-system limit', () => {
  it('a 255-byte archive name downloads, exit 0, nothing left behind', async () => {
    const fault = track(await startFaultServer());
    const out = track(await makeTempDir('camdl-t2long-'));
    const filename = `${'x'.repeat(251)}.mp4`;
    const content = mp4Bytes(200_000, 6);
    serveTimelapse(fault, [{ filename, content }]);
    const result = await runCli(['--host', fault.origin, '--user', 'root', '--pass', 'pw', '--outdir', out.path, '--no-progress', '--retry-delay', '0', '--timeout', '5', '--max-retries', '0', '--rate-limit', '0']);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    const files = await readdir(out.path);
    expect(files).toHaveLength(1);
    expect(files[0]?.endsWith('.mp4')).toBe(true);
    expect(sha256(await readFile(join(out.path, files[0]!)))).toBe(sha256(content));
    expect(existsSync(join(out.path, '.camdl-tmp'))).toBe(false);
  });
});
