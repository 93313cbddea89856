import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { deterministicBytes, sha256, sha256File } from '@camdl/test-utils';
import { download, RateLimiter, temporaryPaths } from '../src/index.js';
import { progressAbove, spawnDownload } from './child.js';
import { leftovers, rejection, useHarness } from './helpers.js';

// Never losing footage, at the engine: what every caller (timelapse2-dl, amcrest-dl, camdl sync) gets.

const SIZE = 512 * 1024 + 17;
const content = deterministicBytes(SIZE, 11);

const h = useHarness({ '/f': { content } });

describe('temporary files', () => {
  it('live in .camdl-tmp/ next to the destination, never next to it under a name an archive can have', async () => {
    const dest = h.dest('a.mp4');
    // Files that look like the engine's own, as a camera may name its archives.
    await writeFile(`${dest}.part`, 'an archive called a.mp4.part');
    await writeFile(`${dest}.part.json`, '{"version":1,"etag":"\\"x\\"","total":1}');
    const result = await download(h.server.url('/f'), dest, h.options());
    expect(result).toMatchObject({ status: 'downloaded', size: SIZE });
    expect(await sha256File(dest)).toBe(sha256(content));
    expect(await readdir(dirname(dest))).toEqual(expect.arrayContaining(['a.mp4', 'a.mp4.part', 'a.mp4.part.json']));
    expect(temporaryPaths(dest).part).toBe(`${dirname(dest)}/.camdl-tmp/a.mp4.part`);
    // The temporary directory goes away with its last file.
    expect((await readdir(dirname(dest))).includes('.camdl-tmp')).toBe(false);
  });
});

describe('answers that are not the file', () => {
  it('a Content-Encoding other than identity is refused, nothing saved, not retried', async () => {
    h.server.setFile('/z', { content: gzipSync(content), headers: { 'content-encoding': 'gzip' } });
    const dest = h.dest('z.bin');
    const error = await rejection(download(h.server.url('/z'), dest, h.options()));
    expect(error.code).toBe('ERR_DOWNLOAD_BAD_RESPONSE');
    expect(error.message).toMatch(/Content-Encoding: gzip/);
    expect(h.server.requests).toHaveLength(1);
    expect(leftovers(dest)).toEqual({ final: false, part: false, sidecar: false });
  });

  it('acceptContentType refuses an error page before a byte is written', async () => {
    h.server.setFile('/page', { content: Buffer.from('<html>busy</html>'), contentType: 'text/html; charset=utf-8' });
    const dest = h.dest('page.mp4');
    const error = await rejection(download(h.server.url('/page'), dest, h.options({ acceptContentType: (type) => !/html/.test(type ?? '') })));
    expect(error.code).toBe('ERR_DOWNLOAD_BAD_RESPONSE');
    expect(error.message).toMatch(/200 text\/html/);
    expect(leftovers(dest)).toEqual({ final: false, part: false, sidecar: false });
  });

  it('minSize: a shorter answer with a matching Content-Length is a truncated one (retried, then failed)', async () => {
    const dest = h.dest();
    const error = await rejection(download(h.server.url('/f'), dest, h.options({ minSize: SIZE * 2, maxRetries: 2 })));
    expect(error.code).toBe('ERR_DOWNLOAD_SIZE_MISMATCH');
    expect(h.server.requests).toHaveLength(3);
    expect(leftovers(dest).final).toBe(false);
  });

  it('minSize: a close-delimited body ending short of it is not a file either', async () => {
    h.server.setFile('/c', { content, contentLength: false, ranges: false, etag: false, lastModified: false });
    const dest = h.dest('c.bin');
    const error = await rejection(download(h.server.url('/c'), dest, h.options({ minSize: SIZE + 1, maxRetries: 0 })));
    expect(error.code).toBe('ERR_DOWNLOAD_SIZE_MISMATCH');
    expect(leftovers(dest).final).toBe(false);
  });
});

