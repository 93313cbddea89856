import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { open, stat as statFile, type FileHandle } from 'node:fs/promises';
import { Readable, pipeline } from 'node:stream';
import type * as S3SdkModule from '@aws-sdk/client-s3';
import type { S3Client, S3ClientConfig, StorageClass } from '@aws-sdk/client-s3';
import type { NodeHttpHandler as NodeHttpHandlerClass } from '@smithy/node-http-handler';
import { createThrottleStream, type RateLimiter } from '@camdl/throttled-download';
import { isAbortError, isOffsiteError, offsiteError, type OffsiteError, type TargetIdentity } from './errors.js';
import { assertFolderKey, assertKey, assertKeyPrefix, isKeySegment, keyProblem, normalizePrefix } from './keys.js';
import { hashStream, type Digest } from './local-file.js';
import { restoreFile } from './restore-file.js';
import { checkPutOptions, configError, isSha256 } from './put-options.js';
import { abortedError, withRetries, type RetryPolicy } from './retry.js';
import { isS3NotFound, s3ErrorDetails, toS3Error } from './s3-errors.js';
import { transferDeadlineMs } from './transfer-deadline.js';
import { DEFAULT_ATTEMPTS, DEFAULT_RETRY_DELAY_MS, type S3TargetOptions } from './target-options.js';
import type { FolderEntry, GetOptions, OffsiteTarget, PutOptions, PutResult, ReadOptions, RemoteObject, SignalOptions } from './types.js';

/** The object metadata holding the sha256 camdl computed (`x-amz-meta-camdl-sha256` on the wire). */
export const SHA256_METADATA = 'camdl-sha256';

const MIB = 1024 * 1024;
const MIN_PART_BYTES = 5 * MIB;
const MAX_PART_BYTES = 5 * 1024 * MIB;
const MAX_PARTS = 10_000;
const DEFAULT_PART_BYTES = 8 * MIB;
const DEFAULT_CONNECTIONS = 4;
const DEFAULT_TIMEOUT_MS = 300_000;
/** Keys per listing of {@link S3Target.children}: a folder ends the page early, files are read this many at a time. */
const CHILDREN_PAGE_KEYS = 50;
/** Sorts after nearly every key of a folder (S3 orders keys by their UTF-8 bytes; this is F4 8F BF BD). */
const PAST_FOLDER = '\u{10FFFD}';

interface ListedPart {
  etag: string;
  size: number;
}

type S3Sdk = typeof S3SdkModule;

let sdkLoading: Promise<{ sdk: S3Sdk; NodeHttpHandler: typeof NodeHttpHandlerClass }> | undefined;

/**
 * The AWS SDK, loaded the first time an S3 target sends a request: it costs a CLI about 0.15 s and
 * 30 MiB to load, which a run without an S3 target (or that never reaches one) should not pay.
 */
function loadSdk(): NonNullable<typeof sdkLoading> {
  sdkLoading ??= Promise.all([import('@aws-sdk/client-s3'), import('@smithy/node-http-handler')]).then(([sdk, handler]) => ({ sdk, NodeHttpHandler: handler.NodeHttpHandler }));
  return sdkLoading;
}

/** An S3-compatible bucket; objects are `prefix` + key, each with its sha256 as metadata. */
export class S3Target implements OffsiteTarget {
  readonly kind = 's3';
  readonly name: string;
  readonly description: string;
  readonly #clientConfig: () => Promise<S3ClientConfig>;
  #client: Promise<S3Client> | undefined;
  readonly #bucket: string;
  readonly #region: string;
  readonly #prefix: string;
  readonly #storageClass: string | undefined;
  readonly #connections: number;
  readonly #partSize: number;
  readonly #timeoutMs: number;
  readonly #attempts: number;
  readonly #retryDelayMs: number;
  /** Whether single PUTs carry `x-amz-checksum-sha256`; cleared for the target once a store refuses the header. */
  #sendsChecksum = true;

