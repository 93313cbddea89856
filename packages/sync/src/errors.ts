import { networkProblem } from '@camdl/internal';
import { assignErrorFields, codedErrorGuard, errorCause } from '@camdl/internal';

/** Stable codes carried by every {@link SyncError}. */
export type SyncErrorCode =
  /** The config file is missing, not YAML, or has a wrong, missing or unknown key; or a target's secret cannot be read. */
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

/** What each camera `kind:` expects to find, for the hint after a 404 on its first request. */
const KIND_EXPECTS: Record<string, string> = {
  timelapse: 'an Axis camera with the Timelapse2 or TimelapseMe app',
  amcrest: 'an Amcrest or Dahua camera or NVR (its CGI API)',
  'axis-edge': 'an Axis camera with edge storage, an SD card or a network share (VAPIX list.cgi)',
  hikvision: 'a Hikvision camera or NVR (ISAPI)',
};

/**
 * Why a camera's request failed, in the words every camdl command uses: an unreachable camera or a
 * TLS mismatch as the single-camera tools word it (`cannot reach the camera at …: connection refused`,
 * `https://… does not answer TLS: try http://…`), a 404 with a hint that `kind:` may be wrong, else
 * {@link describeError}. The download of one listed recording (`request: 'recording'`) that gets a 404
 * says the camera does not have it: the camera answered its listing, so `kind:` is not in question.
 */
export function describeCameraError(error: unknown, camera: { kind: string }, request: 'camera' | 'recording' = 'camera'): string {
  const code = errorCode(error);
  const network = networkProblem(error, { certificateHint: 'set ca-file: to its CA, or insecure: true for a self-signed camera' });
  if (network) return code === undefined ? network : `${network} (${code})`;
  const status = (error as { status?: unknown } | undefined)?.status;
  if (status === 404 || (status === undefined && error instanceof Error && /\b404 Not Found\b/.test(error.message))) {
    if (request === 'recording') return `${describeError(error)}: the camera does not have this recording, although it listed it`;
    const expects = KIND_EXPECTS[camera.kind];
    return `${describeError(error)}: the camera has no such page; is kind: ${camera.kind} right?${expects ? ` (it expects ${expects})` : ''}`;
  }
  return describeError(error);
}
