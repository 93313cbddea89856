import { createHash, type Hash } from 'node:crypto';
import { read } from 'node:fs';
import { giveBackWriteBuffer, takeWriteBuffer, WRITE_BUFFER_BYTES } from './body-file-writer.js';

/**
 * The SHA-256 of a file's first {@link bytes} bytes, fed with exactly the bytes `write(2)` reported
 * written, in file order. The body writer has one write in flight at a time, each one appended where the
 * previous ended, to a file only this process writes (the destination lock) whose size is checked
 * against the count before it is renamed: so the digest is the SHA-256 of the file as it is on disk,
 * and the final fsync makes those same bytes durable. Reading the file back right after writing it
 * would add nothing: it would be served from the same page cache the writes went to.
 */
export class RunningHash {
  readonly #hash: Hash = createHash('sha256');
  #bytes = 0;

  /** Bytes hashed so far: the file prefix the digest is of. */
  get bytes(): number {
    return this.#bytes;
  }

  update(bytes: Buffer): void {
    this.#hash.update(bytes);
    this.#bytes += bytes.length;
  }

  /** The hex digest; the hash takes no more bytes after it. */
  digest(): string {
    return this.#hash.digest('hex');
  }
}

/**
 * Hashes the first `length` bytes of the open file `fd` (read once, through a pooled write buffer):
 * the part of a resumed download that is already on disk. Undefined when the file is shorter.
 */
export async function hashFilePrefix(fd: number, length: number): Promise<RunningHash | undefined> {
  const running = new RunningHash();
  const buffer = takeWriteBuffer(WRITE_BUFFER_BYTES);
  try {
    while (running.bytes < length) {
      const position = running.bytes;
      const want = Math.min(buffer.length, length - position);
      const got = await new Promise<number>((resolve, reject) => {
        read(fd, buffer, 0, want, position, (error, bytesRead) => (error ? reject(error) : resolve(bytesRead)));
      });
      if (got === 0) return undefined;
      running.update(buffer.subarray(0, got));
    }
    return running;
  } finally {
    giveBackWriteBuffer(buffer);
  }
}
