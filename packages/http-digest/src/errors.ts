import { assignErrorFields, codedErrorGuard, errorCause, requestMessage } from '@camdl/internal';

/** Stable codes of {@link DigestAuthError}. Consumers treat every `ERR_DIGEST_*` as not retryable. */
export type DigestAuthErrorCode =
  | 'ERR_DIGEST_BAD_CREDENTIALS'
  | 'ERR_DIGEST_NO_CHALLENGE'
  | 'ERR_DIGEST_UNSUPPORTED_CHALLENGE'
  | 'ERR_DIGEST_ORIGIN_NOT_ALLOWED'
  | 'ERR_DIGEST_INVALID_OPTIONS';

export interface DigestAuthErrorOptions {
  /** The stable code users branch on. */
  code: DigestAuthErrorCode;
  /** The request URL, without credentials; the message starts with `[METHOD] "url": ` when given. @default undefined (not about one request) */
  url?: string;
  /** HTTP method of the request. @default 'GET' in the message */
  method?: string;
  /** HTTP status of the response that ended the exchange. @default undefined */
  status?: number;
  /** How many requests this exchange sent (1 = no retry). @default undefined */
  attempt?: number;
  /** The error that led to this one. @default undefined */
  cause?: unknown;
}

// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging, @typescript-eslint/no-empty-object-type -- assignErrorFields sets these fields
export interface DigestAuthError extends Readonly<Omit<DigestAuthErrorOptions, 'cause'>> {}

/**
 * The one error class of `@camdl/http-digest`. Never carries the password, HA1 or the
 * `Authorization` header, in its message or its fields.
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging -- see the interface above
export class DigestAuthError extends Error {
  /** The message is prefixed with `[METHOD] "url": ` when `options.url` is given. */
  constructor(message: string, options: DigestAuthErrorOptions) {
    super(requestMessage(message, options), errorCause(options));
    assignErrorFields(this, 'DigestAuthError', options, ['url', 'method', 'status', 'attempt']);
  }
}

/** Type guard for {@link DigestAuthError}, optionally of one code; also across package copies (checks `name` and `code`, not only `instanceof`). */
export const isDigestAuthError = codedErrorGuard(DigestAuthError, 'DigestAuthError', ['ERR_DIGEST_']);
