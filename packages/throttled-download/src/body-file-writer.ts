import { fdatasync, fsync, write } from 'node:fs';
import type { RunningHash } from './running-hash.js';

/** Size of each of the two write buffers of a download. */
export const WRITE_BUFFER_BYTES = 1024 * 1024;

/** Room kept free at the end of the buffer being filled: one more socket read always fits. */
const SLACK_BYTES = 256 * 1024;

/**
 * Idle write buffers shared by every writer of the process, at most this many kept. A buffer goes
 * back as soon as its bytes are written, so concurrent downloads share a few buffers instead of each
 * holding two, and a new download allocates nothing.
 */
const MAX_SPARE_WRITE_BUFFERS = 4;
const spareWriteBuffers: Buffer[] = [];

export function takeWriteBuffer(size: number): Buffer {
  const index = spareWriteBuffers.findLastIndex((buffer) => buffer.length === size);
  if (index === -1) return Buffer.allocUnsafe(size);
  const [buffer] = spareWriteBuffers.splice(index, 1);
  return buffer ?? Buffer.allocUnsafe(size);
}

/** Only for a buffer no write is using or will use again. */
export function giveBackWriteBuffer(buffer: Buffer): void {
  if (spareWriteBuffers.length < MAX_SPARE_WRITE_BUFFERS) spareWriteBuffers.push(buffer);
}

/** With `durable`, an `fdatasync` starts in the background after this many bytes were written since the last one. */
export const SYNC_EVERY_BYTES = 32 * 1024 * 1024;

export interface BodyFileWriterOptions {
  /**
   * Make the file durable: `fdatasync` in the background every `syncEveryBytes` while receiving (the
   * kernel writes back while the network is busy), and a final `fsync` in {@link BodyFileWriter.end}.
   */
  durable: boolean;
  /** @default SYNC_EVERY_BYTES (32 MiB) */
  syncEveryBytes?: number;
  /** @default WRITE_BUFFER_BYTES (1 MiB) */
  bufferBytes?: number;
  /** Takes every run of bytes `write(2)` reports written, in file order. @default undefined */
  hash?: RunningHash | undefined;
  /** A write or sync failed: the caller stops the transfer (the error is a {@link FileWriteError}). */
  onError: (error: FileWriteError) => void;
  /** There is room again after {@link BodyFileWriter.write} returned false. */
  onDrain: () => void;
}

/** A failure of the file itself (ENOSPC, EIO, EBADF...), told apart from a failure of the source. */
export class FileWriteError extends Error {
  override readonly name = 'FileWriteError';
  constructor(cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
  }
}

interface Pending {
  buffer: Buffer;
  length: number;
}

/**
 * Writes a body to an open file descriptor (which stays the caller's to close) through at most two
 * buffers: chunks are copied into one while the threadpool writes the other, so receiving and
 * writing overlap, a slow disk gets writes of up to 1 MiB, an idle one gets the bytes at once, and no
 * memory is allocated per chunk. A buffer is taken from a pool shared by all writers only while it
 * holds bytes and goes back once they are written. {@link write} returns false
 * when both buffers are busy (the caller pauses its source until `onDrain`).
 */
export class BodyFileWriter {
  readonly #fd: number;
  readonly #options: BodyFileWriterOptions;
  readonly #size: number;
  readonly #syncEvery: number;
  #current: Buffer | undefined;
  #fill = 0;
  readonly #queue: Pending[] = [];
  #writing = false;
  #syncing: Promise<void> | undefined;
  #unsynced = 0;
  #error: FileWriteError | undefined;
  #congested = false;
  #closed = false;
  #idle: (() => void)[] = [];

  constructor(fd: number, options: BodyFileWriterOptions) {
    this.#fd = fd;
    this.#options = options;
    this.#size = Math.max(2 * SLACK_BYTES, options.bufferBytes ?? WRITE_BUFFER_BYTES);
    this.#syncEvery = options.syncEveryBytes ?? SYNC_EVERY_BYTES;
  }

