import { errorCode } from './errors.js';

/**
 * Codes by which a camera library says the camera refused the user name or password (or the user lacks the
 * right). A refused login is tried once per camera and run and never retried, so the camera does not lock the
 * account; it is also what the `login-refused` alert reports.
 */
const REFUSED_LOGIN_CODES: ReadonlySet<string> = new Set([
  'ERR_DIGEST_BAD_CREDENTIALS',
  'ERR_DOWNLOAD_AUTH',
  'ERR_AMCREST_AUTH',
  'ERR_AMCREST_INVALID_AUTHORITY',
  'ERR_HIKVISION_AUTH',
  'ERR_AXIS_EDGE_AUTH',
]);

/** Whether a code says the camera refused the login. */
export function isRefusedLoginCode(code: string | undefined): boolean {
  return code !== undefined && REFUSED_LOGIN_CODES.has(code);
}

/** Whether an error, or one of its causes, says the camera refused the login. */
export function isRefusedLogin(error: unknown): boolean {
  const seen = new Set<unknown>();
  for (let current = error; current !== undefined && current !== null && !seen.has(current); current = (current as { cause?: unknown }).cause) {
    if (isRefusedLoginCode(errorCode(current))) return true;
    seen.add(current);
  }
  return false;
}
