import { open, readFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deterministicBytes, makeTempDir, sha256, type TempDir } from '@camdl/test-utils';
import { FileWriteError, writeBodyToFile } from './write-body-to-file.js';

let dir: TempDir;
beforeAll(async () => {
  dir = await makeTempDir('camdl-write-');
});
afterAll(async () => {
  await dir.cleanup();
});

/** A real file handle whose writes and syncs are recorded, in order. */
function recorded(file: FileHandle, log: string[]): FileHandle {
  return new Proxy(file, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        if (property === 'writev' || property === 'datasync' || property === 'sync') log.push(String(property));
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

const chunks = (data: Buffer, size: number): Buffer[] =>
  Array.from({ length: Math.ceil(data.length / size) }, (_, i) => data.subarray(i * size, (i + 1) * size));

describe('writeBodyToFile', () => {
  it('writes every byte in order, fdatasyncs in the background while writing, fsyncs before resolving', async () => {
    const data = deterministicBytes(8 * 1024 * 1024, 7);
    const path = join(dir.path, 'durable.bin');
    const file = await open(path, 'w');
    const log: string[] = [];
    let counted = 0;
    await writeBodyToFile(Readable.from(chunks(data, 64 * 1024)), recorded(file, log), {
      durable: true,
      syncEveryBytes: 1024 * 1024,
      onChunk: (chunk) => {
        counted += chunk.length;
        return undefined;
      },
    });
    log.push('resolved');
    await file.close();
    expect(counted).toBe(data.length);
    expect(sha256(await readFile(path))).toBe(sha256(data));
    expect(log.filter((entry) => entry === 'datasync').length).toBeGreaterThanOrEqual(1);
    // Gathered while writes were in flight: fewer writes than the 128 chunks that came in.
    expect(log.filter((entry) => entry === 'writev').length).toBeLessThan(128);
    // The final fsync comes after the last write, and before the promise resolves.
    expect(log.slice(-2)).toEqual(['sync', 'resolved']);
  });

  it('does not sync at all when not durable', async () => {
    const data = deterministicBytes(3 * 1024 * 1024, 8);
    const path = join(dir.path, 'fast.bin');
    const file = await open(path, 'w');
    const log: string[] = [];
    await writeBodyToFile(Readable.from(chunks(data, 10_000)), recorded(file, log), { durable: false, syncEveryBytes: 1024 });
    await file.close();
    expect(sha256(await readFile(path))).toBe(sha256(data));
    expect(log).not.toContain('datasync');
    expect(log).not.toContain('sync');
  });

  it('pauses the source while a batch waits, so memory stays bounded', async () => {
    const source = new PassThrough({ highWaterMark: 64 * 1024 });
    const path = join(dir.path, 'bounded.bin');
    const file = await open(path, 'w');
    const done = writeBodyToFile(source, file, { durable: false, batchBytes: 256 * 1024 });
    let refusedAt = -1;
    const chunk = Buffer.alloc(64 * 1024, 1);
    for (let i = 0; i < 200; i++) {
      if (!source.write(chunk)) {
        refusedAt = i;
        break;
      }
    }
    // Backpressure reached the producer long before 200 chunks (12.5 MiB) were accepted.
    expect(refusedAt).toBeGreaterThanOrEqual(0);
    expect(refusedAt).toBeLessThan(40);
    source.end();
    await done;
    await file.close();
  });

  it('fails with a FileWriteError carrying the disk error', async () => {
    const path = join(dir.path, 'read-only.bin');
    await (await open(path, 'w')).close();
    const file = await open(path, 'r');
    try {
      const failure = writeBodyToFile(Readable.from([Buffer.alloc(1000)]), file, { durable: true });
      await expect(failure).rejects.toBeInstanceOf(FileWriteError);
      await expect(failure).rejects.toMatchObject({ cause: { code: 'EBADF' } });
    } finally {
      await file.close();
    }
  });

  it('stops at the first chunk onChunk refuses, and on abort, destroying the source', async () => {
    const path = join(dir.path, 'refused.bin');
    const file = await open(path, 'w');
    const refusal = new Error('too long');
    const source = Readable.from(chunks(Buffer.alloc(100_000), 10_000));
    let seen = 0;
    await expect(
      writeBodyToFile(source, file, { durable: false, onChunk: () => (++seen === 3 ? refusal : undefined) }),
    ).rejects.toBe(refusal);
    expect(source.destroyed).toBe(true);

    const controller = new AbortController();
    const endless = new PassThrough();
    const aborted = writeBodyToFile(endless, file, { durable: false, signal: controller.signal });
    endless.write(Buffer.alloc(1000));
    controller.abort(new Error('user pressed Ctrl+C'));
    await expect(aborted).rejects.toThrow('user pressed Ctrl+C');
    expect(endless.destroyed).toBe(true);
    await file.close();
  });

  it('rejects with the error of a source that failed before it was handed over, or closed without ending', async () => {
    const file = await open(join(dir.path, 'gone.bin'), 'w');
    try {
      // What undici 8 does to a body whose socket was reset while its buffered bytes were still unread.
      const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
      const failed = new PassThrough();
      failed.on('error', () => {});
      failed.write(Buffer.alloc(1000));
      failed.destroy(reset);
      await new Promise((resolve) => setImmediate(resolve));
      await expect(writeBodyToFile(failed, file, { durable: false })).rejects.toBe(reset);

      const closed = new PassThrough();
      closed.write(Buffer.alloc(1000));
      closed.destroy();
      await expect(writeBodyToFile(closed, file, { durable: false })).rejects.toMatchObject({ code: 'ERR_STREAM_PREMATURE_CLOSE' });

      // Closed while being read, without an error and before its end.
      const cut = new PassThrough();
      const pending = writeBodyToFile(cut, file, { durable: false });
      cut.write(Buffer.alloc(1000));
      setTimeout(() => cut.destroy(), 10);
      await expect(pending).rejects.toMatchObject({ code: 'ERR_STREAM_PREMATURE_CLOSE' });
    } finally {
      await file.close();
    }
  });
});