  /** Copies `chunk` (so the caller may reuse it); false when the caller should pause until `onDrain`. */
  write(chunk: Buffer): boolean {
    if (this.#closed) return false;
    let offset = 0;
    while (offset < chunk.length) {
      if (this.#current === undefined) {
        this.#current = takeWriteBuffer(this.#size);
        this.#fill = 0;
      }
      const copied = chunk.copy(this.#current, this.#fill, offset);
      this.#fill += copied;
      offset += copied;
      if (this.#fill === this.#current.length) this.#enqueue();
    }
    // An idle disk gets the bytes at once (a process killed a moment later keeps them in its
    // `.part`); while a write is in flight the next bytes gather in the other buffer, so the writes
    // grow as large as the disk is slow.
    if (!this.#writing) this.#enqueue();
    else if (this.#fill >= this.#size - SLACK_BYTES) this.#congested = true;
    return !this.#congested;
  }

  /** Writes what is left, waits for every write, then (durable) fsyncs. Rejects with a {@link FileWriteError}. */
  async end(): Promise<void> {
    if (this.#error) throw this.#error;
    if (this.#fill > 0) this.#enqueue();
    this.#closed = true;
    await this.#settled();
    if (this.#error) throw this.#error;
    await this.#syncing;
    if (this.#error) throw this.#error;
    if (this.#options.durable) {
      await new Promise<void>((resolve, reject) => fsync(this.#fd, (error) => (error ? reject(new FileWriteError(error)) : resolve())));
    }
  }

  /**
   * Stops taking chunks and resolves once no file operation is in flight. What was received is still
   * written (without the final fsync), unless a write already failed: every byte on disk is a byte of
   * the body, and a transfer cut short keeps as much of its resumable `.part` as it can.
   */
  async stop(): Promise<void> {
    if (this.#error === undefined && this.#fill > 0) this.#enqueue();
    this.#closed = true;
    await this.#settled();
    await this.#syncing;
  }

  #settled(): Promise<void> {
    if (!this.#writing) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  #enqueue(): void {
    if (this.#current === undefined || this.#fill === 0) return;
    this.#queue.push({ buffer: this.#current, length: this.#fill });
    this.#current = undefined;
    this.#fill = 0;
    this.#next();
  }

  #next(): void {
    if (this.#writing) return;
    const job = this.#queue.shift();
    if (job === undefined) {
      for (const wake of this.#idle.splice(0)) wake();
      return;
    }
    this.#writing = true;
    let done = 0;
    const step = (): void => {
      write(this.#fd, job.buffer, done, job.length - done, null, (error, written) => {
        if (error || written === 0) {
          this.#writing = false;
          this.#fail(error ?? new Error('write wrote 0 bytes'));
          for (const wake of this.#idle.splice(0)) wake();
          return;
        }
        this.#options.hash?.update(job.buffer.subarray(done, done + written));
        done += written;
        if (done < job.length) {
          step();
          return;
        }
        this.#writing = false;
        giveBackWriteBuffer(job.buffer);
        this.#written(job.length);
      });
    };
    step();
  }

  #written(bytes: number): void {
    if (this.#error) {
      for (const wake of this.#idle.splice(0)) wake();
      return;
    }
    this.#startBackgroundSync(bytes);
    // The buffer being filled reached its mark while this one was written: its turn now.
    if (this.#fill >= this.#size - SLACK_BYTES) this.#enqueue();
    else this.#next();
    if (this.#congested && !this.#closed && this.#queue.length === 0) {
      this.#congested = false;
      this.#options.onDrain();
    }
  }

  #startBackgroundSync(bytes: number): void {
    this.#unsynced += bytes;
    if (!this.#options.durable || this.#syncing !== undefined || this.#unsynced < this.#syncEvery) return;
    this.#unsynced = 0;
    this.#syncing = new Promise<void>((resolve) => {
      fdatasync(this.#fd, (error) => {
        this.#syncing = undefined;
        if (error) this.#fail(error);
        resolve();
      });
    });
  }

  #fail(error: unknown): void {
    if (this.#error) return;
    this.#error = new FileWriteError(error);
    this.#closed = true;
    // The write in flight, if any, is not in the queue: its buffer goes back when it completes.
    for (const job of this.#queue.splice(0)) giveBackWriteBuffer(job.buffer);
    if (this.#current !== undefined) giveBackWriteBuffer(this.#current);
    this.#current = undefined;
    this.#fill = 0;
    this.#options.onError(this.#error);
  }
}
