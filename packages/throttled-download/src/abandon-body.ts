import type { Readable } from 'node:stream';

/**
 * Stops reading a response body we do not want (a 200 to a size probe, a 206 at the wrong offset).
 * undici's body emits a "request aborted" error when destroyed before its end; without a listener
 * that error would crash the process.
 */
export function abandonBody(body: Readable): void {
  body.on('error', () => {});
  body.destroy();
}