  constructor(options: S3TargetOptions) {
    this.name = options.name;
    const fail = (text: string): never => {
      throw configError(options.name, 's3', text);
    };
    if (typeof options.bucket !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._-]{1,254}$/.test(options.bucket)) fail('bucket must be a bucket name');
    if (typeof options.region !== 'string' || options.region === '') fail('region is required (us-east-1 for most self-hosted stores)');
    if (typeof options.accessKeyId !== 'string' || options.accessKeyId === '') fail('access-key-id is required');
    if (typeof options.secretAccessKey !== 'string' || options.secretAccessKey === '') fail('the secret access key is required');
    let endpoint: URL | undefined;
    if (options.endpoint !== undefined) {
      try {
        endpoint = new URL(options.endpoint);
      } catch {
        fail('endpoint must be a URL such as https://s3.example.com');
      }
      if (!['http:', 'https:'].includes(endpoint!.protocol) || endpoint!.username !== '' || endpoint!.password !== '') fail('endpoint must be an http(s) URL without credentials');
    }
    this.#bucket = options.bucket;
    this.#region = options.region;
    this.#prefix = normalizePrefix(options.prefix);
    if (this.#prefix !== '' && keyProblem(this.#prefix, { prefix: true }) !== undefined) fail(`prefix ${JSON.stringify(options.prefix)} ${keyProblem(this.#prefix, { prefix: true })}`);
    this.#storageClass = options.storageClass;
    this.#connections = positiveInteger(options.connections, DEFAULT_CONNECTIONS, 'connections', fail);
    this.#partSize = positiveInteger(options.partSizeBytes, DEFAULT_PART_BYTES, 'partSizeBytes', fail);
    if (this.#partSize < MIN_PART_BYTES || this.#partSize > MAX_PART_BYTES) fail('partSizeBytes must be between 5 MiB and 5 GiB');
    this.#timeoutMs = positiveInteger(options.timeoutMs, DEFAULT_TIMEOUT_MS, 'timeoutMs', fail);
    this.#attempts = positiveInteger(options.attempts, DEFAULT_ATTEMPTS, 'attempts', fail);
    this.#retryDelayMs = options.retryDelayMs ?? DEFAULT_RETRY_DELAY_MS;
    const host = endpoint ? ` (${endpoint.origin})` : ` (AWS ${options.region})`;
    this.description = `s3://${this.#bucket}/${this.#prefix}${host}`;
    let ca: string | undefined;
    if (options.caFile !== undefined) {
      try {
        ca = readFileSync(options.caFile, 'utf8');
      } catch (error) {
        fail(`cannot read ca-file ${options.caFile} (${(error as { code?: string }).code ?? String(error)})`);
      }
    }
    // Agents of our own: nothing from the environment (AWS_CA_BUNDLE and the like) changes how an http endpoint
    // is reached, and an https one trusts exactly the system's roots, ca-file, or (insecure) anything.
    const sockets = this.#connections + 2;
    const timeoutMs = this.#timeoutMs;
    this.#clientConfig = async () => {
      // `node:http` is loaded with the SDK, not at the top: its ESM namespace reads `http.WebSocket`, which loads
      // Node's bundled undici (about 13 MiB) into every process that imports @camdl/offsite.
      const [{ NodeHttpHandler }, { Agent: HttpAgent }, { Agent: HttpsAgent }] = await Promise.all([loadSdk(), import('node:http'), import('node:https')]);
      return {
        region: options.region,
        ...(endpoint ? { endpoint: endpoint.href.replace(/\/$/, '') } : {}),
        forcePathStyle: options.pathStyle ?? false,
        credentials: { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey, ...(options.sessionToken ? { sessionToken: options.sessionToken } : {}) },
        // CRC32 trailers (aws-chunked) break several S3-compatible stores; integrity is camdl's own sha256.
        requestChecksumCalculation: 'WHEN_REQUIRED',
        responseChecksumValidation: 'WHEN_REQUIRED',
        // Retries are ours: wrong keys must cost exactly one request, throttling must back off with jitter.
        maxAttempts: 1,
        ignoreConfiguredEndpointUrls: true,
        // The SDK writes some warnings to the console unless given a logger; a CLI's output is its own.
        logger: QUIET_LOGGER,
        requestHandler: new NodeHttpHandler({
          httpAgent: new HttpAgent({ keepAlive: true, maxSockets: sockets }),
          httpsAgent: new HttpsAgent({ keepAlive: true, maxSockets: sockets, ...(ca ? { ca } : {}), ...(options.insecure ? { rejectUnauthorized: false } : {}) }),
          connectionTimeout: Math.min(timeoutMs, 30_000),
          requestTimeout: timeoutMs,
        }),
      };
    };
  }

