import { assignErrorFields, codedErrorGuard, errorCause } from '@camdl/internal';

/** Stable codes carried by every {@link SyncError}. */
export type SyncErrorCode =
  /** The config file is missing, not YAML, or has a wrong, missing or unknown key. */
  | 'ERR_SYNC_CONFIG'
  /** A camera's password could not be read (file, environment) or was refused by policy. */
  | 'ERR_SYNC_PASSWORD'
  /** `node:sqlite` is not available (Node.js older than 22.19). */
  | 'ERR_SYNC_SQLITE_UNAVAILABLE'
  /** The ledger database is newer than this version of camdl, or cannot be opened. */
  | 'ERR_SYNC_LEDGER'
  /** Another `camdl sync` holds the camera's lock. */
  | 'ERR_SYNC_CAMERA_BUSY'
  /** A downloaded file failed its check (size differs from the camera's, unverifiable length). */
  | 'ERR_SYNC_VERIFY_FAILED'
  /** The archive's file system is full (ENOSPC, a quota, SQLite's "database or disk is full"): the run stopped starting downloads. */
  | 'ERR_SYNC_DISK_FULL'
  /** An off-site target is unknown, or its secret (access key) could not be read. */
  | 'ERR_SYNC_TARGET'
  /** A notification channel failed (HTTP status, timeout, SMTP, apprise); never changes what was archived. */
  | 'ERR_SYNC_NOTIFY'
  /** A recording the ledger planned is no longer in the camera's current listing (nothing was fetched or deleted). */
  | 'ERR_SYNC_NOT_LISTED'
  /** The camera cannot do what was asked (the legacy TimelapseMe app cannot delete). */
  | 'ERR_SYNC_UNSUPPORTED'
  /** A recording was not downloaded and the camera library gave no error of its own. */
  | 'ERR_SYNC_DOWNLOAD';

export interface SyncErrorOptions {
  /** The stable code users branch on. */
  code: SyncErrorCode;
  /** The config file, for config errors. @default undefined */
  file?: string | undefined;
  /** 1-based line in `file`. @default undefined */
  line?: number | undefined;
  /** The camera concerned. @default undefined (the whole fleet) */
  camera?: string | undefined;
  /** The error that led to this one. @default undefined */
  cause?: unknown;
}

// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging, @typescript-eslint/no-empty-object-type -- assignErrorFields sets these fields
export interface SyncError extends Readonly<Omit<SyncErrorOptions, 'cause'>> {}

/** The one error class of `@camdl/sync`; errors of the camera libraries pass through with their own code. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging -- see the interface above
export class SyncError extends Error {
  constructor(message: string, options: SyncErrorOptions) {
    super(message, errorCause(options));
    assignErrorFields(this, 'SyncError', options, ['file', 'line', 'camera']);
  }
}

/** Type guard for {@link SyncError}, optionally of one code; also across package copies (checks `name` and `code`, not only `instanceof`). */
export const isSyncError = codedErrorGuard(SyncError, 'SyncError', ['ERR_SYNC_']);

/** A short reason for logs and the ledger: the message, never a stack. */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' && !error.message.includes(code) ? `${error.message} (${code})` : error.message;
  }
  return String(error);
}

/** The `code` of an error, when it has a string one. */
export function errorCode(error: unknown): string | undefined {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : undefined;
}
