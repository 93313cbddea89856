import type { FileHandle } from 'node:fs/promises';
import { Writable } from 'node:stream';

/** Bytes the sink buffers before it stops asking for more: also the size of one `writev` batch. */
export const SINK_BUFFER_BYTES = 1024 * 1024;

/** With `durable`, an `fdatasync` starts in the background after this many bytes were written since the last one. */
export const SYNC_EVERY_BYTES = 32 * 1024 * 1024;

export interface FileSinkOptions {
  /**
   * Make the file durable before the stream finishes: `fdatasync` in the background every
   * `syncEveryBytes` while receiving (so the kernel writes back while the network is busy), then a
   * final `fsync` before `finish`. Without it, data may still be in the page cache at `finish`.
   */
  durable: boolean;
  /** @default SYNC_EVERY_BYTES (32 MiB) */
  syncEveryBytes?: number;
  /** @default SINK_BUFFER_BYTES (1 MiB) */
  highWaterMark?: number;
  /**
   * Called for every chunk, in order, just before it is written; an error it returns fails the stream
   * and nothing of that batch is written. (Counting here saves a stream stage on the hot path.)
   */
  onChunk?: (chunk: Buffer) => Error | undefined;
}

/**
 * A Writable onto an open file handle (which stays the caller's to close): batches chunks into
 * `writev` calls, overlaps flushing with receiving, and only emits `finish` once every byte is written
 * (and, when `durable`, fsynced).
 */
export function createFileSink(file: FileHandle, options: FileSinkOptions): Writable {
  const syncEvery = options.syncEveryBytes ?? SYNC_EVERY_BYTES;
  let unsynced = 0;
  let syncing: Promise<void> | undefined;
  let syncError: unknown;

  const afterWrite = (bytes: number): void => {
    unsynced += bytes;
    if (!options.durable || syncing !== undefined || unsynced < syncEvery) return;
    unsynced = 0;
    syncing = file.datasync().then(
      () => {
        syncing = undefined;
      },
      (error: unknown) => {
        syncing = undefined;
        syncError ??= error;
      },
    );
  };

  const writeAll = async (chunks: Buffer[]): Promise<void> => {
    if (syncError !== undefined) throw syncError;
    let bytes = 0;
    for (const chunk of chunks) {
      const refused = options.onChunk?.(chunk);
      if (refused) throw refused;
      bytes += chunk.length;
    }
    let written = 0;
    while (written < bytes) {
      const { bytesWritten } = await file.writev(written === 0 ? chunks : remainder(chunks, written));
      if (bytesWritten === 0) throw new Error('writev wrote 0 bytes');
      written += bytesWritten;
    }
    afterWrite(bytes);
  };

  return new Writable({
    highWaterMark: options.highWaterMark ?? SINK_BUFFER_BYTES,
    write(chunk: Buffer, _encoding, callback): void {
      writeAll([chunk]).then(() => callback(), callback);
    },
    writev(entries, callback): void {
      writeAll(entries.map((entry) => entry.chunk as Buffer)).then(() => callback(), callback);
    },
    final(callback): void {
      const finish = async (): Promise<void> => {
        await syncing;
        if (syncError !== undefined) throw syncError;
        if (options.durable) await file.sync();
      };
      finish().then(() => callback(), callback);
    },
    destroy(error, callback): void {
      // Let a background fdatasync settle before the caller closes the handle under it.
      void Promise.resolve(syncing).then(() => callback(error));
    },
  });
}

/** What is left of `chunks` after the first `skip` bytes (a short writev). */
function remainder(chunks: Buffer[], skip: number): Buffer[] {
  const rest: Buffer[] = [];
  let left = skip;
  for (const chunk of chunks) {
    if (left >= chunk.length) {
      left -= chunk.length;
      continue;
    }
    rest.push(left > 0 ? chunk.subarray(left) : chunk);
    left = 0;
  }
  return rest;
}
