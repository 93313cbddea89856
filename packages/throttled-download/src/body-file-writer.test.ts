import { openSync, closeSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { deterministicBytes, makeTempDir, sha256, type TempDir } from '@camdl/test-utils';
import { BodyFileWriter, FileWriteError, WRITE_BUFFER_BYTES } from './body-file-writer.js';

let dir: TempDir;
beforeAll(async () => {
  dir = await makeTempDir('camdl-writer-');
});
afterAll(async () => {
  await dir.cleanup();
});

const noop = (): void => {};

/** Feeds `data` in chunks of varying sizes, each from a buffer reused (overwritten) right after. */
async function feed(writer: BodyFileWriter, data: Buffer, sizes: number[], drained: () => Promise<void>): Promise<void> {
  const scratch = Buffer.alloc(Math.max(...sizes));
  let at = 0;
  for (let i = 0; at < data.length; i++) {
    const size = Math.min(sizes[i % sizes.length] ?? 1, data.length - at);
    data.copy(scratch, 0, at, at + size);
    at += size;
    const more = writer.write(scratch.subarray(0, size));
    scratch.fill(0);
    if (!more) await drained();
  }
}

/** Writes `data` to a new file at `path` through a writer of its own, as one download would. */
async function writeThrough(path: string, data: Buffer, sizes: number[], options: { durable?: boolean; syncEveryBytes?: number } = {}): Promise<void> {
  const fd = openSync(path, 'w');
  let wake: () => void = noop;
  const writer = new BodyFileWriter(fd, { durable: options.durable ?? false, ...options, onError: noop, onDrain: () => wake() });
  await feed(writer, data, sizes, () => new Promise<void>((resolve) => (wake = resolve)));
  await writer.end();
  closeSync(fd);
}

describe('BodyFileWriter', () => {
  it('writes every byte in order from a reused source buffer, durable or not', async () => {
    for (const durable of [true, false]) {
      const data = deterministicBytes(5 * 1024 * 1024 + 333, durable ? 7 : 8);
      const path = join(dir.path, `all-${durable}.bin`);
      const fd = openSync(path, 'w');
      let wake: () => void = noop;
      const writer = new BodyFileWriter(fd, { durable, syncEveryBytes: 1024 * 1024, onError: noop, onDrain: () => wake() });
      await feed(writer, data, [1, 65_536, 100_000, 7, 262_144, 3000], () => new Promise<void>((resolve) => (wake = resolve)));
      await writer.end();
      closeSync(fd);
      expect(sha256(readFileSync(path))).toBe(sha256(data));
    }
  });

  it('asks the source to pause while both buffers are busy, so memory stays bounded', async () => {
    const path = join(dir.path, 'bounded.bin');
    const fd = openSync(path, 'w');
    let drains = 0;
    let wake: () => void = noop;
    const drained = new Promise<void>((resolve) => (wake = resolve));
    const writer = new BodyFileWriter(fd, { durable: false, onError: noop, onDrain: () => (drains++, wake()) });
    const chunk = Buffer.alloc(64 * 1024, 1);
    let refusedAt = -1;
    for (let i = 0; i < 400; i++) {
      if (!writer.write(chunk)) {
        refusedAt = i;
        break;
      }
    }
    // Refused after about two buffers' worth (2 MiB = 32 chunks), long before 400 chunks (25 MiB).
    expect(refusedAt).toBeGreaterThanOrEqual(8);
    expect(refusedAt).toBeLessThan((3 * WRITE_BUFFER_BYTES) / chunk.length);
    await drained;
    await writer.end();
    closeSync(fd);
    expect(drains).toBe(1);
    expect(statSync(path).size).toBe((refusedAt + 1) * chunk.length);
  });

  it('writes a slow trickle out within a fraction of a second, without waiting for a full buffer', async () => {
    const path = join(dir.path, 'trickle.bin');
    const fd = openSync(path, 'w');
    const writer = new BodyFileWriter(fd, { durable: false, onError: noop, onDrain: noop });
    writer.write(Buffer.from('a few bytes'));
    const deadline = Date.now() + 3000;
    while (statSync(path).size === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(statSync(path).size).toBe(11);
    await writer.end();
    closeSync(fd);
  });

  it('stop() still writes what was received (a transfer cut short keeps its bytes), then takes nothing more', async () => {
    const path = join(dir.path, 'stopped.bin');
    const fd = openSync(path, 'w');
    const writer = new BodyFileWriter(fd, { durable: false, onError: noop, onDrain: noop });
    const data = deterministicBytes(1_500_000, 3);
    writer.write(data);
    await writer.stop();
    expect(writer.write(Buffer.from('late'))).toBe(false);
    closeSync(fd);
    expect(sha256(readFileSync(path))).toBe(sha256(data));
  });

  it('reports a failed write as a FileWriteError carrying the disk error', async () => {
    const path = join(dir.path, 'read-only.bin');
    closeSync(openSync(path, 'w'));
    const fd = openSync(path, 'r');
    const errors: unknown[] = [];
    const writer = new BodyFileWriter(fd, { durable: true, onError: (error) => errors.push(error), onDrain: noop });
    writer.write(Buffer.alloc(1000));
    const ended = writer.end();
    await expect(ended).rejects.toBeInstanceOf(FileWriteError);
    await expect(ended).rejects.toMatchObject({ cause: { code: 'EBADF' } });
    expect(errors).toHaveLength(1);
    closeSync(fd);
  });

  it('downloads one after another reuse the same write buffers instead of allocating two each', async () => {
    const allocUnsafe = vi.spyOn(Buffer, 'allocUnsafe');
    try {
      for (let i = 0; i < 4; i++) {
        const data = deterministicBytes(3 * WRITE_BUFFER_BYTES + 1000, 20 + i);
        const path = join(dir.path, `sequential-${i}.bin`);
        await writeThrough(path, data, [65_536, 200_000]);
        expect(sha256(readFileSync(path))).toBe(sha256(data));
      }
      const writeBuffers = allocUnsafe.mock.calls.filter(([size]) => size === WRITE_BUFFER_BYTES).length;
      // Earlier tests of this file may have left buffers in the pool: at most two new ones, not 4 × 2.
      expect(writeBuffers).toBeLessThanOrEqual(2);
    } finally {
      allocUnsafe.mockRestore();
    }
  });

  it('writers running at once share the pool and each file gets exactly its own bytes', async () => {
    const count = 6;
    const files = Array.from({ length: count }, (_, i) => ({
      data: deterministicBytes(2 * WRITE_BUFFER_BYTES + 777 * i, 40 + i),
      path: join(dir.path, `concurrent-${i}.bin`),
    }));
    await Promise.all(
      files.map(({ data, path }, i) => writeThrough(path, data, [4096 + i, 131_072, 300_000 - i], { durable: i % 2 === 0, syncEveryBytes: WRITE_BUFFER_BYTES })),
    );
    for (const { data, path } of files) expect(sha256(readFileSync(path))).toBe(sha256(data));
  });

  it('a writer that failed gives its buffers back without handing one out twice', async () => {
    const bad = join(dir.path, 'failing.bin');
    closeSync(openSync(bad, 'w'));
    const readOnly = openSync(bad, 'r');
    const failing = new BodyFileWriter(readOnly, { durable: false, onError: noop, onDrain: noop });
    failing.write(Buffer.alloc(600_000, 9));
    failing.write(Buffer.alloc(600_000, 9));
    await expect(failing.end()).rejects.toBeInstanceOf(FileWriteError);
    closeSync(readOnly);
    const files = [0, 1].map((i) => ({ data: deterministicBytes(3 * WRITE_BUFFER_BYTES, 60 + i), path: join(dir.path, `after-failure-${i}.bin`) }));
    await Promise.all(
      files.map(({ data, path }) => writeThrough(path, data, [262_144, 50_000])),
    );
    for (const { data, path } of files) expect(sha256(readFileSync(path))).toBe(sha256(data));
  });
});
