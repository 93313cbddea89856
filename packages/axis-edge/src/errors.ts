import { assignErrorFields, codedErrorGuard, errorCause } from '@camdl/internal';

/** Stable codes carried by every {@link AxisEdgeError}. */
export type AxisEdgeErrorCode =
  /** The camera refused the user name or password (once: the client then sends nothing more). */
  | 'ERR_AXIS_EDGE_AUTH'
  /** The camera answered an API error, HTTP 200 included: a `GeneralError` (`errorCode`) or a `result="ERROR"` row. */
  | 'ERR_AXIS_EDGE_DEVICE'
  /** Any other non-2xx status. */
  | 'ERR_AXIS_EDGE_HTTP_STATUS'
  /** An answer that is not what VAPIX documents (not XML, a list that does not page…). */
  | 'ERR_AXIS_EDGE_BAD_RESPONSE'
  /** The recording is still being written (no stop time): not exported until it is complete. */
  | 'ERR_AXIS_EDGE_IN_PROGRESS'
  /** The exported file is not a whole container of the recording's length (cut, or another recording): removed. */
  | 'ERR_AXIS_EDGE_INCOMPLETE'
  /** The request did not reach the camera or timed out. */
  | 'ERR_AXIS_EDGE_NETWORK'
  /** Aborted through `signal`. */
  | 'ERR_AXIS_EDGE_ABORTED'
  /** Invalid options (credentials in the URL, an unknown format, a page size out of range…). */
  | 'ERR_AXIS_EDGE_INVALID_OPTIONS';

export interface AxisEdgeErrorOptions {
  /** The stable code users branch on. */
  code: AxisEdgeErrorCode;
  /** The URL without credentials. @default undefined (not about one request) */
  url?: string;
  /** The HTTP status, when the camera answered. @default undefined */
  status?: number;
  /** `GeneralError/ErrorCode` (110 not found, 120–160 bad times, 170 bad format…). @default undefined */
  errorCode?: number;
  /** The recording concerned. @default undefined */
  recordingId?: string;
  /** The error that led to this one. @default undefined */
  cause?: unknown;
}

// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging, @typescript-eslint/no-empty-object-type -- assignErrorFields sets these fields
export interface AxisEdgeError extends Readonly<Omit<AxisEdgeErrorOptions, 'cause'>> {}

/** The one error class of `@camdl/axis-edge`; tell cases apart by `code`. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging -- see the interface above
export class AxisEdgeError extends Error {
  constructor(message: string, options: AxisEdgeErrorOptions) {
    super(message, errorCause(options));
    assignErrorFields(this, 'AxisEdgeError', options, ['url', 'status', 'errorCode', 'recordingId']);
  }
}

/** Type guard for {@link AxisEdgeError}, optionally of one code; also across package copies (checks `name` and `code`, not only `instanceof`). */
export const isAxisEdgeError = codedErrorGuard(AxisEdgeError, 'AxisEdgeError', ['ERR_AXIS_EDGE_']);
