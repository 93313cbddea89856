import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { link, mkdir, open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Transform, Writable, type Readable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createThrottleStream, type RateLimiter } from '@camdl/throttled-download';
import { systemErrorCode } from './errors.js';

/** Read size for local files: large enough for throughput, small enough that memory stays flat. */
export const READ_CHUNK_BYTES = 1024 * 1024;

/** The suffix of the temporary files camdl writes beside a final name (skipped by every listing). */
export const PART_SUFFIX = '.camdl-part';

export interface Digest {
  size: number;
  sha256: string;
}

/** A pass-through that hashes and counts what flows through it. */
export class HashingStream extends Transform {
  readonly #hash = createHash('sha256');
  #size = 0;
  readonly #onBytes: ((bytes: number) => void) | undefined;

  constructor(onBytes?: (bytes: number) => void) {
    super({ highWaterMark: READ_CHUNK_BYTES });
    this.#onBytes = onBytes;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.#hash.update(chunk);
    this.#size += chunk.length;
    this.#onBytes?.(this.#size);
    callback(null, chunk);
  }

  digest(): Digest {
    return { size: this.#size, sha256: this.#hash.digest('hex') };
  }
}

/** A sink that drops everything (the hashing happened upstream). */
function discard(): Writable {
  return new Writable({
    highWaterMark: READ_CHUNK_BYTES,
    write(_chunk, _encoding, callback) {
      callback();
    },
  });
}

/** The stages between a source and its sink: the rate limit first, so the hash counts what was let through. */
function middle(rateLimiter: RateLimiter | undefined, signal: AbortSignal | undefined, hashing: HashingStream): Transform[] {
  return rateLimiter ? [createThrottleStream(rateLimiter, { signal }), hashing] : [hashing];
}

/** Reads a stream to its end, hashing it; nothing is kept. */
export async function hashStream(source: Readable, options: { signal?: AbortSignal | undefined; rateLimiter?: RateLimiter | undefined }): Promise<Digest> {
  const hashing = new HashingStream();
  await pipeline([source, ...middle(options.rateLimiter, options.signal, hashing), discard()], { signal: options.signal });
  return hashing.digest();
}

/** Size and sha256 of a local file, read once. */
export function hashFile(path: string, options: { signal?: AbortSignal | undefined; rateLimiter?: RateLimiter | undefined } = {}): Promise<Digest> {
  return hashStream(createReadStream(path, { highWaterMark: READ_CHUNK_BYTES }), options);
}

/** A temporary name beside `finalPath`: hidden, unique, and ending in {@link PART_SUFFIX}. */
export function partPathFor(finalPath: string): string {
  return join(dirname(finalPath), `.${basename(finalPath)}.${randomBytes(6).toString('hex')}${PART_SUFFIX}`);
}

/** fsync a directory so a rename in it survives a power cut; file systems that cannot (some network mounts) are let be. */
export async function fsyncDirectory(path: string): Promise<void> {
  let handle;
  try {
    handle = await open(path, 'r');
    await handle.sync();
  } catch (error) {
    if (!['EINVAL', 'EPERM', 'EACCES', 'EISDIR', 'ENOTSUP', 'EBADF'].includes(systemErrorCode(error) ?? '')) throw error;
  } finally {
    await handle?.close();
  }
}

export interface WriteAtomicallyOptions {
  signal?: AbortSignal | undefined;
  rateLimiter?: RateLimiter | undefined;
  /** fsync the file and its directory. */
  fsync: boolean;
  /** Called after the stream ended and before the file gets its final name: throw to keep it from getting it. */
  accept?: (digest: Digest) => void;
  /**
   * `'replace'`: rename over anything at the final name. `'no-clobber'`: a hard link, which fails with EEXIST
   * when something is already there (falls back to rename where links are unsupported).
   */
  publish: 'replace' | 'no-clobber';
  onBytes?: (bytes: number) => void;
  /**
   * Maps a failure of the local file system (creating the folder, writing, syncing or naming the file: a
   * full disk, a read-only mount) to the error thrown, so that it is told apart from a failure of `source`.
   * @default the error as it is
   */
  localError?: (error: unknown) => Error;
}

/**
 * Streams `source` into a temporary file beside `finalPath`, then gives it the final name: nothing is ever under
 * `finalPath` that is not complete (and accepted). The temporary file is removed on any failure.
 */
export async function writeAtomically(source: Readable, finalPath: string, options: WriteAtomicallyOptions): Promise<Digest> {
  const local = <T>(step: Promise<T>): Promise<T> => (options.localError === undefined ? step : step.catch((error: unknown) => Promise.reject(options.localError!(error))));
  await local(mkdir(dirname(finalPath), { recursive: true }));
  const partPath = partPathFor(finalPath);
  const hashing = new HashingStream(options.onBytes);
  const out = createWriteStream(partPath, { flags: 'wx' });
  let published = false;
  try {
    try {
      await pipeline([source, ...middle(options.rateLimiter, options.signal, hashing), out], { signal: options.signal });
    } catch (error) {
      // The file's own failure (ENOSPC, EIO...) is the local disk's, whatever the pipeline reports first.
      if (out.errored !== null && options.localError !== undefined && !options.signal?.aborted) throw options.localError(out.errored);
      throw error;
    }
    const digest = hashing.digest();
    if (options.fsync) {
      await local(
        (async () => {
          const handle = await open(partPath, 'r+');
          try {
            await handle.sync();
          } finally {
            await handle.close();
          }
        })(),
      );
    }
    options.accept?.(digest);
    if (options.publish === 'no-clobber') {
      try {
        await link(partPath, finalPath);
      } catch (error) {
        if (!['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EMLINK'].includes(systemErrorCode(error) ?? '')) throw error;
        await local(rename(partPath, finalPath));
        published = true;
      }
    } else {
      await local(rename(partPath, finalPath));
      published = true;
    }
    if (options.fsync) await local(fsyncDirectory(dirname(finalPath)));
    return digest;
  } finally {
    if (!published) await unlink(partPath).catch(() => undefined);
  }
}
