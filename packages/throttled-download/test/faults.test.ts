import { mkdir, writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { deterministicBytes, sha256, sha256File } from '@camdl/test-utils';
import { download, temporaryPaths } from '../src/index.js';
import { leftovers, rejection, useHarness } from './helpers.js';

const SIZE = 1024 * 1024 + 123;
const content = deterministicBytes(SIZE, 7);
const changed = deterministicBytes(SIZE, 8);

const h = useHarness({ '/f': { content } });

async function expectIdentical(path: string, source = content): Promise<void> {
  expect(await sha256File(path)).toBe(sha256(source));
}

describe('download() against faults', () => {
  it('downloads a plain file, verified, atomically', async () => {
    const dest = h.dest();
    const result = await download(h.server.url('/f'), dest, h.options());
    expect(result).toMatchObject({ status: 'downloaded', bytes: SIZE, size: SIZE, verified: true, attempts: 1 });
    expect(result.etag).toMatch(/^"/);
    await expectIdentical(dest);
    expect(leftovers(dest)).toEqual({ final: true, part: false, sidecar: false });
    expect(h.server.requests[0]?.headers['accept-encoding']).toBe('identity');
  });

  it('retries 500 twice then succeeds, with exponential backoff', async () => {
    h.server.queueFaults('/f', { kind: 'status', status: 500 }, { kind: 'status', status: 500 });
    const dest = h.dest();
    const result = await download(h.server.url('/f'), dest, h.options());
    expect(result).toMatchObject({ status: 'downloaded', attempts: 3, verified: true });
    expect(h.sleeps).toEqual([1000, 2000]);
    await expectIdentical(dest);
  });

  it('honours Retry-After on 503 (seconds and HTTP-date)', async () => {
    const date = new Date(Date.now() + 30_000).toUTCString();
    h.server.queueFaults('/f', { kind: 'status', status: 503, headers: { 'retry-after': '7' } }, { kind: 'status', status: 429, headers: { 'retry-after': date } });
    const dest = h.dest();
    await download(h.server.url('/f'), dest, h.options());
    expect(h.sleeps[0]).toBe(7000);
    expect(h.sleeps[1]).toBeGreaterThan(25_000);
    expect(h.sleeps[1]).toBeLessThanOrEqual(30_000);
    await expectIdentical(dest);
  });

  it.each([401, 403, 404])('does not retry %i and leaves nothing behind', async (status) => {
    h.server.queueFaults('/f', { kind: 'status', status });
    const dest = h.dest();
    const error = await rejection(download(h.server.url('/f'), dest, h.options()));
    expect(error).toMatchObject({ code: 'ERR_DOWNLOAD_HTTP_STATUS', status, attempt: 1 });
    expect(error.message).toMatch(new RegExp(`^\\[GET\\] "http://127\\.0\\.0\\.1:\\d+/f": ${status} `));
    expect(h.server.requests).toHaveLength(1);
    expect(leftovers(dest)).toEqual({ final: false, part: false, sidecar: false });
  });

  it('gives up after maxRetries with the last error code and the attempt count', async () => {
    h.server.queueFaults('/f', ...Array.from({ length: 3 }, () => ({ kind: 'status' as const, status: 502 })));
    const error = await rejection(download(h.server.url('/f'), h.dest(), h.options({ maxRetries: 2 })));
    expect(error).toMatchObject({ code: 'ERR_DOWNLOAD_HTTP_STATUS', status: 502, attempt: 3, retryable: true });
    expect(error.message).toContain('gave up after 3 attempts');
  });

  it('resumes with Range + If-Range after a reset mid-body', async () => {
    h.server.queueFaults('/f', { kind: 'reset', afterBytes: 300_000 });
    const dest = h.dest();
    const result = await download(h.server.url('/f'), dest, h.options());
    expect(result).toMatchObject({ status: 'resumed', attempts: 2, verified: true });
    const second = h.server.requests[1];
    expect(second?.status).toBe(206);
    const from = Number(/bytes=(\d+)-/.exec(String(second?.headers.range))?.[1]);
    expect(from).toBeGreaterThan(0);
    expect(second?.headers['if-range']).toMatch(/^"/);
    expect(h.events).toContainEqual({ type: 'resume', from });
    await expectIdentical(dest);
  });

  it('restarts from 0 when the server refuses Range after a reset', async () => {
    h.server.queueFaults('/f', { kind: 'reset', afterBytes: 300_000 }, { kind: 'ignore-range' });
    const dest = h.dest();
    const result = await download(h.server.url('/f'), dest, h.options());
    expect(result).toMatchObject({ status: 'downloaded', attempts: 2, verified: true });
    expect(h.server.requests[1]?.status).toBe(200);
    expect(h.events).toContainEqual({ type: 'restart', reason: 'range-ignored' });
    await expectIdentical(dest);
  });

  it('retries a Connection: close short body (undici alone would not)', async () => {
    h.server.queueFaults('/f', { kind: 'close', afterBytes: 500_000 });
    const dest = h.dest();
    const result = await download(h.server.url('/f'), dest, h.options());
    expect(result).toMatchObject({ status: 'resumed', attempts: 2 });
    expect(h.events.find((e) => e.type === 'retry')).toMatchObject({ error: { code: 'ERR_DOWNLOAD_NETWORK' } });
    await expectIdentical(dest);
  });

  it('times out a stalled body and resumes', async () => {
    h.server.queueFaults('/f', { kind: 'stall', afterBytes: 200_000 });
    const dest = h.dest();
    const started = performance.now();
    const result = await download(h.server.url('/f'), dest, h.options({ timeout: 300 }));
    expect(performance.now() - started).toBeLessThan(5000);
    expect(result).toMatchObject({ status: 'resumed', attempts: 2 });
    expect(h.events.find((e) => e.type === 'retry')).toMatchObject({ error: { code: 'ERR_DOWNLOAD_TIMEOUT' } });
    await expectIdentical(dest);
  });

  it('never accepts a body longer than Content-Length as a different file', async () => {
    h.server.queueFaults('/f', { kind: 'extra', bytes: 1000 });
    const dest = h.dest();
    const result = await download(h.server.url('/f'), dest, h.options());
    // undici reads exactly Content-Length bytes and drops the connection's trailing garbage.
    expect(result).toMatchObject({ status: 'downloaded', size: SIZE, verified: true });
    await expectIdentical(dest);
  });

  it('fails a close-delimited body longer than expectedSize, leaving nothing', async () => {
    h.server.setFile('/f', { content, contentLength: false, ranges: false, etag: false, lastModified: false });
    const dest = h.dest();
    const error = await rejection(download(h.server.url('/f'), dest, h.options({ expectedSize: SIZE - 10 })));
    expect(error.code).toBe('ERR_DOWNLOAD_SIZE_MISMATCH');
    expect(leftovers(dest)).toEqual({ final: false, part: false, sidecar: false });
  });

  it('reports a close-delimited body of unknown length as unverified', async () => {
    h.server.setFile('/f', { content, contentLength: false });
    const dest = h.dest();
    const result = await download(h.server.url('/f'), dest, h.options());
    expect(result).toMatchObject({ status: 'downloaded', verified: false, size: SIZE });
    await expectIdentical(dest);
  });

  it('verifies a close-delimited body against expectedSize and retries when short', async () => {
    h.server.setFile('/f', { content, contentLength: false, ranges: false, etag: false, lastModified: false });
    h.server.queueFaults('/f', { kind: 'close', afterBytes: 100_000 });
    const dest = h.dest();
    const result = await download(h.server.url('/f'), dest, h.options({ expectedSize: SIZE }));
    expect(result).toMatchObject({ status: 'downloaded', verified: true, attempts: 2 });
    expect(h.events.find((e) => e.type === 'retry')).toMatchObject({ error: { code: 'ERR_DOWNLOAD_SIZE_MISMATCH' } });
    await expectIdentical(dest);
  });

  it('starts over when the file changed between attempts (never splices two versions)', async () => {
    h.server.queueFaults('/f', { kind: 'reset', afterBytes: 400_000 }, { kind: 'change', content: changed });
    const dest = h.dest();
    const result = await download(h.server.url('/f'), dest, h.options());
    // If-Range did not match: the server sent the new file whole.
    expect(h.server.requests[1]?.status).toBe(200);
    expect(h.events).toContainEqual({ type: 'restart', reason: 'validator-changed' });
    expect(result).toMatchObject({ status: 'downloaded', verified: true });
    await expectIdentical(dest, changed);
  });

  it('starts over when a server ignoring If-Range sends a 206 of a changed file', async () => {
    h.server.queueFaults('/f', { kind: 'reset', afterBytes: 400_000 }, { kind: 'ignore-if-range' });
    const dest = h.dest();
    const options = h.options();
    const result = await download(h.server.url('/f'), dest, {
      ...options,
      // The file changes on the server during the retry wait.
      sleep: async () => h.server.setFile('/f', { content: changed }),
    });
    // Attempt 2 got a 206 carrying the new ETag: thrown away, attempt 3 starts from 0.
    expect(h.server.requests.map((r) => r.status)).toEqual([200, 206, 200]);
    expect(h.events).toContainEqual({ type: 'restart', reason: 'validator-changed' });
    expect(result).toMatchObject({ status: 'downloaded', verified: true });
    await expectIdentical(dest, changed);
  });

  it('combines faults: 500, reset, 503 Retry-After, short close, then success', async () => {
    h.server.queueFaults(
      '/f',
      { kind: 'status', status: 500 },
      { kind: 'reset', afterBytes: 100_000 },
      { kind: 'status', status: 503, headers: { 'retry-after': '1' } },
      { kind: 'close', afterBytes: 200_000 },
    );
    const dest = h.dest();
    const result = await download(h.server.url('/f'), dest, h.options({ maxRetries: 5 }));
    expect(result).toMatchObject({ status: 'resumed', attempts: 5, verified: true });
    expect(h.sleeps).toEqual([1000, 2000, 1000, 8000]);
    await expectIdentical(dest);
  });

  it('keeps a resumable .part after retries run out and resumes it in the next run', async () => {
    h.server.queueFaults('/f', { kind: 'reset', afterBytes: 300_000 });
    const dest = h.dest();
    const error = await rejection(download(h.server.url('/f'), dest, h.options({ maxRetries: 0 })));
    expect(error.code).toBe('ERR_DOWNLOAD_NETWORK');
    expect(leftovers(dest)).toEqual({ final: false, part: true, sidecar: true });
    const result = await download(h.server.url('/f'), dest, h.options());
    expect(result.status).toBe('resumed');
    expect(result.bytes).toBeLessThan(SIZE);
    await expectIdentical(dest);
  });

  it('restarts where the server has no validators and no Range (Timelapse2 1.x)', async () => {
    h.server.setFile('/f', { content, ranges: false, etag: false, lastModified: false });
    h.server.queueFaults('/f', { kind: 'reset', afterBytes: 300_000 });
    const dest = h.dest();
    await rejection(download(h.server.url('/f'), dest, h.options({ maxRetries: 0 })));
    // Nothing can prove the next response continues the same file: no .part is kept.
    expect(leftovers(dest)).toEqual({ final: false, part: false, sidecar: false });
    const result = await download(h.server.url('/f'), dest, h.options());
    expect(result).toMatchObject({ status: 'downloaded', bytes: SIZE });
    expect(h.server.requests.at(-1)?.headers.range).toBeUndefined();
    await expectIdentical(dest);
  });

  it('completes from a whole .part on 416 (died between the last byte and the rename)', async () => {
    const dest = h.dest();
    const paths = temporaryPaths(dest);
    await mkdir(paths.directory, { recursive: true });
    await writeFile(paths.part, content);
    const etag = `"${sha256(content).slice(0, 16)}"`;
    await writeFile(paths.state, JSON.stringify({ version: 1, etag, total: SIZE }));
    const result = await download(h.server.url('/f'), dest, h.options());
    expect(h.server.requests[0]?.status).toBe(416);
    expect(result).toMatchObject({ status: 'resumed', bytes: 0, size: SIZE, verified: true });
    await expectIdentical(dest);
  });
});

describe('existing destination', () => {
  it("'skip' makes no request", async () => {
    const dest = h.dest();
    await writeFile(dest, 'old');
    const result = await download(h.server.url('/f'), dest, h.options());
    expect(result).toMatchObject({ status: 'skipped', skipReason: 'exists', attempts: 0, size: 3 });
    expect(h.server.requests).toHaveLength(0);
  });

  it("'check-size' probes with a 1-byte Range GET and skips when sizes match", async () => {
    const dest = h.dest();
    await writeFile(dest, content);
    const result = await download(h.server.url('/f'), dest, h.options({ existing: 'check-size' }));
    expect(result).toMatchObject({ status: 'skipped', skipReason: 'size-matches', localSize: SIZE, remoteSize: SIZE, verified: true });
    expect(h.server.requests.map((r) => [r.headers.range, r.status])).toEqual([['bytes=0-0', 206]]);
  });

  it("'check-size' re-downloads on a mismatch, using the GET's own Content-Length when Range is refused", async () => {
    h.server.setFile('/f', { content, ranges: false });
    const dest = h.dest();
    await writeFile(dest, 'short');
    const result = await download(h.server.url('/f'), dest, h.options({ existing: 'check-size' }));
    expect(h.events).toContainEqual({ type: 'size-mismatch', localSize: 5, remoteSize: SIZE });
    expect(result).toMatchObject({ status: 'downloaded', localSize: 5, remoteSize: SIZE, attempts: 2 });
    await expectIdentical(dest);
  });

  it("'check-size' with an unknown remote size skips as size-unverifiable", async () => {
    h.server.setFile('/f', { content, ranges: false, contentLength: false });
    const dest = h.dest();
    await writeFile(dest, 'x');
    const result = await download(h.server.url('/f'), dest, h.options({ existing: 'check-size' }));
    expect(result).toMatchObject({ status: 'skipped', skipReason: 'size-unverifiable' });
  });

  it("'overwrite' replaces the file atomically", async () => {
    const dest = h.dest();
    await writeFile(dest, 'old');
    const result = await download(h.server.url('/f'), dest, h.options({ existing: 'overwrite' }));
    expect(result.status).toBe('downloaded');
    await expectIdentical(dest);
  });
});

describe('progress and abort', () => {
  it('reports progress up to 100 %', async () => {
    const seen: number[] = [];
    await download(h.server.url('/f'), h.dest(), h.options({ rateLimitMbps: 40, progressInterval: 50, onProgress: (p) => seen.push(p.percent ?? -1) }));
    expect(seen.length).toBeGreaterThan(2);
    expect(seen.at(-1)).toBe(100);
    expect([...seen].sort((a, b) => a - b)).toEqual(seen);
  });

  it('an aborted signal rejects with ERR_DOWNLOAD_ABORTED and keeps the resumable .part', async () => {
    const controller = new AbortController();
    const dest = h.dest();
    const promise = download(h.server.url('/f'), dest, h.options({ rateLimitMbps: 8, signal: controller.signal, progressInterval: 0, onProgress: (p) => p.bytes > 200_000 && controller.abort() }));
    const error = await rejection(promise);
    expect(error.code).toBe('ERR_DOWNLOAD_ABORTED');
    expect(leftovers(dest)).toEqual({ final: false, part: true, sidecar: true });
  });

  it('strips credentials from URLs in errors', async () => {
    h.server.queueFaults('/f', { kind: 'status', status: 404 });
    const url = h.server.url('/f').replace('http://', 'http://admin:secret@');
    const error = await rejection(download(url, h.dest(), h.options()));
    expect(error.message).not.toContain('secret');
    expect(error.url).not.toContain('secret');
  });
});
