import { randomBytes } from 'node:crypto';
import { digestHex, isSessionAlgorithm, type DigestAlgorithm } from './digest-algorithm.js';

/** Inputs of the digest computation (RFC 7616 §3.4.1). */
export interface DigestResponseInput {
  algorithm: DigestAlgorithm;
  /** The real user name (not the userhash); hashed as UTF-8. */
  username: string;
  password: string;
  realm: string;
  nonce: string;
  /** HTTP method, e.g. `GET`. */
  method: string;
  /** The `uri` parameter: path and query, as sent on the request line. */
  uri: string;
  /** `auth`, `auth-int`, or undefined for RFC 2069 legacy challenges without qop. */
  qop?: 'auth' | 'auth-int' | undefined;
  /** Client nonce; required with qop and with `-sess` algorithms. */
  cnonce?: string | undefined;
  /** Nonce count as 8 hex digits (`00000001`) or a number. */
  nc?: string | number | undefined;
  /** Request body for `auth-int` (empty when absent). */
  body?: string | Uint8Array | undefined;
}

/** `nc` as RFC 7616 wants it: 8 lower-case hex digits. */
export function formatNonceCount(nc: string | number): string {
  return typeof nc === 'number' ? nc.toString(16).padStart(8, '0') : nc;
}

/** A crypto-random client nonce (24 bytes, base64url). */
export function createCnonce(): string {
  return randomBytes(24).toString('base64url');
}

/** `H(username ":" realm)`, the `username` sent with `userhash=true`. */
export function computeUserhash(algorithm: DigestAlgorithm, username: string, realm: string): string {
  return digestHex(algorithm, `${username}:${realm}`);
}

/** The `response` parameter: the digest proving knowledge of the password. Pure. */
export function computeDigestResponse(input: DigestResponseInput): string {
  const { algorithm, username, password, realm, nonce, method, uri, qop } = input;
  const hash = (data: string | Uint8Array): string => digestHex(algorithm, data);
  const cnonce = input.cnonce ?? '';
  if ((qop !== undefined || isSessionAlgorithm(algorithm)) && cnonce === '') {
    throw new TypeError('cnonce is required with qop and with -sess algorithms');
  }
  let ha1 = hash(`${username}:${realm}:${password}`);
  if (isSessionAlgorithm(algorithm)) ha1 = hash(`${ha1}:${nonce}:${cnonce}`);
  const ha2 = qop === 'auth-int' ? hash(`${method}:${uri}:${hash(input.body ?? '')}`) : hash(`${method}:${uri}`);
  if (qop === undefined) return hash(`${ha1}:${nonce}:${ha2}`);
  const nc = formatNonceCount(input.nc ?? 1);
  return hash(`${ha1}:${nonce}:${nc}:${cnonce}:${qop}:${ha2}`);
}

/** Inputs of {@link buildAuthorizationHeader}: the digest inputs plus what is only echoed. */
export interface AuthorizationHeaderInput extends DigestResponseInput {
  /** Echoed back verbatim when the challenge had one, also when empty. */
  opaque?: string | undefined;
  /** Send `H(username:realm)` instead of the name (`userhash=true` challenges). @default false */
  userhash?: boolean | undefined;
}

function quote(value: string): string {
  return `"${value.replace(/[\\"]/g, (char) => `\\${char}`)}"`;
}

// RFC 5987 attr-char; everything else is percent-encoded from UTF-8.
function encodeExtValue(value: string): string {
  const bytes = Buffer.from(value, 'utf8');
  let out = "UTF-8''";
  for (const byte of bytes) {
    const char = String.fromCharCode(byte);
    out += byte < 0x80 && /[A-Za-z0-9!#$&+\-.^_`|~]/.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

function isPlainAscii(value: string): boolean {
  return /^[\x20-\x7e]*$/.test(value);
}

/**
 * The full `Authorization: Digest ...` value. `qop`, `nc` and `algorithm` go unquoted, everything
 * else quoted and escaped; a non-ASCII user name goes as `username*` (RFC 5987) unless hashed.
 */
export function buildAuthorizationHeader(input: AuthorizationHeaderInput): string {
  const response = computeDigestResponse(input);
  const parts: string[] = [];
  if (input.userhash === true) {
    parts.push(`username=${quote(computeUserhash(input.algorithm, input.username, input.realm))}`);
  } else if (isPlainAscii(input.username)) {
    parts.push(`username=${quote(input.username)}`);
  } else {
    parts.push(`username*=${encodeExtValue(input.username)}`);
  }
  parts.push(`realm=${quote(input.realm)}`, `nonce=${quote(input.nonce)}`, `uri=${quote(input.uri)}`);
  parts.push(`algorithm=${input.algorithm}`, `response=${quote(response)}`);
  if (input.opaque !== undefined) parts.push(`opaque=${quote(input.opaque)}`);
  if (input.qop !== undefined) {
    parts.push(`qop=${input.qop}`, `nc=${formatNonceCount(input.nc ?? 1)}`, `cnonce=${quote(input.cnonce ?? '')}`);
  } else if (isSessionAlgorithm(input.algorithm)) {
    parts.push(`cnonce=${quote(input.cnonce ?? '')}`);
  }
  if (input.userhash === true) parts.push('userhash=true');
  return `Digest ${parts.join(', ')}`;
}
