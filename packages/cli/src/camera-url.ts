import { ExitError, EXIT_CODES } from './exit-error.js';

/**
 * Turns a `--host` value into a base URL. Accepts `host`, `host:port`, `[v6]:port` and
 * `http(s)://host[:port][/]`; cameras often sit behind a forwarded port. Credentials in the URL are
 * refused (they would end up in logs and process lists).
 */
export function parseCameraHost(host: string): URL {
  const trimmed = host.trim();
  if (trimmed === '') throw new ExitError('--host must not be empty', EXIT_CODES.listFailed);
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `http://${trimmed}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new ExitError(`--host: not a host name, host:port or http(s) URL: ${JSON.stringify(host)}`, EXIT_CODES.listFailed);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ExitError(`--host: only http:// and https:// are supported, got ${url.protocol}//`, EXIT_CODES.listFailed);
  }
  if (url.username !== '' || url.password !== '') {
    throw new ExitError('--host must not contain credentials; use --user and a password option', EXIT_CODES.listFailed);
  }
  if (url.hostname === '') throw new ExitError(`--host: missing host name in ${JSON.stringify(host)}`, EXIT_CODES.listFailed);
  url.hash = '';
  url.search = '';
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  return url;
}
