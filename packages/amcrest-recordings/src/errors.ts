import { assignErrorFields, codedErrorGuard, errorCause } from '@camdl/internal';

/** Stable codes carried by every {@link AmcrestError}. */
export type AmcrestErrorCode =
  /** The camera answered `Error\r\nBad Request!` (HTTP 400, or 200 with that body). */
  | 'ERR_AMCREST_BAD_REQUEST'
  /** The camera answered `Error\r\nNot Implemented!` (HTTP 501): the model lacks this API. */
  | 'ERR_AMCREST_NOT_IMPLEMENTED'
  /** The camera answered `Error\r\nInvalid Authority!`: the user lacks the right. */
  | 'ERR_AMCREST_INVALID_AUTHORITY'
  /** Any other non-2xx status. */
  | 'ERR_AMCREST_HTTP_STATUS'
  /** A 2xx body that is not what the API documents (no `result=`, an unknown `Error` text...). */
  | 'ERR_AMCREST_BAD_RESPONSE'
  /** The request did not reach the camera or timed out. */
  | 'ERR_AMCREST_NETWORK'
  /** The camera refused the credentials (wraps `ERR_DIGEST_*` from `@camdl/http-digest`). */
  | 'ERR_AMCREST_AUTH'
  /** The camera redirected somewhere it is not followed: another host, or from https down to http. */
  | 'ERR_AMCREST_REDIRECT'
  /** Aborted through `signal`. */
  | 'ERR_AMCREST_ABORTED'
  /** A time given by the caller that is not ISO 8601, or an unknown time zone. */
  | 'ERR_AMCREST_INVALID_TIME'
  /** Invalid options (negative concurrency, end before start...). */
  | 'ERR_AMCREST_INVALID_OPTIONS'
  /** The device did not say how many channels it has (`getChannelCount`, `channels: 'all'`). */
  | 'ERR_AMCREST_NO_CHANNEL_COUNT'
  /** The directory of the merged file cannot be created (a file in the way, no permission). */
  | 'ERR_AMCREST_OUTPUT_DIR';

export interface AmcrestErrorOptions {
  /** The stable code users branch on. */
  code: AmcrestErrorCode;
  /** The URL without credentials (never a password or an `Authorization` value). @default undefined (not about one request) */
  url?: string;
  /** The HTTP status, when the camera answered. @default undefined */
  status?: number;
  /** The first line(s) of the camera's body, trimmed, for context. @default undefined */
  body?: string;
  /** The error that led to this one. @default undefined */
  cause?: unknown;
}

// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging, @typescript-eslint/no-empty-object-type -- assignErrorFields sets these fields
export interface AmcrestError extends Readonly<Omit<AmcrestErrorOptions, 'cause'>> {}

/** The one error class of `@camdl/amcrest-recordings`; tell cases apart by `code`. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging -- see the interface above
export class AmcrestError extends Error {
  constructor(message: string, options: AmcrestErrorOptions) {
    super(message, errorCause(options));
    assignErrorFields(this, 'AmcrestError', options, ['url', 'status', 'body']);
  }
}

/** Type guard for {@link AmcrestError}, optionally of one code; also across package copies (checks `name` and `code`, not only `instanceof`). */
export const isAmcrestError = codedErrorGuard(AmcrestError, 'AmcrestError', ['ERR_AMCREST_']);
