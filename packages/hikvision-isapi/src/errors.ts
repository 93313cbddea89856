import { assignErrorFields, codedErrorGuard, errorCause } from '@camdl/internal';

/** Stable codes carried by every {@link HikvisionError}. */
export type HikvisionErrorCode =
  /** The device refused the user name or password (once: the client then sends nothing more). `lockStatus`/`unlockTime` when the device said. */
  | 'ERR_HIKVISION_AUTH'
  /** The device answered an ISAPI `ResponseStatus` error (any HTTP status, 200 included); see `statusCode`/`subStatusCode`. */
  | 'ERR_HIKVISION_DEVICE'
  /** Any other non-2xx status without a readable `ResponseStatus`. */
  | 'ERR_HIKVISION_HTTP_STATUS'
  /** An answer that is not what ISAPI documents (not XML, a search page that repeats, MORE with no items…). */
  | 'ERR_HIKVISION_BAD_RESPONSE'
  /** A downloaded file whose size is not the `size=` of its playbackURI (the file is removed). */
  | 'ERR_HIKVISION_SIZE_MISMATCH'
  /** The request did not reach the device or timed out. */
  | 'ERR_HIKVISION_NETWORK'
  /** Aborted through `signal`. */
  | 'ERR_HIKVISION_ABORTED'
  /** A time or time zone given by the caller that cannot be used. */
  | 'ERR_HIKVISION_INVALID_TIME'
  /** Invalid options (credentials in the URL, a channel out of range, end before start…). */
  | 'ERR_HIKVISION_INVALID_OPTIONS';

export interface HikvisionErrorOptions {
  /** The stable code users branch on. */
  code: HikvisionErrorCode;
  /** The URL without credentials. @default undefined (not about one request) */
  url?: string;
  /** The HTTP method. @default undefined */
  method?: string;
  /** The HTTP status, when the device answered. @default undefined */
  status?: number;
  /** `ResponseStatus/statusCode` (1 OK, 2 busy, 3 device error, 4 invalid operation, 5 bad XML format, 6 bad XML content, 7 reboot). @default undefined */
  statusCode?: number;
  /** `ResponseStatus/subStatusCode` (`badParameters`, `notSupport`, …) or `statusString`. @default undefined */
  subStatusCode?: string;
  /** `userCheck/lockStatus` of a refused login (`lock` when the account is now locked). @default undefined */
  lockStatus?: string;
  /** `userCheck/unlockTime`: seconds until a locked account unlocks. @default undefined */
  unlockTime?: number;
  /** `userCheck/retryLoginTime`: failed logins left before the device locks the account. @default undefined */
  retryLoginTime?: number;
  /** The error that led to this one. @default undefined */
  cause?: unknown;
}

// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging, @typescript-eslint/no-empty-object-type -- assignErrorFields sets these fields
export interface HikvisionError extends Readonly<Omit<HikvisionErrorOptions, 'cause'>> {}

/** The one error class of `@camdl/hikvision-isapi`; tell cases apart by `code`. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging -- see the interface above
export class HikvisionError extends Error {
  constructor(message: string, options: HikvisionErrorOptions) {
    super(message, errorCause(options));
    assignErrorFields(this, 'HikvisionError', options, ['url', 'method', 'status', 'statusCode', 'subStatusCode', 'lockStatus', 'unlockTime', 'retryLoginTime']);
  }
}

/** Type guard for {@link HikvisionError}, optionally of one code; also across package copies (checks `name` and `code`, not only `instanceof`). */
export const isHikvisionError = codedErrorGuard(HikvisionError, 'HikvisionError', ['ERR_HIKVISION_']);
