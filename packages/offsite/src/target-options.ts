/** What every kind of target accepts. */
export interface CommonTargetOptions {
  /** The target's name (as in the fleet config); every error names it. */
  name: string;
  /**
   * Attempts of one request or one part when the failure is retryable (throttling, 5xx, a reset); wrong keys,
   * a missing bucket and conflicts are never retried.
   * @default 3
   */
  attempts?: number;
  /** Delay before the second attempt; doubled for each further one (with jitter). @default 1000 */
  retryDelayMs?: number;
}

export interface S3TargetOptions extends CommonTargetOptions {
  /** An S3-compatible bucket (AWS, MinIO, B2, R2, Wasabi, Garage, Ceph). */
  kind: 's3';
  /**
   * The S3 endpoint URL (MinIO, B2, R2, Wasabi, Garage...); AWS's regional endpoint when absent.
   * @default undefined (AWS)
   * @example 'https://s3.eu-central-1.amazonaws.com'
   */
  endpoint?: string;
  /** The region requests are signed for (`us-east-1` for most self-hosted stores). */
  region: string;
  /** The bucket; it must exist (camdl never creates it). */
  bucket: string;
  /** Prepended to every key; a trailing `/` is added when missing. @default '' */
  prefix?: string;
  /** Path-style URLs (`https://host/bucket/key`), which most self-hosted stores need. @default false */
  pathStyle?: boolean;
  /** The access key id. */
  accessKeyId: string;
  /** The secret access key (never shown in any message). */
  secretAccessKey: string;
  /** A session token for temporary credentials. @default undefined */
  sessionToken?: string;
  /** Storage class of new objects (`STANDARD_IA`, `GLACIER_IR`...). @default undefined (the bucket's default) */
  storageClass?: string;
  /** Parts sent at once by one upload. @default 4 */
  connections?: number;
  /** Size of a multipart part; files up to this size go in one PUT. At least 5 MiB; memory use is about (connections + 1) parts. @default 8 MiB */
  partSizeBytes?: number;
  /** A PEM file of certificate authorities to trust for an https endpoint. @default undefined (the system's) */
  caFile?: string;
  /** Accept any certificate of an https endpoint (a self-hosted store with a self-signed one). @default false */
  insecure?: boolean;
  /** Deadline of one request (a part included) from start to end. @default 300000 */
  timeoutMs?: number;
}

export interface RcloneTargetOptions extends CommonTargetOptions {
  /** Any rclone remote (SFTP, SMB, WebDAV, Google Drive, B2...), through the `rclone` executable. */
  kind: 'rclone';
  /** The rclone remote and path, e.g. `nas:cameras`. */
  remote: string;
  /** rclone's config file. @default undefined (rclone's own default) */
  rcloneConfig?: string;
  /** The rclone executable. @default 'rclone' */
  rcloneBinary?: string;
  /**
   * Extra environment of every rclone child (e.g. `RCLONE_CONFIG_NAS_TYPE=webdav`): how a remote is defined
   * without a config file. Passed in the environment, never in argv; values never appear in messages.
   * @default {}
   */
  env?: Record<string, string>;
  /** Transfers rclone may run at once for one upload (`--transfers`, `--multi-thread-streams`). @default 4 */
  connections?: number;
  /** Deadline of one rclone call that moves no file (a check, a stat, a listing). @default 120000 */
  timeoutMs?: number;
}

export interface DirectoryTargetOptions extends CommonTargetOptions {
  /** A directory: a mounted NAS share, a USB disk. */
  kind: 'directory';
  /** The directory (a mounted NAS share, a USB disk); it must exist (camdl never creates it). */
  path: string;
  /** fsync each file and its directory before it counts as copied. @default true */
  fsync?: boolean;
}

export type TargetOptions = S3TargetOptions | RcloneTargetOptions | DirectoryTargetOptions;

export const DEFAULT_ATTEMPTS = 3;
export const DEFAULT_RETRY_DELAY_MS = 1000;
