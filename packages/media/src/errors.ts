import { assignErrorFields, codedErrorGuard, errorCause } from '@camdl/internal';

/** Stable codes carried by every {@link MediaError}. */
export type MediaErrorCode =
  /** ffmpeg or ffprobe is not installed (check before downloading anything). */
  | 'ERR_FFMPEG_NOT_FOUND'
  /** ffmpeg or ffprobe exited with an error. */
  | 'ERR_FFMPEG_FAILED'
  /** ffprobe could not read a part (not media, truncated, no video): `path` names it. */
  | 'ERR_MEDIA_UNREADABLE'
  /** An output's duration does not match its parts (ffprobe after writing). */
  | 'ERR_MERGE_VERIFY_FAILED'
  /** An output already exists and `overwrite` was not given (checked before anything is written). */
  | 'ERR_MEDIA_OUTPUT_EXISTS'
  /** Invalid options (no inputs, unknown format, a file name with a line break...). */
  | 'ERR_MEDIA_INVALID_OPTIONS'
  /** Aborted through `signal` (ffmpeg was killed, nothing left behind). */
  | 'ERR_MEDIA_ABORTED';

export interface MediaErrorOptions {
  /** The stable code users branch on. */
  code: MediaErrorCode;
  /** The file concerned, when there is one. @default undefined */
  path?: string;
  /** The last lines of ffmpeg's stderr, when it failed. @default undefined */
  stderr?: string;
  /** The error that led to this one. @default undefined */
  cause?: unknown;
}

// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging, @typescript-eslint/no-empty-object-type -- assignErrorFields sets these fields
export interface MediaError extends Readonly<Omit<MediaErrorOptions, 'cause'>> {}

/** The one error class of `@camdl/media`; tell cases apart by `code`. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging -- see the interface above
export class MediaError extends Error {
  constructor(message: string, options: MediaErrorOptions) {
    super(message, errorCause(options));
    assignErrorFields(this, 'MediaError', options, ['path', 'stderr']);
  }
}

/** Type guard for {@link MediaError}, optionally of one code; also across package copies (checks `name` and `code`, not only `instanceof`). */
export const isMediaError = codedErrorGuard(MediaError, 'MediaError', ['ERR_FFMPEG_', 'ERR_MEDIA_', 'ERR_MERGE_']);
