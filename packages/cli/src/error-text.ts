import { networkProblem } from '@camdl/internal';

/** The stable string `code` of any error that has one (ours, undici's, Node's), else null. */
export function errorCode(error: unknown): string | null {
  if (typeof error === 'object' && error !== null && 'code' in error && typeof (error as { code: unknown }).code === 'string') return (error as { code: string }).code;
  return null;
}

/** `message (CODE)`: the message for humans, the code for searching and scripts. */
export function describeError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = errorCode(error);
  return code === null || message.includes(code) ? message : `${message} (${code})`;
}

/** Why a listing or search failed, worded the same way in every tool. */
export function listingFailureMessage(error: unknown): string {
  const code = errorCode(error);
  if (code === 'ERR_DIGEST_BAD_CREDENTIALS') {
    const url = (error as { url?: unknown }).url;
    return `authentication failed, wrong user or password (${code}${typeof url === 'string' ? `, ${url}` : ''})`;
  }
  const network = networkProblem(error);
  if (network) return code === null ? network : `${network} (${code})`;
  return describeError(error);
}

/**
 * The one wording of every camdl tool for "the camera could not be reached" (`cannot reach the camera
 * at http://host:port: connection refused`, `… does not answer TLS: try http://…`); the fleet sync uses
 * the same function.
 */
export { networkProblem } from '@camdl/internal';
