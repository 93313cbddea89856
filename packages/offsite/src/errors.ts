/** Stable codes carried by every {@link OffsiteError}. */
export type OffsiteErrorCode =
  /** The target refused the credentials (wrong keys, permission denied). */
  | 'ERR_OFFSITE_AUTH'
  /** The bucket, the remote or the directory does not exist. */
  | 'ERR_OFFSITE_NOT_FOUND'
  /** The target could not be reached (refused, reset, DNS, timeout). */
  | 'ERR_OFFSITE_UNREACHABLE'
  /** An object with other content is already at the key; it was left alone. */
  | 'ERR_OFFSITE_CONFLICT'
  /** What the target holds (or what was read back) does not match the size or sha256 expected. */
  | 'ERR_OFFSITE_VERIFY'
  /** The target is out of space or over its quota. */
  | 'ERR_OFFSITE_QUOTA'
  /** The target refused the request's time (the local clock is too far off). */
  | 'ERR_OFFSITE_CLOCK_SKEW'
  /** The target asked to slow down (S3 SlowDown, 503, 429). */
  | 'ERR_OFFSITE_THROTTLED'
  /** The target failed on its side (5xx). */
  | 'ERR_OFFSITE_SERVER'
  /** The external tool (rclone) is missing or failed. */
  | 'ERR_OFFSITE_TOOL'
  /** The options given are not usable (missing field, bad key, bad sha256). */
  | 'ERR_OFFSITE_CONFIG'
  /** A restore could not write the local file (full disk, read-only folder): the target is not at fault. */
  | 'ERR_OFFSITE_LOCAL_DISK'
  /** The caller's signal aborted the operation. */
  | 'ERR_OFFSITE_ABORTED';

export interface OffsiteErrorOptions {
  /** The stable code users branch on. */
  code: OffsiteErrorCode;
  /** The target's name. */
  target: string;
  /** Where the target is, without any secret (its `description`). @default '' */
  description?: string;
  /** The key the operation was about, when there was one. @default undefined */
  key?: string;
  /** The HTTP status the target answered, when it answered. @default undefined */
  status?: number;
  /** Whether another attempt could succeed (throttling, 5xx, resets). @default false */
  retryable?: boolean;
  /** The error that led to this one. @default undefined */
  cause?: unknown;
}

/**
 * The one error class of `@camdl/offsite`; `code` is stable, the message is one line for humans that names
 * the target and what to do, and never carries a secret.
 */
export class OffsiteError extends Error {
  override readonly name = 'OffsiteError';
  readonly code: OffsiteErrorCode;
  readonly target: string;
  readonly description: string;
  readonly key: string | undefined;
  readonly status: number | undefined;
  readonly retryable: boolean;

  constructor(message: string, options: OffsiteErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = options.code;
    this.target = options.target;
    this.description = options.description ?? '';
    this.key = options.key;
    this.status = options.status;
    this.retryable = options.retryable ?? false;
  }
}

/**
 * Type guard for {@link OffsiteError}, optionally of one code; also across package copies
 * (checks `name` and `code`, not only `instanceof`).
 */
export function isOffsiteError(error: unknown, code?: OffsiteErrorCode): error is OffsiteError {
  const copySafe =
    error instanceof OffsiteError ||
    (error instanceof Error && error.name === 'OffsiteError' && String((error as { code?: unknown }).code).startsWith('ERR_OFFSITE_'));
  return copySafe && (code === undefined || (error as OffsiteError).code === code);
}

/** Who the error is about, as every message starts: `target "nas" (rclone nas:cameras)`. */
export interface TargetIdentity {
  name: string;
  description: string;
}

/** Builds an {@link OffsiteError} whose message starts with the target's name and description. */
export function offsiteError(identity: TargetIdentity, code: OffsiteErrorCode, text: string, extra: Omit<OffsiteErrorOptions, 'code' | 'target' | 'description'> = {}): OffsiteError {
  const about = extra.key === undefined ? '' : ` ${JSON.stringify(extra.key)}`;
  return new OffsiteError(`target "${identity.name}" (${identity.description})${about}: ${text}`, {
    ...extra,
    code,
    target: identity.name,
    description: identity.description,
  });
}

/** The code of a Node system error (`ENOENT`...), if it has one. */
export function systemErrorCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const { code } = error as { code: unknown };
    if (typeof code === 'string') return code;
  }
  return undefined;
}

/** Whether `error` is what an aborted signal threw. */
export function isAbortError(error: unknown, signal: AbortSignal | undefined): boolean {
  if (signal?.aborted && (error === signal.reason || (error instanceof Error && error.name === 'AbortError'))) return true;
  return error instanceof Error && (error.name === 'AbortError' || systemErrorCode(error) === 'ABORT_ERR');
}
