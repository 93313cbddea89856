import { DIGEST_ALGORITHMS, normalizeAlgorithm, type DigestAlgorithm } from './digest-algorithm.js';
import { DigestAuthError } from './errors.js';

/** Options of {@link createDigestFetch} and {@link digestInterceptor}. */
export interface DigestAuthOptions {
  /** User name; non-ASCII names are sent as `username*` (RFC 5987) or hashed with `userhash`. */
  username: string;
  /** Password. Never appears in errors, logs or URLs. */
  password: string;
  /**
   * Accepted algorithms, most preferred first. Challenges with other algorithms are ignored.
   * @default ['SHA-512-256', 'SHA-512-256-sess', 'SHA-256', 'SHA-256-sess', 'MD5', 'MD5-sess']
   */
  algorithms?: readonly DigestAlgorithm[] | undefined;
  /**
   * Choose `qop=auth-int` (the body is hashed too) when the server offers both `auth` and `auth-int`.
   * Only bodies that can be hashed and resent (string, Buffer/Uint8Array, none) qualify; others use
   * `auth`. With `false`, `auth-int` is used only when it is the sole option offered.
   * @default false
   */
  preferAuthInt?: boolean | undefined;
  /**
   * Reuse the last challenge of an origin and realm to authenticate the next request up front
   * (one round trip instead of two). `false` waits for a 401 before every authenticated request.
   * @default true
   */
  preemptive?: boolean | undefined;
  /**
   * Use Basic when a server offers only Basic. `undefined` allows it over https only, `true`
   * everywhere (the password then travels in clear text over http), `false` never.
   * @default undefined (https only)
   */
  allowBasic?: boolean | undefined;
  /**
   * Origins (`http://cam.local:8080`) that receive credentials; requests elsewhere (for example after
   * a redirect) go out without them. `undefined` allows only the origin of the first request.
   * @default undefined (the first request's origin)
   */
  allowedOrigins?: readonly (string | URL)[] | undefined;
  /**
   * What to do with a request to an origin outside `allowedOrigins`: `'pass'` sends it without
   * credentials, `'error'` rejects with `ERR_DIGEST_ORIGIN_NOT_ALLOWED` when it is answered 401.
   * @default 'error'
   */
  onForeignChallenge?: 'pass' | 'error' | undefined;
  /**
   * How concurrent requests use the cached nonces. `'exclusive'`: a nonce serves one request at a
   * time; a request finding every nonce busy goes without credentials and collects a nonce of its
   * own from the 401 (one extra request, once per level of concurrency). Safe with servers that
   * reject out-of-order `nc` (Apache `AuthDigestNcCheck On`). `'share'`: concurrent requests share
   * the newest nonce with distinct, increasing `nc` (RFC 7616 allows it; fewer 401s on lenient
   * servers, but a strict server may reject a count that arrives late).
   *
   * Measured (1,000 GETs on 127.0.0.1, extra 401s beyond the first challenge): Apache httpd with
   * `AuthDigestNcCheck On`, 8 at a time: exclusive 7 every run, share 8 to 222; 32 at a time:
   * exclusive 31, share 305 to 354. lighttpd (no nc check): exclusive 7 / 31, share 0 / 0. Every 401
   * in share mode answers a request that carried credentials (a camera may count it as a failed
   * login); the extra 401s of exclusive mode answer requests without any.
   * @default 'exclusive'
   */
  nonceConcurrency?: 'exclusive' | 'share' | undefined;
  /**
   * Largest number of idle nonces kept per origin and realm (see `nonceConcurrency`); nonces in use
   * are never dropped. With more concurrent requests than this, some keep collecting new nonces.
   * @default 16
   */
  maxNoncesPerRealm?: number | undefined;
}

export interface NormalizedDigestAuthOptions {
  username: string;
  password: string;
  algorithms: readonly DigestAlgorithm[];
  preemptive: boolean;
  preferAuthInt: boolean;
  allowBasic: boolean | undefined;
  allowedOrigins: Set<string> | undefined;
  onForeignChallenge: 'pass' | 'error';
  maxNoncesPerRealm: number;
  nonceConcurrency: 'exclusive' | 'share';
}

export const DEFAULT_DIGEST_AUTH_OPTIONS = {
  algorithms: DIGEST_ALGORITHMS,
  preemptive: true,
  preferAuthInt: false,
  allowBasic: undefined,
  allowedOrigins: undefined,
  onForeignChallenge: 'error',
  maxNoncesPerRealm: 16,
  nonceConcurrency: 'exclusive',
} as const satisfies Omit<DigestAuthOptions, 'username' | 'password'>;

function invalid(message: string): DigestAuthError {
  return new DigestAuthError(message, { code: 'ERR_DIGEST_INVALID_OPTIONS' });
}

export function normalizeOrigin(origin: string | URL): string {
  return new URL(origin).origin;
}

export function normalizeOptions(options: DigestAuthOptions): NormalizedDigestAuthOptions {
  if (typeof options !== 'object' || options === null) throw invalid('options must be an object');
  if (typeof options.username !== 'string') throw invalid('username must be a string');
  if (typeof options.password !== 'string') throw invalid('password must be a string');
  const algorithms = (options.algorithms ?? DEFAULT_DIGEST_AUTH_OPTIONS.algorithms).map((name) => {
    const normalized = normalizeAlgorithm(name);
    if (normalized === undefined) throw invalid(`unsupported algorithm ${JSON.stringify(name)}`);
    return normalized;
  });
  if (algorithms.length === 0) throw invalid('algorithms must not be empty');
  const maxNonces = options.maxNoncesPerRealm ?? DEFAULT_DIGEST_AUTH_OPTIONS.maxNoncesPerRealm;
  if (!Number.isInteger(maxNonces) || maxNonces < 1) throw invalid('maxNoncesPerRealm must be a positive integer');
  let allowedOrigins: Set<string> | undefined;
  if (options.allowedOrigins !== undefined) {
    try {
      allowedOrigins = new Set(options.allowedOrigins.map(normalizeOrigin));
    } catch (error) {
      throw new DigestAuthError('allowedOrigins holds an invalid URL', { code: 'ERR_DIGEST_INVALID_OPTIONS', cause: error });
    }
  }
  return {
    username: options.username,
    password: options.password,
    algorithms,
    preemptive: options.preemptive ?? DEFAULT_DIGEST_AUTH_OPTIONS.preemptive,
    preferAuthInt: options.preferAuthInt ?? DEFAULT_DIGEST_AUTH_OPTIONS.preferAuthInt,
    allowBasic: options.allowBasic,
    allowedOrigins,
    onForeignChallenge: options.onForeignChallenge ?? DEFAULT_DIGEST_AUTH_OPTIONS.onForeignChallenge,
    maxNoncesPerRealm: maxNonces,
    nonceConcurrency: options.nonceConcurrency ?? DEFAULT_DIGEST_AUTH_OPTIONS.nonceConcurrency,
  };
}
