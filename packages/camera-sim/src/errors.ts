/** Stable error codes of `@camdl/camera-sim`. */
export type CameraSimErrorCode =
  | 'ERR_SIM_BAD_OPTIONS'
  | 'ERR_SIM_FFMPEG_MISSING'
  | 'ERR_SIM_FFMPEG_FAILED'
  | 'ERR_SIM_LISTEN_FAILED';

export interface CameraSimErrorOptions {
  /** The stable code users branch on. */
  code: CameraSimErrorCode;
  /** What the simulator was asked for when it failed (the profile, port, time zone...). @default undefined */
  context?: Record<string, unknown> | undefined;
  /** The error that led to this one. @default undefined */
  cause?: unknown;
}

/** The one error class of the simulator: a stable `code`, a `cause`, and context. */
export class CameraSimError extends Error {
  override readonly name = 'CameraSimError';
  readonly code: CameraSimErrorCode;
  readonly context: Record<string, unknown> | undefined;

  constructor(message: string, options: CameraSimErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = options.code;
    this.context = options.context;
  }
}

/**
 * Type guard for {@link CameraSimError}, optionally of one code; also across package copies
 * (checks `name` and `code`, not only `instanceof`).
 */
export function isCameraSimError(error: unknown, code?: CameraSimErrorCode): error is CameraSimError {
  const copySafe =
    error instanceof CameraSimError ||
    (error instanceof Error && error.name === 'CameraSimError' && String((error as { code?: unknown }).code).startsWith('ERR_SIM_'));
  return copySafe && (code === undefined || (error as CameraSimError).code === code);
}
