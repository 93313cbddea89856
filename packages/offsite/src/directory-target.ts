import { constants, createReadStream } from 'node:fs';
import { access, opendir, stat, unlink } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { offsiteError, systemErrorCode, isOffsiteError, isAbortError, type OffsiteError, type TargetIdentity } from './errors.js';
import { assertFolderKey, assertKey, assertKeyPrefix, isKeySegment, keyProblem } from './keys.js';
import { hashFile, PART_SUFFIX, READ_CHUNK_BYTES, writeAtomically, type Digest } from './local-file.js';
import { restoreFile } from './restore-file.js';
import { checkPutOptions, configError } from './put-options.js';
import { abortedError, withRetries, type RetryPolicy } from './retry.js';
import { DEFAULT_ATTEMPTS, DEFAULT_RETRY_DELAY_MS, type DirectoryTargetOptions } from './target-options.js';
import type { FolderEntry, GetOptions, OffsiteTarget, PutOptions, PutResult, ReadOptions, RemoteObject, SignalOptions } from './types.js';

const RETRYABLE_FS_CODES = new Set(['EIO', 'ESTALE', 'ETIMEDOUT', 'EHOSTDOWN', 'EHOSTUNREACH', 'ENOTCONN', 'ECONNRESET', 'EAGAIN', 'EBUSY']);

/** A directory (a mounted NAS share, a USB disk) holding the copies in the archive's own layout. */
export class DirectoryTarget implements OffsiteTarget {
  readonly kind = 'directory';
  readonly name: string;
  readonly description: string;
  readonly #root: string;
  readonly #fsync: boolean;
  readonly #attempts: number;
  readonly #retryDelayMs: number;

  constructor(options: DirectoryTargetOptions) {
    this.name = options.name;
    if (typeof options.path !== 'string' || options.path === '') throw configError(options.name, 'directory', 'path is required');
    this.#root = resolve(options.path);
    this.description = this.#root;
    this.#fsync = options.fsync ?? true;
    this.#attempts = options.attempts ?? DEFAULT_ATTEMPTS;
    this.#retryDelayMs = options.retryDelayMs ?? DEFAULT_RETRY_DELAY_MS;
  }

