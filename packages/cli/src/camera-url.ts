import { ExitError, EXIT_CODES } from './exit-error.js';
import { redactCredentials } from './terminal-text.js';

const plainUsageError = (message: string): ExitError => new ExitError(redactCredentials(message), { exitCode: EXIT_CODES.usage });

/**
 * Turns a `--host` value into a base URL. Accepts `host`, `host:port`, `[v6]:port` and
 * `http(s)://host[:port][/]`; cameras often sit behind a forwarded port. Credentials in the URL are
 * refused (they would end up in logs and process lists).
 */
export function parseCameraHost(host: string, usageError: (message: string) => ExitError = plainUsageError): URL {
  const trimmed = host.trim();
  if (trimmed === '') throw usageError('--host must not be empty');
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `http://${trimmed}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw usageError(`--host: not a host name, host:port or http(s) URL: ${JSON.stringify(redactCredentials(host))}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw usageError(`--host: only http:// and https:// are supported, got ${url.protocol}//`);
  }
  if (url.username !== '' || url.password !== '') {
    throw usageError('--host must not contain credentials; use --user and a password option');
  }
  if (url.hostname === '') throw usageError(`--host: missing host name in ${JSON.stringify(redactCredentials(host))}`);
  url.hash = '';
  url.search = '';
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  return url;
}
