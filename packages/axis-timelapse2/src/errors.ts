import { assignErrorFields, codedErrorGuard, errorCause, requestMessage } from '@camdl/internal';

/** Stable codes carried by every {@link TimelapseError}. */
export type TimelapseErrorCode =
  /** The camera answered, but not with what the API promises (not JSON, wrong shape, an HTML page). */
  | 'ERR_TIMELAPSE_BAD_RESPONSE'
  /** No Timelapse2 / TimelapseMe app at this address, or the archive is gone (404). */
  | 'ERR_TIMELAPSE_NOT_FOUND'
  /** The archive's file name cannot be requested from this API version (e.g. `&` or `#` on 1.x). */
  | 'ERR_TIMELAPSE_UNSUPPORTED_NAME'
  /** The API does not offer the operation (delete on legacy TimelapseMe). */
  | 'ERR_TIMELAPSE_UNSUPPORTED_OPERATION'
  /** Any other unexpected HTTP status. */
  | 'ERR_TIMELAPSE_HTTP_STATUS'
  /** Connection refused, reset, DNS, TLS, timeout. */
  | 'ERR_TIMELAPSE_NETWORK'
  /** The operation was cancelled through its `AbortSignal`. */
  | 'ERR_TIMELAPSE_ABORTED'
  /** A delete was asked for an archive whose download was not verified complete. */
  | 'ERR_TIMELAPSE_NOT_VERIFIED'
  /** Bad options passed to the client. */
  | 'ERR_TIMELAPSE_INVALID_OPTIONS'
  /** The output directory cannot be created (a file in the way, no permission). */
  | 'ERR_TIMELAPSE_OUTDIR';

export interface TimelapseErrorOptions {
  /** The stable code users branch on. */
  code: TimelapseErrorCode;
  /** The request URL, never with credentials; the message starts with `[METHOD] "url": ` when given. @default undefined (not about one request) */
  url?: string | undefined;
  /** The request's HTTP method. @default 'GET' in the message */
  method?: string | undefined;
  /** The HTTP status, when the camera answered. @default undefined */
  status?: number | undefined;
  /** The archive's remote file name, when the error concerns one archive. @default undefined */
  filename?: string | undefined;
  /** The error that led to this one. @default undefined */
  cause?: unknown;
}

// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging, @typescript-eslint/no-empty-object-type -- assignErrorFields sets these fields
export interface TimelapseError extends Readonly<Omit<TimelapseErrorOptions, 'cause'>> {}

/**
 * The one error class of `@camdl/axis-timelapse2`. Authentication errors of `@camdl/http-digest`
 * (`ERR_DIGEST_*`) and download errors of `@camdl/throttled-download` (`ERR_DOWNLOAD_*`) are not
 * wrapped: they pass through with their own code.
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging -- see the interface above
export class TimelapseError extends Error {
  /** The message is prefixed with `[METHOD] "url": ` when `options.url` is given. */
  constructor(message: string, options: TimelapseErrorOptions) {
    super(requestMessage(message, options), errorCause(options));
    assignErrorFields(this, 'TimelapseError', options, ['url', 'method', 'status', 'filename']);
  }
}

/** Type guard for {@link TimelapseError}, optionally of one code; also across package copies (checks `name` and `code`, not only `instanceof`). */
export const isTimelapseError = codedErrorGuard(TimelapseError, 'TimelapseError', ['ERR_TIMELAPSE_']);
