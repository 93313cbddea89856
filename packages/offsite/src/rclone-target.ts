import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { createThrottleStream } from '@camdl/throttled-download';
import { isAbortError, isOffsiteError, offsiteError, type OffsiteError, type TargetIdentity } from './errors.js';
import { assertFolderKey, assertKey, assertKeyPrefix, isKeySegment, keyProblem } from './keys.js';
import { hashStream, HashingStream, READ_CHUNK_BYTES, PART_SUFFIX, type Digest } from './local-file.js';
import { restoreFile } from './restore-file.js';
import { checkPutOptions, configError, isSha256 } from './put-options.js';
import { expectSuccess, rcloneError, runRclone, streamRclone, type RcloneCall, type RcloneRunner } from './rclone-process.js';
import { abortedError, withRetries, type RetryPolicy } from './retry.js';
import { transferDeadlineMs } from './transfer-deadline.js';
import { DEFAULT_ATTEMPTS, DEFAULT_RETRY_DELAY_MS, type RcloneTargetOptions } from './target-options.js';
import type { FolderEntry, GetOptions, OffsiteTarget, PutOptions, PutResult, ReadOptions, RemoteObject, SignalOptions } from './types.js';

const DEFAULT_TIMEOUT_MS = 120_000;
const DEFAULT_CONNECTIONS = 4;

interface LsjsonEntry {
  Path?: unknown;
  Name?: unknown;
  Size?: unknown;
  ModTime?: unknown;
  IsDir?: unknown;
  Hashes?: Record<string, unknown>;
}

/** Any rclone remote, through the `rclone` executable; credentials reach it by its environment or config file only. */
export class RcloneTarget implements OffsiteTarget {
  readonly kind = 'rclone';
  readonly name: string;
  readonly description: string;
  readonly #remote: string;
  readonly #runner: RcloneRunner;
  readonly #timeoutMs: number;
  readonly #attempts: number;
  readonly #retryDelayMs: number;

  constructor(options: RcloneTargetOptions) {
    this.name = options.name;
    if (typeof options.remote !== 'string' || !/^[^:/\\\s][^:]*:/.test(options.remote) || options.remote.startsWith('-')) {
      throw configError(options.name, 'rclone', 'remote must be an rclone remote such as "nas:cameras"');
    }
    // eslint-disable-next-line no-control-regex -- control characters are refused
    if (/[\u0000-\u001f\u007f]/.test(options.remote)) throw configError(options.name, 'rclone', 'remote holds a control character');
    // `nas,pass=…:path` (connection-string parameters) would put the values in argv and in every message naming the remote.
    if (options.remote.slice(0, options.remote.indexOf(':')).includes(',')) {
      throw configError(options.name, 'rclone', "remote must not carry parameters (remote,name=value:path): set them in rclone's config file or in env as RCLONE_CONFIG_<REMOTE>_<NAME>");
    }
    // `nas:cameras/` is `nas:cameras`; `nas:/` (the remote's absolute root) and `nas:` (its home folder) stay apart.
    this.#remote = options.remote.replace(/([^:/])\/+$/, '$1');
    this.description = `rclone ${this.#remote}`;
    const env = options.env ?? {};
    for (const [name, value] of Object.entries(env)) {
      if (!/^[A-Z_][A-Z0-9_]*$/i.test(name) || typeof value !== 'string') throw configError(options.name, 'rclone', `env ${JSON.stringify(name)} is not a NAME=string variable`);
    }
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#attempts = options.attempts ?? DEFAULT_ATTEMPTS;
    this.#retryDelayMs = options.retryDelayMs ?? DEFAULT_RETRY_DELAY_MS;
    const connections = options.connections ?? DEFAULT_CONNECTIONS;
    if (!Number.isSafeInteger(connections) || connections < 1) throw configError(options.name, 'rclone', 'connections must be a whole number of at least 1');
    const flags = [
      // One attempt per call: retries are ours, so wrong credentials cost one call.
      '--retries',
      '1',
      '--low-level-retries',
      '1',
      '--contimeout',
      '30s',
      '--timeout',
      '60s',
      '--transfers',
      String(connections),
      '--checkers',
      String(connections),
      '--multi-thread-streams',
      String(connections),
      '--stats',
      '0',
      // Listings and stats must not land in a log file or on a terminal: camdl reports itself.
      '--log-level',
      'ERROR',
      '--ask-password=false',
    ];
    if (options.rcloneConfig !== undefined) flags.push('--config', options.rcloneConfig);
    this.#runner = { identity: { name: this.name, description: this.description }, binary: options.rcloneBinary ?? 'rclone', flags, env: { ...env } };
  }

