import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';

const BLOCK_SIZE = 64 * 1024;

/**
 * Deterministic bytes of any length, computed block by block (never held in memory): a seeded 64 KiB
 * pattern whose first 16 bytes carry the block number, so a shifted or repeated range changes the hash.
 * An optional `head` replaces the first bytes (a container header, so the file has the shape of the
 * real one).
 */
export class GeneratedBytes {
  private readonly pattern: Buffer;
  private readonly head: Buffer | undefined;

  constructor(
    readonly seed: string,
    readonly size: number,
    head?: Buffer,
  ) {
    if (head !== undefined && head.length > BLOCK_SIZE) throw new RangeError(`head is ${head.length} bytes, at most ${BLOCK_SIZE}`);
    this.head = head !== undefined && head.length > 0 ? head : undefined;
    const pattern = Buffer.alloc(BLOCK_SIZE);
    let state = createHash('sha256').update(seed).digest();
    for (let offset = 0; offset < BLOCK_SIZE; offset += state.length) {
      state.copy(pattern, offset);
      state = createHash('sha256').update(state).digest();
    }
    this.pattern = pattern;
  }

  private block(index: number): Buffer {
    const block = Buffer.from(this.pattern);
    block.write(index.toString(16).padStart(16, '0'), 0, 'latin1');
    if (index === 0 && this.head) this.head.copy(block, 0);
    return block;
  }

  /** Bytes `start..end` inclusive, streamed in 64 KiB chunks. */
  stream(start = 0, end = this.size - 1): Readable {
    let position = start;
    const last = Math.min(end, this.size - 1);
    const blockAt = (index: number): Buffer => this.block(index);
    return new Readable({
      highWaterMark: BLOCK_SIZE,
      read() {
        if (position > last) {
          this.push(null);
          return;
        }
        const index = Math.floor(position / BLOCK_SIZE);
        const from = position - index * BLOCK_SIZE;
        const to = Math.min(BLOCK_SIZE, last - index * BLOCK_SIZE + 1);
        position += to - from;
        this.push(blockAt(index).subarray(from, to));
      },
    });
  }

  /** sha256 of the whole content, streamed. */
  async sha256(): Promise<string> {
    const hash = createHash('sha256');
    for await (const chunk of this.stream()) hash.update(chunk as Buffer);
    return hash.digest('hex');
  }
}
