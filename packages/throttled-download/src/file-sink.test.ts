import { open, readFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deterministicBytes, makeTempDir, sha256, type TempDir } from '@camdl/test-utils';
import { createFileSink } from './file-sink.js';

let dir: TempDir;
beforeAll(async () => {
  dir = await makeTempDir('camdl-sink-');
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

describe('createFileSink', () => {
  it('writes every byte in order, fdatasyncs in the background while writing, fsyncs before finish', async () => {
    const data = deterministicBytes(8 * 1024 * 1024, 7);
    const path = join(dir.path, 'durable.bin');
    const file = await open(path, 'w');
    const log: string[] = [];
    await pipeline(Readable.from(chunks(data, 64 * 1024)), createFileSink(recorded(file, log), { durable: true, syncEveryBytes: 1024 * 1024 }));
    log.push('finish');
    await file.close();
    expect(sha256(await readFile(path))).toBe(sha256(data));
    expect(log.filter((entry) => entry === 'datasync').length).toBeGreaterThanOrEqual(1);
    // Batched: far fewer writes than the 128 chunks that came in.
    expect(log.filter((entry) => entry === 'writev').length).toBeLessThan(64);
    // The final fsync comes after the last write, and before the stream reports it finished.
    expect(log.slice(-2)).toEqual(['sync', 'finish']);
  });

  it('does not sync at all when not durable', async () => {
    const data = deterministicBytes(3 * 1024 * 1024, 8);
    const path = join(dir.path, 'fast.bin');
    const file = await open(path, 'w');
    const log: string[] = [];
    await pipeline(Readable.from(chunks(data, 10_000)), createFileSink(recorded(file, log), { durable: false, syncEveryBytes: 1024 }));
    await file.close();
    expect(sha256(await readFile(path))).toBe(sha256(data));
    expect(log).not.toContain('datasync');
    expect(log).not.toContain('sync');
  });

  it('fails the pipeline with the disk error', async () => {
    const path = join(dir.path, 'read-only.bin');
    await (await open(path, 'w')).close();
    const file = await open(path, 'r');
    try {
      await expect(pipeline(Readable.from([Buffer.alloc(1000)]), createFileSink(file, { durable: true }))).rejects.toMatchObject({ code: 'EBADF' });
    } finally {
      await file.close();
    }
  });
});