  get #identity(): TargetIdentity {
    return { name: this.name, description: this.description };
  }

  async check(options: SignalOptions = {}): Promise<void> {
    if (options.signal?.aborted) throw abortedError(this.#identity, options.signal);
    await this.#checkRoot(undefined);
    try {
      await access(this.#root, constants.W_OK);
    } catch (error) {
      throw this.#fsError(error, undefined, 'write to');
    }
  }

  async put(localFile: string, key: string, options: PutOptions): Promise<PutResult> {
    checkPutOptions(this.#identity, key, options);
    const finalPath = this.#pathOf(key);
    return withRetries(this.#identity, this.#policy(options.signal), async () => {
      await this.#checkRoot(key);
      const existing = await this.#statFile(finalPath, key);
      const ifExists = options.ifExists ?? 'conflict';
      if (existing !== undefined && ifExists === 'conflict') {
        const there = await this.#hashPath(finalPath, key, { signal: options.signal });
        if (there.size === options.size && there.sha256 === options.sha256) return { status: 'already-there', size: there.size, sha256: there.sha256, partsReused: 0 };
        throw this.#conflict(key, there);
      }
      try {
        await writeAtomically(createReadStream(localFile, { highWaterMark: READ_CHUNK_BYTES }), finalPath, {
          signal: options.signal,
          rateLimiter: options.rateLimiter,
          fsync: this.#fsync,
          publish: ifExists === 'replace' ? 'replace' : 'no-clobber',
          onBytes: options.onProgress && ((bytes) => options.onProgress?.({ bytes, total: options.size })),
          accept: (sent) => {
            if (sent.size !== options.size || sent.sha256 !== options.sha256) throw this.#localChanged(localFile, key, sent, options);
          },
        });
      } catch (error) {
        if (systemErrorCode(error) === 'EEXIST') {
          // Another writer got there between the look and the link: what it wrote is left alone.
          const there = await this.#hashPath(finalPath, key, { signal: options.signal });
          if (there.size === options.size && there.sha256 === options.sha256) return { status: 'already-there', size: there.size, sha256: there.sha256, partsReused: 0 };
          throw this.#conflict(key, there);
        }
        throw this.#fsError(error, key, 'write', options.signal, localFile);
      }
      // What counts is what the directory gives back, not what was written.
      const readBack = await this.#hashPath(finalPath, key, { signal: options.signal });
      if (readBack.size !== options.size || readBack.sha256 !== options.sha256) {
        await unlink(finalPath).catch(() => undefined);
        throw offsiteError(this.#identity, 'ERR_OFFSITE_VERIFY', `read back ${readBack.size} bytes with sha256 ${readBack.sha256} after writing ${options.size} bytes with sha256 ${options.sha256}: the copy was removed; check the disk or the share`, { key, retryable: true });
      }
      return { status: 'uploaded', size: readBack.size, sha256: readBack.sha256, partsReused: 0 };
    });
  }

  async stat(key: string, options: SignalOptions = {}): Promise<RemoteObject | undefined> {
    this.#checkKey(key);
    if (options.signal?.aborted) throw abortedError(this.#identity, options.signal);
    await this.#checkRoot(key);
    const info = await this.#statFile(this.#pathOf(key), key);
    return info && { key, size: info.size, sha256: undefined, modifiedMs: info.mtimeMs };
  }

  async hash(key: string, options: ReadOptions = {}): Promise<Digest> {
    this.#checkKey(key);
    const path = this.#pathOf(key);
    return withRetries(this.#identity, this.#policy(options.signal), async () => {
      await this.#checkRoot(key);
      if ((await this.#statFile(path, key)) === undefined) throw this.#missing(key);
      return this.#hashPath(path, key, options);
    });
  }

  async get(key: string, localFile: string, options: GetOptions = {}): Promise<Digest> {
    this.#checkKey(key);
    const path = this.#pathOf(key);
    return withRetries(this.#identity, this.#policy(options.signal), async () => {
      await this.#checkRoot(key);
      if ((await this.#statFile(path, key)) === undefined) throw this.#missing(key);
      try {
        return await restoreFile(this.#identity, key, createReadStream(path, { highWaterMark: READ_CHUNK_BYTES }), localFile, options);
      } catch (error) {
        throw this.#fsError(error, key, 'read', options.signal, localFile);
      }
    });
  }

  async *list(keyPrefix: string, options: SignalOptions = {}): AsyncIterable<RemoteObject> {
    assertKeyPrefix(this.#identity, keyPrefix);
    await this.#checkRoot(undefined);
    // Walk from the deepest folder the prefix names; the rest of the prefix filters names.
    const folder = keyPrefix.includes('/') ? keyPrefix.slice(0, keyPrefix.lastIndexOf('/') + 1) : '';
    yield* this.#walk(folder, keyPrefix, options.signal);
  }

  async *children(folderKey: string, options: SignalOptions = {}): AsyncIterable<FolderEntry> {
    assertFolderKey(this.#identity, folderKey);
    await this.#checkRoot(undefined);
    for (const entry of await this.#read(folderKey, options.signal)) if (isKeySegment(entry.name)) yield entry;
  }

  /** The files and folders of one folder, sorted (none when it does not exist). */
  async #read(folderKey: string, signal: AbortSignal | undefined): Promise<FolderEntry[]> {
    if (signal?.aborted) throw abortedError(this.#identity, signal);
    let directory;
    try {
      directory = await opendir(join(this.#root, folderKey));
    } catch (error) {
      if (['ENOENT', 'ENOTDIR'].includes(systemErrorCode(error) ?? '')) return [];
      throw this.#fsError(error, folderKey, 'list');
    }
    const entries: FolderEntry[] = [];
    for await (const entry of directory) {
      if (entry.isDirectory()) entries.push({ name: entry.name, folder: true });
      // Symbolic links and special files are not copies camdl made; temporary files are not copies yet.
      else if (entry.isFile() && !(entry.name.startsWith('.') && entry.name.endsWith(PART_SUFFIX))) entries.push({ name: entry.name, folder: false });
    }
    return entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  async *#walk(folderKey: string, keyPrefix: string, signal: AbortSignal | undefined): AsyncIterable<RemoteObject> {
    for (const entry of await this.#read(folderKey, signal)) {
      const key = `${folderKey}${entry.name}`;
      if (entry.folder) {
        const folder = `${key}/`;
        if (folder.startsWith(keyPrefix) || keyPrefix.startsWith(folder)) yield* this.#walk(folder, keyPrefix, signal);
      } else if (key.startsWith(keyPrefix) && keyProblem(key) === undefined) {
        const info = await this.#statFile(join(this.#root, key), key);
        if (info) yield { key, size: info.size, sha256: undefined, modifiedMs: info.mtimeMs };
      }
    }
  }

  async abortUpload(key: string, _uploadId: string, options: SignalOptions = {}): Promise<void> {
    this.#checkKey(key);
    if (options.signal?.aborted) throw abortedError(this.#identity, options.signal);
  }

  async close(): Promise<void> {}

  #policy(signal: AbortSignal | undefined): RetryPolicy {
    return { attempts: this.#attempts, retryDelayMs: this.#retryDelayMs, signal };
  }

  #checkKey(key: string): void {
    assertKey(this.#identity, key);
  }

  #pathOf(key: string): string {
    this.#checkKey(key);
    const path = join(this.#root, ...key.split('/'));
    if (!path.startsWith(this.#root + sep)) throw offsiteError(this.#identity, 'ERR_OFFSITE_CONFIG', `key ${JSON.stringify(key)} leaves the directory`);
    return path;
  }

  /** The root must exist: an unmounted share must fail, not fill the mount point on the local disk. */
  async #checkRoot(key: string | undefined): Promise<void> {
    let info;
    try {
      info = await stat(this.#root);
    } catch (error) {
      throw this.#fsError(error, key, 'reach');
    }
    if (!info.isDirectory()) throw offsiteError(this.#identity, 'ERR_OFFSITE_NOT_FOUND', 'is not a directory: point path at the mounted folder', key === undefined ? {} : { key });
  }

  async #statFile(path: string, key: string) {
    try {
      const info = await stat(path);
      if (!info.isFile()) throw offsiteError(this.#identity, 'ERR_OFFSITE_CONFLICT', 'is not a regular file there: it was left alone', { key });
      return info;
    } catch (error) {
      if (isOffsiteError(error)) throw error;
      if (['ENOENT', 'ENOTDIR'].includes(systemErrorCode(error) ?? '')) return undefined;
      throw this.#fsError(error, key, 'read');
    }
  }

  async #hashPath(path: string, key: string, options: ReadOptions): Promise<Digest> {
    try {
      return await hashFile(path, options);
    } catch (error) {
      throw this.#fsError(error, key, 'read', options.signal);
    }
  }

  #missing(key: string): OffsiteError {
    return offsiteError(this.#identity, 'ERR_OFFSITE_NOT_FOUND', 'no such object on the target', { key });
  }

  #conflict(key: string, there: Digest): OffsiteError {
    return offsiteError(this.#identity, 'ERR_OFFSITE_CONFLICT', `another file is already there (${there.size} bytes, sha256 ${there.sha256}): it was left alone; move it away or remove it if it is not needed`, { key });
  }

  #localChanged(localFile: string, key: string, sent: Digest, expected: PutOptions): OffsiteError {
    return offsiteError(this.#identity, 'ERR_OFFSITE_VERIFY', `the local file ${localFile} has ${sent.size} bytes with sha256 ${sent.sha256}, not the ${expected.size} bytes with sha256 ${expected.sha256} expected: nothing was copied`, { key });
  }

  #fsError(error: unknown, key: string | undefined, action: string, signal?: AbortSignal, localFile?: string): OffsiteError {
    if (isOffsiteError(error)) return error;
    if (isAbortError(error, signal)) return abortedError(this.#identity, signal);
    const code = systemErrorCode(error) ?? 'unknown';
    const extra = { cause: error, ...(key === undefined ? {} : { key }) };
    const path = (error as { path?: unknown }).path;
    if (localFile !== undefined && path === localFile) {
      return offsiteError(this.#identity, 'ERR_OFFSITE_CONFIG', `cannot ${action === 'write' ? 'read' : 'write'} the local file ${localFile} (${code})`, extra);
    }
    if (code === 'ENOENT' && path === this.#root) return offsiteError(this.#identity, 'ERR_OFFSITE_NOT_FOUND', 'the directory does not exist: mount the share or create the folder', extra);
    if (['EACCES', 'EPERM', 'EROFS'].includes(code)) return offsiteError(this.#identity, 'ERR_OFFSITE_AUTH', `cannot ${action} (${code}): check the mount is writable by camdl's user`, extra);
    if (['ENOSPC', 'EDQUOT', 'EFBIG'].includes(code)) return offsiteError(this.#identity, 'ERR_OFFSITE_QUOTA', `out of space (${code}): free space on the target or raise its quota`, extra);
    if (RETRYABLE_FS_CODES.has(code)) return offsiteError(this.#identity, 'ERR_OFFSITE_UNREACHABLE', `cannot ${action} (${code}): check the share is mounted and its server is up`, { ...extra, retryable: true });
    return offsiteError(this.#identity, 'ERR_OFFSITE_SERVER', `cannot ${action} (${code}): ${error instanceof Error ? error.message : String(error)}`, extra);
  }
}
