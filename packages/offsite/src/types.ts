import type { RateLimiter } from '@camdl/throttled-download';

/** A place that holds copies: an S3-compatible bucket, an rclone remote or a directory. */
export interface OffsiteTarget {
  /** The name the target was given (named in every error). */
  readonly name: string;
  readonly kind: 's3' | 'rclone' | 'directory';
  /** Where it is, without any secret: `s3://bucket/prefix (https://host)`, `rclone nas:cameras`, `/mnt/backup`. */
  readonly description: string;
  /** One cheap request proving the target is reachable with these credentials (HeadBucket, `rclone lsjson --max-depth 1`, stat). */
  check(options?: SignalOptions): Promise<void>;
  /**
   * Uploads `localFile` to `key` (the archive-relative path with `/`; the target adds its prefix). Resolves only
   * once the target confirmed the size and the sha256: S3 keeps it as the object's metadata `camdl-sha256`; rclone
   * reads the remote's SHA-256 where the backend has one, else reads the object back and hashes it; a directory
   * re-reads and hashes the file after fsync and rename.
   */
  put(localFile: string, key: string, options: PutOptions): Promise<PutResult>;
  /** What the target holds at `key`, or undefined. `sha256` when the target stores or knows it. */
  stat(key: string, options?: SignalOptions): Promise<RemoteObject | undefined>;
  /** Reads the whole object and hashes it (deep verify). */
  hash(key: string, options?: ReadOptions): Promise<{ size: number; sha256: string }>;
  /**
   * Downloads `key` into `localFile` atomically (a temporary file, then rename): nothing is under the final name
   * unless it is complete and, when `expectedSha256` is given, matches it (`ERR_OFFSITE_VERIFY` otherwise).
   */
  get(key: string, localFile: string, options?: GetOptions): Promise<{ size: number; sha256: string }>;
  /** Every object under a key prefix, recursively (never through delimited listings). */
  list(keyPrefix: string, options?: SignalOptions): AsyncIterable<RemoteObject>;
  /**
   * What is directly in a folder (`''` for the target's root, else a key prefix ending in `/`): each file and each
   * folder once, by name, in key order, without what the folders hold. On S3 each folder costs one small listing
   * that starts past the previous folder (never a delimited listing); rclone lists the folder alone; a directory
   * reads it. Stop iterating to stop listing.
   */
  children(folderKey: string, options?: SignalOptions): AsyncIterable<FolderEntry>;
  /** Aborts a multipart upload left by a killed run (S3; a no-op elsewhere). */
  abortUpload(key: string, uploadId: string, options?: SignalOptions): Promise<void>;
  /** Releases connections and child processes. */
  close(): Promise<void>;
}

export interface SignalOptions {
  /** Cancels the operation (it rejects with `ERR_OFFSITE_ABORTED`). @default undefined */
  signal?: AbortSignal;
}

export interface PutOptions {
  /** The local file's size, as camdl already computed it (the upload is refused if the file does not match). */
  size: number;
  /** The local file's sha256 (64 lowercase hex), as camdl already computed it. */
  sha256: string;
  /**
   * `'conflict'`: an object already at the key with other content is left alone (`ERR_OFFSITE_CONFLICT`); the same
   * content resolves as `'already-there'` without an upload. `'replace'`: overwrite (a repair the caller decided on).
   * @default 'conflict'
   */
  ifExists?: 'conflict' | 'replace';
  /** A multipart upload id saved by an earlier, killed run: resume it; parts the server has are not sent again. @default undefined */
  uploadId?: string;
  /** Called with the multipart upload id as soon as it exists (persist it), and with undefined once it completed or was aborted. @default undefined */
  onUploadId?: (uploadId: string | undefined) => void;
  /** Shared limit on the bytes sent, across uploads. @default undefined (unlimited) */
  rateLimiter?: RateLimiter;
  /** Cancels the upload (it rejects with `ERR_OFFSITE_ABORTED`; a multipart upload stays resumable). @default undefined */
  signal?: AbortSignal;
  /** Bytes sent so far (for a resumed upload, counting the parts already there). @default undefined */
  onProgress?: (progress: { bytes: number; total: number }) => void;
}

export interface ReadOptions {
  /** Cancels the read (it rejects with `ERR_OFFSITE_ABORTED`). @default undefined */
  signal?: AbortSignal;
  /** Shared limit on the bytes read. @default undefined (unlimited) */
  rateLimiter?: RateLimiter;
}

export interface GetOptions extends ReadOptions {
  /** The sha256 the file must have; a mismatch leaves nothing under `localFile` (`ERR_OFFSITE_VERIFY`). @default undefined */
  expectedSha256?: string;
}

export interface PutResult {
  /** `'uploaded'`: sent in full; `'resumed'`: a saved multipart upload was completed; `'already-there'`: the same content was there. */
  status: 'uploaded' | 'resumed' | 'already-there';
  size: number;
  sha256: string;
  /** Parts of a resumed multipart upload the server already had (not sent again). */
  partsReused: number;
}

export interface RemoteObject {
  /** The key without the target's prefix. */
  key: string;
  size: number;
  /** The sha256 the target stores or computes for the object, when it has one. */
  sha256: string | undefined;
  /** Last modification, in ms since the epoch, when the target says. */
  modifiedMs: number | undefined;
}

/** One entry of {@link OffsiteTarget.children}. */
export interface FolderEntry {
  /** The file's or folder's name (no `/`). */
  name: string;
  folder: boolean;
}
