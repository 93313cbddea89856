import { assignErrorFields, codedErrorGuard, errorCause } from '@camdl/internal';

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

// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging -- assignErrorFields sets these fields
export interface OffsiteError extends Readonly<Omit<OffsiteErrorOptions, 'cause' | 'description' | 'retryable'>> {
  readonly description: string;
  readonly retryable: boolean;
}

/**
 * The one error class of `@camdl/offsite`; `code` is stable, the message is one line for humans that names
 * the target and what to do, and never carries a secret.
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging -- see the interface above
export class OffsiteError extends Error {
  constructor(message: string, options: OffsiteErrorOptions) {
    super(message, errorCause(options));
    assignErrorFields(this, 'OffsiteError', { ...options, description: options.description ?? '', retryable: options.retryable ?? false }, ['target', 'description', 'key', 'status', 'retryable']);
  }
}

/** Type guard for {@link OffsiteError}, optionally of one code; also across package copies (checks `name` and `code`, not only `instanceof`). */
export const isOffsiteError = codedErrorGuard(OffsiteError, 'OffsiteError', ['ERR_OFFSITE_']);

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
