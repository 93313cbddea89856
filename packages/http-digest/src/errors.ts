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

/**
 * The one error class of `@camdl/http-digest`. Never carries the password, HA1 or the
 * `Authorization` header, in its message or its fields.
 */
export class DigestAuthError extends Error {
  override readonly name = 'DigestAuthError';
  readonly code: DigestAuthErrorCode;
  readonly url: string | undefined;
  readonly method: string | undefined;
  readonly status: number | undefined;
  readonly attempt: number | undefined;

  /** The message is prefixed with `[METHOD] "url": ` when `options.url` is given. */
  constructor(message: string, options: DigestAuthErrorOptions) {
    const where = options.url === undefined ? '' : `[${options.method ?? 'GET'}] "${options.url}": `;
    super(`${where}${message}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = options.code;
    this.url = options.url;
    this.method = options.method;
    this.status = options.status;
    this.attempt = options.attempt;
  }
}

/**
 * Type guard for {@link DigestAuthError}, optionally of one code; also across package copies
 * (checks `name` and `code`, not only `instanceof`).
 */
export function isDigestAuthError(error: unknown, code?: DigestAuthErrorCode): error is DigestAuthError {
  const copySafe =
    error instanceof DigestAuthError ||
    (error instanceof Error &&
      error.name === 'DigestAuthError' &&
      String((error as { code?: unknown }).code).startsWith('ERR_DIGEST_'));
  return copySafe && (code === undefined || (error as DigestAuthError).code === code);
}
