import { assignErrorFields, codedErrorGuard, errorCause } from '@camdl/internal';

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

// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging, @typescript-eslint/no-empty-object-type -- assignErrorFields sets these fields
export interface CameraSimError extends Readonly<Omit<CameraSimErrorOptions, 'cause'>> {}

/** The one error class of the simulator: a stable `code`, a `cause`, and context. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging -- see the interface above
export class CameraSimError extends Error {
  constructor(message: string, options: CameraSimErrorOptions) {
    super(message, errorCause(options));
    assignErrorFields(this, 'CameraSimError', options, ['context']);
  }
}

/** Type guard for {@link CameraSimError}, optionally of one code; also across package copies (checks `name` and `code`, not only `instanceof`). */
export const isCameraSimError = codedErrorGuard(CameraSimError, 'CameraSimError', ['ERR_SIM_']);