  get #identity(): TargetIdentity {
    return { name: this.name, description: this.description };
  }

  async check(options: SignalOptions = {}): Promise<void> {
    await this.#send((client, sendOptions, sdk) => client.send(new sdk.HeadBucketCommand({ Bucket: this.#bucket }), sendOptions), 'HeadBucket', undefined, options.signal);
  }

  async put(localFile: string, key: string, options: PutOptions): Promise<PutResult> {
    checkPutOptions(this.#identity, key, options);
    const signal = options.signal;
    const ifExists = options.ifExists ?? 'conflict';
    if (ifExists === 'conflict') {
      const there = await this.stat(key, { signal });
      if (there !== undefined) {
        const same = there.size === options.size && (there.sha256 ?? (await this.hash(key, { signal })).sha256) === options.sha256;
        if (!same) throw this.#conflict(key, there);
        if (options.uploadId !== undefined) await this.#abandon(key, options.uploadId, options);
        return { status: 'already-there', size: options.size, sha256: options.sha256, partsReused: 0 };
      }
    }
    const file = await this.#openLocal(localFile, key, options);
    let result: { status: 'uploaded' | 'resumed'; partsReused: number };
    try {
      result = options.size <= this.#partSize && options.uploadId === undefined ? await this.#putSingle(file, key, options) : await this.#putMultipart(file, key, options);
    } finally {
      await file.close();
    }
    // The sha256 the store computed itself (x-amz-checksum-sha256) wins over the metadata camdl sent, when it has one.
    const stored = await this.stat(key, { signal });
    if (stored === undefined || stored.size !== options.size || stored.sha256 !== options.sha256) {
      const seen = stored === undefined ? 'no object' : `${stored.size} bytes with sha256 ${stored.sha256 ?? '(none)'}`;
      throw offsiteError(this.#identity, 'ERR_OFFSITE_VERIFY', `after the upload the target shows ${seen}, not ${options.size} bytes with sha256 ${options.sha256}`, { key });
    }
    return { ...result, size: options.size, sha256: options.sha256 };
  }

  async stat(key: string, options: SignalOptions = {}): Promise<RemoteObject | undefined> {
    this.#checkKey(key);
    return this.#retrying(options.signal, () => this.#statOnce(key, options));
  }

  async #statOnce(key: string, options: SignalOptions): Promise<RemoteObject | undefined> {
    try {
      const head = await this.#send((client, sendOptions, sdk) => client.send(new sdk.HeadObjectCommand({ Bucket: this.#bucket, Key: this.#prefix + key, ChecksumMode: 'ENABLED' }), sendOptions), 'HeadObject', key, options.signal, { notFound: true });
      const sha256 = fullObjectSha256(head.ChecksumSHA256) ?? head.Metadata?.[SHA256_METADATA];
      return { key, size: Number(head.ContentLength ?? 0), sha256: isSha256(sha256) ? sha256 : undefined, modifiedMs: head.LastModified?.getTime() };
    } catch (error) {
      if (error === NOT_FOUND) return undefined;
      throw error;
    }
  }

  async hash(key: string, options: ReadOptions = {}): Promise<Digest> {
    this.#checkKey(key);
    return this.#retrying(options.signal, async () => {
      const body = await this.#openObject(key, options);
      try {
        return await hashStream(body, options);
      } catch (error) {
        throw this.#streamError(error, key, options.signal);
      }
    });
  }

  async get(key: string, localFile: string, options: GetOptions = {}): Promise<Digest> {
    this.#checkKey(key);
    return this.#retrying(options.signal, async () => {
      const body = await this.#openObject(key, options);
      try {
        return await restoreFile(this.#identity, key, body, localFile, options);
      } catch (error) {
        throw this.#streamError(error, key, options.signal);
      }
    });
  }

  async *list(keyPrefix: string, options: SignalOptions = {}): AsyncIterable<RemoteObject> {
    assertKeyPrefix(this.#identity, keyPrefix);
    // Where the next page starts: the store's token, or (a store that leaves it out) after the last key listed.
    let from: { ContinuationToken: string } | { StartAfter: string } | undefined;
    do {
      // No delimiter: a flat, recursive listing (some stores answer delimited listings wrongly).
      const after = from;
      const page = await this.#retrying(options.signal, () =>
        this.#send((client, sendOptions, sdk) => client.send(new sdk.ListObjectsV2Command({ Bucket: this.#bucket, Prefix: this.#prefix + keyPrefix, ...after }), sendOptions), 'ListObjectsV2', undefined, options.signal),
      );
      let last: string | undefined;
      for (const object of page.Contents ?? []) {
        if (object.Key === undefined) continue;
        last = object.Key;
        if (!object.Key.startsWith(this.#prefix + keyPrefix)) continue;
        const key = object.Key.slice(this.#prefix.length);
        if (keyProblem(key) !== undefined) continue;
        yield { key, size: Number(object.Size ?? 0), sha256: undefined, modifiedMs: object.LastModified?.getTime() };
      }
      const previous = after !== undefined && 'StartAfter' in after ? after.StartAfter : undefined;
      if (!page.IsTruncated) from = undefined;
      else if (page.NextContinuationToken) from = { ContinuationToken: page.NextContinuationToken };
      // S3 orders keys by their UTF-8 bytes; a page that did not move past the last one ends the listing.
      else from = last !== undefined && (previous === undefined || compareKeys(last, previous) > 0) ? { StartAfter: last } : undefined;
    } while (from !== undefined);
  }

  async *children(folderKey: string, options: SignalOptions = {}): AsyncIterable<FolderEntry> {
    assertFolderKey(this.#identity, folderKey);
    const base = this.#prefix + folderKey;
    let startAfter: string | undefined;
    let previous: string | undefined;
    for (;;) {
      const after = startAfter;
      const page = await this.#retrying(options.signal, () =>
        this.#send(
          (client, sendOptions, sdk) => client.send(new sdk.ListObjectsV2Command({ Bucket: this.#bucket, Prefix: base, MaxKeys: CHILDREN_PAGE_KEYS, ...(after === undefined ? {} : { StartAfter: after }) }), sendOptions),
          'ListObjectsV2',
          undefined,
          options.signal,
        ),
      );
      let last: string | undefined;
      let folder: string | undefined;
      for (const object of page.Contents ?? []) {
        const key = object.Key;
        // A store that ignored StartAfter must not make this loop forever.
        if (key === undefined || !key.startsWith(base) || (after !== undefined && compareKeys(key, after) <= 0)) continue;
        last = key;
        const slash = key.indexOf('/', base.length);
        if (slash === -1) {
          const name = key.slice(base.length);
          if (isKeySegment(name)) yield { name, folder: false };
        } else if (slash > base.length) {
          folder = key.slice(base.length, slash);
          break;
        }
      }
      if (folder !== undefined) {
        if (folder !== previous && isKeySegment(folder)) yield { name: folder, folder: true };
        // The next listing starts past the folder's keys (all but those starting with the last code points of
        // Unicode, which are then stepped over one page at a time).
        startAfter = folder === previous ? last : `${base}${folder}/${PAST_FOLDER}`;
        previous = folder;
      } else if (page.IsTruncated && last !== undefined) startAfter = last;
      else return;
    }
  }

  async abortUpload(key: string, uploadId: string, options: SignalOptions = {}): Promise<void> {
    this.#checkKey(key);
    try {
      await this.#retrying(options.signal, () =>
        this.#send((client, sendOptions, sdk) => client.send(new sdk.AbortMultipartUploadCommand({ Bucket: this.#bucket, Key: this.#prefix + key, UploadId: uploadId }), sendOptions), 'AbortMultipartUpload', key, options.signal),
      );
    } catch (error) {
      // Already completed or aborted: nothing is left to cost money.
      if (s3ErrorDetails((error as OffsiteError).cause).name !== 'NoSuchUpload') throw error;
    }
  }

  async close(): Promise<void> {
    (await this.#client?.catch(() => undefined))?.destroy();
  }

  /** One PutObject of a small file, read once into memory: what is sent is exactly what was hashed. */
  async #putSingle(file: FileHandle, key: string, options: PutOptions): Promise<{ status: 'uploaded'; partsReused: number }> {
    const body = await readPart(file, 0, options.size, Buffer.allocUnsafe(options.size));
    this.#checkWhole(key, options, createHash('sha256').update(body).digest('hex'), body.length);
    const md5 = createHash('md5').update(body).digest('base64');
    const checksum = Buffer.from(options.sha256, 'hex').toString('base64');
    await this.#retrying(options.signal, async () => {
      // The store checks the body against both digests where it can: Content-MD5 everywhere, the sha256 where
      // x-amz-checksum-sha256 is supported (a store that refuses the header gets the same PUT without it).
      for (;;) {
        const withChecksum = this.#sendsChecksum;
        try {
          return await this.#send((client, sendOptions, sdk) => client.send(new sdk.PutObjectCommand({
              Bucket: this.#bucket,
              Key: this.#prefix + key,
              Body: bodyStream(body, options.rateLimiter, options.signal),
              ContentLength: body.length,
              ContentMD5: md5,
              ...(withChecksum ? { ChecksumSHA256: checksum } : {}),
              Metadata: { [SHA256_METADATA]: options.sha256 },
              ...(this.#storageClass ? { StorageClass: this.#storageClass as StorageClass } : {}),
            }), sendOptions),
            'PutObject',
            key,
            options.signal,
            { bodyBytes: body.length, rateLimiter: options.rateLimiter },
          );
        } catch (error) {
          if (!withChecksum || !refusesChecksumHeader(error)) throw error;
          this.#sendsChecksum = false;
        }
      }
    });
    options.onProgress?.({ bytes: body.length, total: options.size });
    return { status: 'uploaded', partsReused: 0 };
  }

  /**
   * Parts read in order (so the whole file is hashed once, as it is sent), up to `connections` in flight. A saved
   * upload id is resumed: a part the server lists with the same size and MD5 is not sent again. The upload is
   * completed only when the whole file hashed to the sha256 expected.
   */
  async #putMultipart(file: FileHandle, key: string, options: PutOptions): Promise<{ status: 'uploaded' | 'resumed'; partsReused: number }> {
    const { signal } = options;
    const fullKey = this.#prefix + key;
    let uploadId = options.uploadId;
    let listed = new Map<number, ListedPart>();
    if (uploadId !== undefined) {
      const parts = await this.#listParts(key, uploadId, signal);
      if (parts === undefined) uploadId = undefined; // gone (completed, aborted or expired): start over
      else listed = parts;
    }
    const resumed = uploadId !== undefined;
    if (uploadId === undefined) {
      const created = await this.#retrying(signal, () =>
        this.#send((client, sendOptions, sdk) => client.send(new sdk.CreateMultipartUploadCommand({
            Bucket: this.#bucket,
            Key: fullKey,
            Metadata: { [SHA256_METADATA]: options.sha256 },
            ...(this.#storageClass ? { StorageClass: this.#storageClass as StorageClass } : {}),
          }), sendOptions),
          'CreateMultipartUpload',
          key,
          signal,
        ),
      );
      if (!created.UploadId) throw offsiteError(this.#identity, 'ERR_OFFSITE_SERVER', 'CreateMultipartUpload answered without an upload id', { key });
      uploadId = created.UploadId;
    }
    options.onUploadId?.(uploadId);
    const id = uploadId;
    // A resumed upload keeps the part size it was started with, else none of its parts would be reusable; a size
    // no upload of this file could have had (a store listing no Size, or 0) is not one.
    const fresh = Math.max(this.#partSize, Math.ceil(options.size / MAX_PARTS / MIB) * MIB);
    const started = listed.get(1)?.size;
    const partSize = started !== undefined && Number.isSafeInteger(started) && started >= MIN_PART_BYTES && started <= MAX_PART_BYTES && Math.ceil(options.size / started) <= MAX_PARTS ? started : fresh;
    const count = Math.max(1, Math.ceil(options.size / partSize));
    const wholeHash = createHash('sha256');
    const completed: { PartNumber: number; ETag: string }[] = [];
    const inFlight = new Set<Promise<void>>();
    // connections + 1 part buffers, reused: memory stays flat whatever the file size (no garbage to wait for).
    const spare: Buffer[] = [];
    const takeBuffer = (): Buffer => spare.pop() ?? Buffer.allocUnsafe(partSize);
    let failure: unknown;
    let partsReused = 0;
    let bytesDone = 0;
    const progress = (bytes: number): void => {
      bytesDone += bytes;
      options.onProgress?.({ bytes: bytesDone, total: options.size });
    };
    for (let number = 1; number <= count && failure === undefined; number += 1) {
      if (signal?.aborted) break;
      const offset = (number - 1) * partSize;
      const buffer = takeBuffer();
      const body = await readPart(file, offset, Math.min(partSize, options.size - offset), buffer);
      wholeHash.update(body);
      const md5 = createHash('md5').update(body).digest();
      const md5Hex = md5.toString('hex');
      const md5Base64 = md5.toString('base64');
      const there = listed.get(number);
      if (there !== undefined && there.size === body.length && there.etag === md5Hex) {
        partsReused += 1;
        completed.push({ PartNumber: number, ETag: `"${md5Hex}"` });
        progress(body.length);
        spare.push(buffer);
        continue;
      }
      const upload = this.#retrying(signal, () =>
        this.#send((client, sendOptions, sdk) => client.send(new sdk.UploadPartCommand({ Bucket: this.#bucket, Key: fullKey, UploadId: id, PartNumber: number, Body: bodyStream(body, options.rateLimiter, signal), ContentLength: body.length, ContentMD5: md5Base64 }), sendOptions),
          'UploadPart',
          key,
          signal,
          { bodyBytes: body.length, rateLimiter: options.rateLimiter },
        ),
      ).then(
        (answer) => {
          completed.push({ PartNumber: number, ETag: answer.ETag ?? `"${md5Hex}"` });
          progress(body.length);
        },
        (error: unknown) => {
          failure ??= error;
        },
      );
      const tracked = upload.finally(() => {
        inFlight.delete(tracked);
        spare.push(buffer);
      });
      inFlight.add(tracked);
      if (inFlight.size >= this.#connections) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
    if (signal?.aborted) throw abortedError(this.#identity, signal);
    // The upload stays on the server: a later put with the same upload id resumes it.
    if (failure !== undefined) throw failure;
    const sha256 = wholeHash.digest('hex');
    if (sha256 !== options.sha256) {
      await this.#abandon(key, id, options);
      this.#checkWhole(key, options, sha256, options.size);
    }
    completed.sort((a, b) => a.PartNumber - b.PartNumber);
    await this.#retrying(signal, () =>
      this.#send((client, sendOptions, sdk) => client.send(new sdk.CompleteMultipartUploadCommand({ Bucket: this.#bucket, Key: fullKey, UploadId: id, MultipartUpload: { Parts: completed } }), sendOptions), 'CompleteMultipartUpload', key, signal),
    );
    options.onUploadId?.(undefined);
    return { status: resumed ? 'resumed' : 'uploaded', partsReused };
  }

  /** The parts the server holds for a saved upload, or undefined when the upload no longer exists. */
  async #listParts(key: string, uploadId: string, signal: AbortSignal | undefined): Promise<Map<number, ListedPart> | undefined> {
    const parts = new Map<number, ListedPart>();
    let marker: string | undefined;
    for (;;) {
      let page;
      try {
        page = await this.#retrying(signal, () =>
          this.#send((client, sendOptions, sdk) => client.send(new sdk.ListPartsCommand({ Bucket: this.#bucket, Key: this.#prefix + key, UploadId: uploadId, PartNumberMarker: marker }), sendOptions), 'ListParts', key, signal),
        );
      } catch (error) {
        if (s3ErrorDetails((error as OffsiteError).cause).name === 'NoSuchUpload') return undefined;
        throw error;
      }
      let last = Number(marker ?? 0);
      for (const part of page.Parts ?? []) {
        if (part.PartNumber === undefined || part.ETag === undefined) continue;
        parts.set(part.PartNumber, { etag: part.ETag.replace(/"/g, '').toLowerCase(), size: Number(part.Size ?? -1) });
        last = Math.max(last, part.PartNumber);
      }
      // Some stores leave out NextPartNumberMarker on a truncated page: the last part listed is where the next
      // page starts. A page that did not move past the marker ends the listing (parts not seen are sent again).
      const next = page.NextPartNumberMarker ?? String(last);
      if (!page.IsTruncated || Number(next) <= Number(marker ?? 0) || parts.size > MAX_PARTS) return parts;
      marker = next;
    }
  }

  /** Aborts a saved upload that will not be completed, and tells the caller to forget its id. */
  async #abandon(key: string, uploadId: string, options: PutOptions): Promise<void> {
    await this.abortUpload(key, uploadId, { signal: options.signal });
    options.onUploadId?.(undefined);
  }

  #checkWhole(key: string, options: PutOptions, sha256: string, size: number): void {
    if (sha256 === options.sha256 && size === options.size) return;
    throw offsiteError(this.#identity, 'ERR_OFFSITE_VERIFY', `the local file has ${size} bytes with sha256 ${sha256}, not the ${options.size} bytes with sha256 ${options.sha256} expected: nothing was stored`, { key });
  }

  async #openLocal(localFile: string, key: string, options: PutOptions): Promise<FileHandle> {
    let handle: FileHandle;
    try {
      const info = await statFile(localFile);
      if (info.size !== options.size) this.#checkWhole(key, options, '(not read)', info.size);
      handle = await open(localFile, 'r');
    } catch (error) {
      if (error instanceof Error && error.name === 'OffsiteError') throw error;
      throw offsiteError(this.#identity, 'ERR_OFFSITE_CONFIG', `cannot read the local file ${localFile} (${(error as { code?: string }).code ?? String(error)})`, { key, cause: error });
    }
    return handle;
  }

  /** The object's body, which must end within a deadline from its size (the response's own deadline ends at its headers). */
  async #openObject(key: string, options: ReadOptions): Promise<Readable> {
    let body: Readable;
    let size: number;
    try {
      const answer = await this.#send((client, sendOptions, sdk) => client.send(new sdk.GetObjectCommand({ Bucket: this.#bucket, Key: this.#prefix + key }), sendOptions), 'GetObject', key, options.signal, { notFound: true, whole: true });
      if (!(answer.Body instanceof Readable)) throw offsiteError(this.#identity, 'ERR_OFFSITE_SERVER', 'GetObject answered without a body', { key });
      body = answer.Body;
      size = Number(answer.ContentLength ?? 0);
    } catch (error) {
      if (error === NOT_FOUND) throw offsiteError(this.#identity, 'ERR_OFFSITE_NOT_FOUND', 'no such object on the target', { key });
      throw error;
    }
    const deadlineMs = transferDeadlineMs(this.#timeoutMs, size, options.rateLimiter);
    const timer = setTimeout(() => {
      body.destroy(offsiteError(this.#identity, 'ERR_OFFSITE_UNREACHABLE', `GetObject failed: the body did not arrive within ${deadlineMs} ms; check the endpoint and the network`, { key, retryable: true }));
    }, deadlineMs);
    body.once('close', () => clearTimeout(timer));
    return body;
  }

  #streamError(error: unknown, key: string, signal: AbortSignal | undefined): OffsiteError {
    if (error instanceof Error && error.name === 'OffsiteError') return error as OffsiteError;
    if (isAbortError(error, signal)) return abortedError(this.#identity, signal);
    return toS3Error(this.#identity, error, { action: 'GetObject', key, bucket: this.#bucket, region: this.#region });
  }

  #conflict(key: string, there: RemoteObject): OffsiteError {
    return offsiteError(this.#identity, 'ERR_OFFSITE_CONFLICT', `another object is already there (${there.size} bytes, sha256 ${there.sha256 ?? 'unknown'}): it was left alone; move it away or remove it if it is not needed`, { key });
  }

  #checkKey(key: string): void {
    assertKey(this.#identity, key);
  }

  #retrying<T>(signal: AbortSignal | undefined, operation: () => Promise<T>): Promise<T> {
    const policy: RetryPolicy = { attempts: this.#attempts, retryDelayMs: this.#retryDelayMs, signal };
    return withRetries(this.#identity, policy, operation);
  }

  /**
   * Sends one command with a deadline (the whole request, body included, unless `whole`: then the caller's
   * stream is the rest) and maps any failure. `notFound` turns a 404 into the {@link NOT_FOUND} sentinel.
   */
  async #send<T>(
    run: (client: S3Client, options: { abortSignal?: AbortSignal }, sdk: S3Sdk) => Promise<T>,
    action: string,
    key: string | undefined,
    signal: AbortSignal | undefined,
    flags: { notFound?: boolean; whole?: boolean; bodyBytes?: number; rateLimiter?: RateLimiter | undefined } = {},
  ): Promise<T> {
    if (signal?.aborted) throw abortedError(this.#identity, signal);
    const deadlineMs = transferDeadlineMs(this.#timeoutMs, flags.bodyBytes ?? 0, flags.rateLimiter);
    const deadline = AbortSignal.timeout(deadlineMs);
    const abortSignal = flags.whole ? signal : signal ? AbortSignal.any([signal, deadline]) : deadline;
    try {
      // One client per target, made on the first request (set before any await: parallel first sends share it).
      this.#client ??= loadSdk().then(async ({ sdk }) => new sdk.S3Client(await this.#clientConfig()));
      const [client, { sdk }] = await Promise.all([this.#client, loadSdk()]);
      return await run(client, abortSignal ? { abortSignal } : {}, sdk);
    } catch (error) {
      if (signal?.aborted) throw abortedError(this.#identity, signal);
      if (flags.notFound && isS3NotFound(error)) throw NOT_FOUND;
      if (deadline.aborted && !flags.whole) {
        throw offsiteError(this.#identity, 'ERR_OFFSITE_UNREACHABLE', `${action} failed: not done within ${deadlineMs} ms; check the endpoint and the network`, { retryable: true, cause: error, ...(key === undefined ? {} : { key }) });
      }
      throw toS3Error(this.#identity, error, { action, key, bucket: this.#bucket, region: this.#region });
    }
  }
}

const ignore = (): void => undefined;
const QUIET_LOGGER = { trace: ignore, debug: ignore, info: ignore, warn: ignore, error: ignore };

/**
 * The object's sha256 as the store computed it (`x-amz-checksum-sha256` of a single PUT), in hex; undefined for a
 * composite checksum of a multipart upload (`…-3`: a checksum of the parts' checksums) or none.
 */
function fullObjectSha256(checksum: string | undefined): string | undefined {
  if (checksum === undefined || !/^[A-Za-z0-9+/]{43}=$/.test(checksum)) return undefined;
  return Buffer.from(checksum, 'base64').toString('hex');
}

/**
 * Whether a store may have refused a PUT for its `x-amz-checksum-sha256` header (one that predates flexible
 * checksums): a 400 or 501 that says nothing more specific (not the credentials, region, clock, quota or digest).
 */
function refusesChecksumHeader(error: unknown): boolean {
  return isOffsiteError(error, 'ERR_OFFSITE_SERVER') && (error.status === 400 || error.status === 501);
}

/** Thrown by `#send` for a 404 its caller turns into "absent". */
const NOT_FOUND = Symbol('not found');

function positiveInteger(value: number | undefined, fallback: number, name: string, fail: (text: string) => never): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 1) fail(`${name} must be a whole number of at least 1`);
  return value;
}

/** Reads `length` bytes at `offset` into `buffer` (fewer when the file got shorter: a changed local file). */
async function readPart(file: FileHandle, offset: number, length: number, buffer: Buffer): Promise<Buffer> {
  let filled = 0;
  while (filled < length) {
    const { bytesRead } = await file.read(buffer, filled, length - filled, offset + filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return buffer.subarray(0, filled);
}

/** A part's body as a stream, metered by the shared limiter when there is one. */
function bodyStream(body: Buffer, rateLimiter: RateLimiter | undefined, signal: AbortSignal | undefined): Readable {
  const source = Readable.from([body], { objectMode: false });
  if (!rateLimiter || rateLimiter.unlimited) return source;
  // pipeline, not pipe: an abort (the throttle's signal) must destroy both ends and reach the request
  // as its error, never be thrown from a stream nobody listens to.
  const throttle = createThrottleStream(rateLimiter, { signal });
  pipeline(source, throttle, () => undefined);
  return throttle;
}

/** S3's order of keys: by their UTF-8 bytes. */
function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}
