/** Stable error codes of `@camdl/camera-sim`. */
export type CameraSimErrorCode =
  | 'ERR_SIM_BAD_OPTIONS'
  | 'ERR_SIM_FFMPEG_MISSING'
  | 'ERR_SIM_FFMPEG_FAILED'
  | 'ERR_SIM_LISTEN_FAILED';

/** The one error class of the simulator: a stable `code`, a `cause`, and context. */
export class CameraSimError extends Error {
  override readonly name = 'CameraSimError';
  readonly code: CameraSimErrorCode;
  readonly context: Record<string, unknown> | undefined;

  constructor(code: CameraSimErrorCode, message: string, options: { cause?: unknown; context?: Record<string, unknown> } = {}) {
    super(message, { cause: options.cause });
    this.code = code;
    this.context = options.context;
  }
}

/** Type guard for {@link CameraSimError}. */
export function isCameraSimError(error: unknown): error is CameraSimError {
  return error instanceof CameraSimError;
}