  get #identity(): TargetIdentity {
    return this.#runner.identity;
  }

  async check(options: SignalOptions = {}): Promise<void> {
    await this.#call({ args: ['lsjson', '--max-depth', '1', '--files-only', '--no-modtime', this.#path('')], signal: options.signal, deadlineMs: this.#timeoutMs });
  }

  async put(localFile: string, key: string, options: PutOptions): Promise<PutResult> {
    checkPutOptions(this.#identity, key, options);
    const signal = options.signal;
    return this.#retrying(signal, async () => {
      if ((options.ifExists ?? 'conflict') === 'conflict') {
        const there = await this.#statOnce(key, { signal });
        if (there !== undefined) {
          const sha256 = there.size === options.size ? (there.sha256 ?? (await this.#readHash(key, { signal })).sha256) : undefined;
          if (sha256 !== options.sha256) throw this.#conflict(key, there, sha256);
          return { status: 'already-there', size: options.size, sha256: options.sha256, partsReused: 0 };
        }
      }
      // Into a hidden temporary name first, then moved: a cut upload never sits under the final name.
      const slash = key.lastIndexOf('/');
      const partKey = `${key.slice(0, slash + 1)}.${key.slice(slash + 1)}.${randomBytes(6).toString('hex')}${PART_SUFFIX}`;
      const hashing = new HashingStream(options.onProgress && ((bytes) => options.onProgress?.({ bytes, total: options.size })));
      const deadlineMs = transferDeadlineMs(this.#timeoutMs, options.size, options.rateLimiter);
      try {
        await this.#call({
          args: ['rcat', '--size', String(options.size), this.#path(partKey)],
          key,
          signal,
          deadlineMs,
          stdin: async (stdin) => {
            const source = createReadStream(localFile, { highWaterMark: READ_CHUNK_BYTES });
            const stages = options.rateLimiter ? [createThrottleStream(options.rateLimiter, { signal }), hashing] : [hashing];
            await pipeline([source, ...stages, stdin], { signal });
          },
        });
        const sent = hashing.digest();
        if (sent.size !== options.size || sent.sha256 !== options.sha256) {
          throw offsiteError(this.#identity, 'ERR_OFFSITE_VERIFY', `the local file ${localFile} has ${sent.size} bytes with sha256 ${sent.sha256}, not the ${options.size} bytes with sha256 ${options.sha256} expected: nothing was stored`, { key });
        }
        // --ignore-times: rclone skips a move onto a file of the same size when the backend has no usable
        // modification time or hash (WebDAV), which would leave a replaced copy unreplaced.
        await this.#call({ args: ['moveto', '--ignore-times', this.#path(partKey), this.#path(key)], key, signal, deadlineMs });
      } catch (error) {
        await this.#call({ args: ['deletefile', this.#path(partKey)], key, signal: undefined, deadlineMs: this.#timeoutMs }).catch(() => undefined);
        throw error;
      }
      const stored = await this.#statOnce(key, { signal });
      const sha256 = stored?.sha256 ?? (stored === undefined ? undefined : (await this.#readHash(key, { signal })).sha256);
      if (stored === undefined || stored.size !== options.size || sha256 !== options.sha256) {
        const seen = stored === undefined ? 'no object' : `${stored.size} bytes with sha256 ${sha256 ?? '(none)'}`;
        throw offsiteError(this.#identity, 'ERR_OFFSITE_VERIFY', `after the upload the remote shows ${seen}, not ${options.size} bytes with sha256 ${options.sha256}`, { key });
      }
      return { status: 'uploaded', size: options.size, sha256: options.sha256, partsReused: 0 };
    });
  }

  async stat(key: string, options: SignalOptions = {}): Promise<RemoteObject | undefined> {
    this.#checkKey(key);
    return this.#retrying(options.signal, () => this.#statOnce(key, options));
  }

  async #statOnce(key: string, options: SignalOptions): Promise<RemoteObject | undefined> {
    // The parent folder's listing, filtered: `lsjson` of a file path is not answered alike by every backend.
    const slash = key.lastIndexOf('/');
    const folder = key.slice(0, slash + 1);
    const name = key.slice(slash + 1);
    const call: RcloneCall = {
      args: ['lsjson', '--files-only', '--hash', '--hash-type', 'sha256', '--include', `/${escapeFilterName(name)}`, this.#path(folder)],
      key,
      signal: options.signal,
      deadlineMs: this.#timeoutMs,
    };
    const result = await runRclone(this.#runner, call);
    if (result.code === 3 || result.code === 4) return undefined;
    const entries = parseLsjson(this.#identity, expectSuccess(this.#runner, call, result), key);
    const entry = entries.find((candidate) => candidate.Path === name && candidate.IsDir !== true);
    return entry === undefined ? undefined : toRemoteObject(key, entry);
  }

  async hash(key: string, options: ReadOptions = {}): Promise<Digest> {
    this.#checkKey(key);
    return this.#retrying(options.signal, () => this.#readHash(key, options));
  }

  async get(key: string, localFile: string, options: GetOptions = {}): Promise<Digest> {
    this.#checkKey(key);
    return this.#retrying(options.signal, async () => {
      const source = await this.#openObject(key, options.signal);
      try {
        return await restoreFile(this.#identity, key, source, localFile, options);
      } catch (error) {
        throw this.#readError(error, key, options.signal);
      }
    });
  }

  async *list(keyPrefix: string, options: SignalOptions = {}): AsyncIterable<RemoteObject> {
    assertKeyPrefix(this.#identity, keyPrefix);
    const folder = keyPrefix.slice(0, keyPrefix.lastIndexOf('/') + 1);
    const call: RcloneCall = { args: ['lsjson', '-R', '--files-only', '--fast-list', this.#path(folder)], signal: options.signal, deadlineMs: this.#timeoutMs * 10 };
    const stdout = await this.#retrying(options.signal, async () => {
      const result = await runRclone(this.#runner, call);
      // Exit 3: the folder does not exist, so nothing is under the prefix.
      return result.code === 3 ? undefined : expectSuccess(this.#runner, call, result);
    });
    if (stdout === undefined) return;
    const entries = parseLsjson(this.#identity, stdout, undefined);
    const objects = entries
      .filter((entry) => typeof entry.Path === 'string' && entry.IsDir !== true)
      .map((entry) => ({ key: `${folder}${entry.Path as string}`, entry }))
      .filter(({ key }) => key.startsWith(keyPrefix) && keyProblem(key) === undefined && !isPartName(key))
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    for (const { key, entry } of objects) yield toRemoteObject(key, entry);
  }

  async *children(folderKey: string, options: SignalOptions = {}): AsyncIterable<FolderEntry> {
    assertFolderKey(this.#identity, folderKey);
    // Without -R: the folder alone, however much its subfolders hold.
    const call: RcloneCall = { args: ['lsjson', '--no-modtime', '--no-mimetype', this.#path(folderKey)], signal: options.signal, deadlineMs: this.#timeoutMs };
    const stdout = await this.#retrying(options.signal, async () => {
      const result = await runRclone(this.#runner, call);
      return result.code === 3 ? undefined : expectSuccess(this.#runner, call, result);
    });
    if (stdout === undefined) return;
    const entries = parseLsjson(this.#identity, stdout, undefined)
      .filter((entry): entry is LsjsonEntry & { Path: string } => typeof entry.Path === 'string' && isKeySegment(entry.Path))
      .map((entry) => ({ name: entry.Path, folder: entry.IsDir === true }))
      .filter((entry) => entry.folder || !isPartName(entry.name))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    yield* entries;
  }

  async abortUpload(key: string, _uploadId: string, options: SignalOptions = {}): Promise<void> {
    this.#checkKey(key);
    if (options.signal?.aborted) throw abortedError(this.#identity, options.signal);
  }

  async close(): Promise<void> {}

  /** `rclone cat` of the object, with a deadline from its size (an absent object fails as ERR_OFFSITE_NOT_FOUND). */
  async #openObject(key: string, signal: AbortSignal | undefined) {
    const there = await this.#statOnce(key, { signal });
    if (there === undefined) throw offsiteError(this.#identity, 'ERR_OFFSITE_NOT_FOUND', 'no such object on the target', { key });
    return streamRclone(this.#runner, { args: ['cat', this.#path(key)], key, signal, deadlineMs: transferDeadlineMs(this.#timeoutMs, there.size) });
  }

  async #readHash(key: string, options: ReadOptions): Promise<Digest> {
    const source = await this.#openObject(key, options.signal);
    try {
      return await hashStream(source, options);
    } catch (error) {
      throw this.#readError(error, key, options.signal);
    }
  }

  async #call(call: RcloneCall): Promise<string> {
    try {
      return expectSuccess(this.#runner, call, await runRclone(this.#runner, call));
    } catch (error) {
      if (isAbortError(error, call.signal) || call.signal?.aborted) throw abortedError(this.#identity, call.signal);
      throw error;
    }
  }

  #readError(error: unknown, key: string, signal: AbortSignal | undefined): OffsiteError {
    if (isOffsiteError(error)) return error;
    if (isAbortError(error, signal) || signal?.aborted) return abortedError(this.#identity, signal);
    return rcloneError(this.#runner, { args: ['cat'], key }, null, error instanceof Error ? error.message : String(error), error);
  }

  #path(key: string): string {
    return /[:/]$/.test(this.#remote) ? `${this.#remote}${key}` : `${this.#remote}/${key}`;
  }

  #conflict(key: string, there: RemoteObject, sha256: string | undefined): OffsiteError {
    return offsiteError(this.#identity, 'ERR_OFFSITE_CONFLICT', `another file is already there (${there.size} bytes, sha256 ${sha256 ?? 'not read'}): it was left alone; move it away or remove it if it is not needed`, { key });
  }

  #checkKey(key: string): void {
    assertKey(this.#identity, key);
  }

  #retrying<T>(signal: AbortSignal | undefined, operation: () => Promise<T>): Promise<T> {
    const policy: RetryPolicy = { attempts: this.#attempts, retryDelayMs: this.#retryDelayMs, signal };
    return withRetries(this.#identity, policy, operation);
  }
}

function isPartName(key: string): boolean {
  const name = key.slice(key.lastIndexOf('/') + 1);
  return name.startsWith('.') && name.endsWith(PART_SUFFIX);
}

/** A file name as an rclone filter pattern that matches only itself. */
function escapeFilterName(name: string): string {
  return name.replace(/[\\*?[\]{}]/g, (character) => `\\${character}`);
}

function parseLsjson(identity: TargetIdentity, stdout: string, key: string | undefined): LsjsonEntry[] {
  try {
    const parsed = JSON.parse(stdout) as unknown;
    if (Array.isArray(parsed)) return parsed.filter((entry): entry is LsjsonEntry => typeof entry === 'object' && entry !== null);
  } catch {
    // fall through
  }
  throw offsiteError(identity, 'ERR_OFFSITE_TOOL', 'rclone lsjson printed something that is not a JSON list', key === undefined ? {} : { key });
}

function toRemoteObject(key: string, entry: LsjsonEntry): RemoteObject {
  const hash = entry.Hashes?.sha256 ?? entry.Hashes?.SHA256;
  const size = Number(entry.Size);
  const modified = typeof entry.ModTime === 'string' ? Date.parse(entry.ModTime) : Number.NaN;
  return {
    key,
    size: Number.isSafeInteger(size) && size >= 0 ? size : 0,
    sha256: typeof hash === 'string' && isSha256(hash.toLowerCase()) ? hash.toLowerCase() : undefined,
    modifiedMs: Number.isFinite(modified) ? modified : undefined,
  };
}