describe('two writers, one file', () => {
  it('a destination locked by a live process is refused with ERR_DOWNLOAD_BUSY, before any request', async () => {
    const dest = h.dest();
    const paths = temporaryPaths(dest);
    await mkdir(paths.directory, { recursive: true });
    // A real other process, alive while we try.
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 20000)'], { stdio: 'ignore' });
    try {
      await writeFile(paths.lock, JSON.stringify({ pid: other.pid, host: hostname(), started: 'now' }));
      const error = await rejection(download(h.server.url('/f'), dest, h.options()));
      expect(error.code).toBe('ERR_DOWNLOAD_BUSY');
      expect(error.message).toContain(`another camdl process (pid ${other.pid})`);
      expect(h.server.requests).toHaveLength(0);
    } finally {
      other.kill();
      await once(other, 'exit');
    }
    // Its process is gone: the lock is stale and taken over.
    const result = await download(h.server.url('/f'), dest, h.options());
    expect(result.status).toBe('downloaded');
    expect(await sha256File(dest)).toBe(sha256(content));
  });

  it('a lock file never exists without its owner: a process killed at any moment leaves no lock or one naming its pid', async () => {
    const dest = h.dest('watched.bin');
    const { lock } = temporaryPaths(dest);
    h.server.setFile('/slow-lock', { content, bytesPerSecond: 1_000_000 });
    const child = spawnDownload(h.server.url('/slow-lock'), dest);
    const seen: string[] = [];
    let reads = 0;
    try {
      // Read the lock as fast as we can from before the child creates it until it is downloading.
      let downloading = false;
      void child.waitFor(progressAbove(1)).then(() => (downloading = true));
      while (!downloading) {
        try {
          seen.push(await readFile(lock, 'utf8'));
          reads += 1;
        } catch {
          // not there yet
        }
      }
    } finally {
      child.process.kill('SIGKILL');
      await child.exited;
    }
    expect(reads).toBeGreaterThan(0);
    for (const text of seen) expect(JSON.parse(text)).toMatchObject({ pid: child.process.pid, host: hostname() });
    // Killed with its lock held: the next run takes the dead process's lock over at once.
    const result = await download(h.server.url('/f'), dest, h.options());
    expect(result.status).not.toBe('skipped');
    expect(await sha256File(dest)).toBe(sha256(content));
  });

  it('an owner file left by a process killed before it linked its lock is cleaned up with the temporary directory', async () => {
    const dest = h.dest('orphan.bin');
    const { directory, lock } = temporaryPaths(dest);
    await mkdir(directory, { recursive: true });
    const gone = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
    await once(gone, 'exit');
    await writeFile(`${lock}.${gone.pid}.new`, JSON.stringify({ pid: gone.pid, host: hostname(), started: 'then' }));
    // A live process's owner file is left alone while it lives.
    const alive = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 20000)'], { stdio: 'ignore' });
    try {
      await writeFile(`${lock}.${alive.pid}.new`, JSON.stringify({ pid: alive.pid, host: hostname(), started: 'now' }));
      expect((await download(h.server.url('/f'), dest, h.options())).status).toBe('downloaded');
      expect(await readdir(directory)).toEqual([`orphan.bin.lock.${alive.pid}.new`]);
    } finally {
      alive.kill();
      await once(alive, 'exit');
    }
    await rm(dest);
    expect((await download(h.server.url('/f'), dest, h.options())).status).toBe('downloaded');
    expect((await readdir(dirname(dest))).includes('.camdl-tmp')).toBe(false);
  });

  it('appends only to the .part length it recorded: a .part that grew meanwhile is started over, never renamed', async () => {
    const dest = h.dest();
    const paths = temporaryPaths(dest);
    h.server.setFile('/slow', { content, bytesPerSecond: 400_000 });
    h.server.queueFaults('/slow', { kind: 'reset', afterBytes: 100_000 });
    let grown = false;
    const result = await download(h.server.url('/slow'), dest, {
      ...h.options({ maxRetries: 3 }),
      onEvent: (event) => {
        h.events.push(event);
        // Between the failed attempt and its resume, another writer appends junk to the .part.
        if (event.type === 'request' && event.attempt === 2 && !grown) {
          grown = true;
          void writeFile(paths.part, Buffer.alloc(1000, 0x58), { flag: 'a' });
        }
      },
    });
    expect(await sha256File(dest)).toBe(sha256(content));
    expect(result.size).toBe(SIZE);
    // Seen when the resume opens the .part (restart), or at the latest before the rename (a retry).
    const caught = h.events.some(
      (event) => (event.type === 'restart' && event.reason === 'part-changed') || (event.type === 'retry' && /another writer/.test(event.error.message)),
    );
    expect(caught).toBe(true);
  });
});

describe('a body that ends early under the rate limiter (Connection: close)', () => {
  it('is a clean retry, resumed, byte-identical', async () => {
    h.server.queueFaults('/f', { kind: 'close', afterBytes: 200_000 });
    const dest = h.dest();
    const result = await download(h.server.url('/f'), dest, h.options({ rateLimiter: new RateLimiter(20) }));
    expect(result.attempts).toBe(2);
    expect(await sha256File(dest)).toBe(sha256(content));
  });
});
