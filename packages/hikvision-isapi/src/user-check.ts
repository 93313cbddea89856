import type { Dispatcher } from 'undici';
import { responseStatusOf, type ResponseStatus } from './response-status.js';
import { PLAUSIBLE_DURATION_MAX_SECONDS, childText, parseXml } from '@camdl/internal';

/** What a device says about a refused login (`<userCheck>` of newer firmware). */
export interface UserCheck {
  /** `lock` when the account is locked now, `unlock` otherwise. */
  lockStatus: string | undefined;
  /** Seconds until a locked account unlocks. */
  unlockTime: number | undefined;
  /** Failed logins left before the account locks. */
  retryLoginTime: number | undefined;
}

/** The body of the last 401/403 answered to a request with credentials. */
export interface RefusalBody {
  status: number;
  /** A `<userCheck>`: a refused login. */
  userCheck: UserCheck | undefined;
  /** A `ResponseStatus`: a 403 about the request (an operation the device refuses), not the login. */
  responseStatus: ResponseStatus | undefined;
}

/** The most a refused-login body is read for its `<userCheck>`. */
const USER_CHECK_MAX_BYTES = 4096;

/** The most failed logins a device plausibly allows before it locks (firmware allows 3 to 20). */
const MAX_RETRY_LOGINS = 1000;

/** A whole number from 0 to `max`; undefined when not such a number (it is then not quoted in an error). */
function smallCount(text: string | undefined, max: number): number | undefined {
  if (text === undefined || !/^\d{1,9}$/.test(text)) return undefined;
  const value = Number(text);
  return value <= max ? value : undefined;
}

/** Reads a `<userCheck>` body; undefined when the body is something else (an HTML page). */
export function parseUserCheck(body: string): UserCheck | undefined {
  const root = parseXml(body);
  if (root?.name !== 'userCheck') return undefined;
  const lockStatus = childText(root, 'lockStatus');
  return {
    lockStatus: lockStatus !== undefined && /^[a-zA-Z]{1,16}$/.test(lockStatus) ? lockStatus : undefined,
    // A lock is for minutes to hours: a longer one is a broken answer.
    unlockTime: smallCount(childText(root, 'unlockTime'), PLAUSIBLE_DURATION_MAX_SECONDS),
    retryLoginTime: smallCount(childText(root, 'retryLoginTime'), MAX_RETRY_LOGINS),
  };
}

function sentCredentials(headers: Dispatcher.DispatchOptions['headers']): boolean {
  if (headers === null || headers === undefined) return false;
  if (Array.isArray(headers)) return headers.some((entry, index) => (Array.isArray(entry) ? String(entry[0]).toLowerCase() === 'authorization' : index % 2 === 0 && String(entry).toLowerCase() === 'authorization'));
  if (typeof (headers as Iterable<unknown>)[Symbol.iterator] === 'function') return false;
  return Object.keys(headers).some((name) => name.toLowerCase() === 'authorization');
}

/**
 * An interceptor placed under the Digest one: it sees the device's answer to a request that carried
 * credentials before Digest turns a 401 into an error and drops its body, and keeps that body's
 * `<userCheck>` (lock status, unlock time) or `ResponseStatus` in `state.last`, so the error can say it.
 */
export function captureUserCheck(state: { last: RefusalBody | undefined }): Dispatcher.DispatcherComposeInterceptor {
  return (dispatch) => (opts, handler) => {
    if (!sentCredentials(opts.headers)) return dispatch(opts, handler);
    let capturing = false;
    let statusSeen = 0;
    let size = 0;
    const chunks: Buffer[] = [];
    const wrapped: Dispatcher.DispatchHandler = {
      onRequestStart: (controller, context) => handler.onRequestStart?.(controller, context),
      onRequestUpgrade: (controller, status, headers, socket) => handler.onRequestUpgrade?.(controller, status, headers, socket),
      onResponseStart: (controller, status, headers, message) => {
        capturing = status === 401 || status === 403;
        statusSeen = status;
        handler.onResponseStart?.(controller, status, headers, message);
      },
      onResponseData: (controller, chunk) => {
        if (capturing && size < USER_CHECK_MAX_BYTES) {
          chunks.push(Buffer.from(chunk.subarray(0, USER_CHECK_MAX_BYTES - size)));
          size += chunk.length;
        }
        handler.onResponseData?.(controller, chunk);
      },
      onResponseEnd: (controller, trailers) => {
        if (capturing) {
          const text = Buffer.concat(chunks).toString('utf8');
          state.last = { status: statusSeen, userCheck: parseUserCheck(text), responseStatus: responseStatusOf(parseXml(text)) };
        }
        handler.onResponseEnd?.(controller, trailers);
      },
      onResponseError: (controller, error) => handler.onResponseError?.(controller, error),
    };
    return dispatch(opts, wrapped);
  };
}
