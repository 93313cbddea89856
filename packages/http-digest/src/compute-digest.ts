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
  /**
   * How `realm`, `nonce`, `cnonce` and `uri` turn into bytes for hashing. `'utf8'` suits values
   * given as text. `'latin1'` takes them as header bytes, one character per byte, which is how
   * undici and node:http read and write header values: a realm sent as UTF-8 bytes or a request-target
   * with raw bytes then hashes to exactly what the server hashes. A value with a character above
   * U+00FF cannot be a byte string and is hashed as UTF-8. The user name and password are always UTF-8.
   * @default 'utf8'
   */
  wireEncoding?: 'utf8' | 'latin1' | undefined;
}

/** `nc` as RFC 7616 wants it: 8 lower-case hex digits. */
export function formatNonceCount(nc: string | number): string {
  return typeof nc === 'number' ? nc.toString(16).padStart(8, '0') : nc;
}

/** A crypto-random client nonce (24 bytes, base64url). */
export function createCnonce(): string {
  return randomBytes(24).toString('base64url');
}

function wireBytes(value: string, encoding: 'utf8' | 'latin1' | undefined): Buffer {
  return Buffer.from(value, encoding === 'latin1' && /^[\0-\xff]*$/.test(value) ? 'latin1' : 'utf8');
}

/** `a:b:c` as bytes: user-given text as UTF-8, header values per `wireEncoding`. */
function joinBytes(parts: readonly (string | Buffer)[]): Buffer {
  const colon = Buffer.from(':');
  return Buffer.concat(parts.flatMap((part, i) => [...(i === 0 ? [] : [colon]), typeof part === 'string' ? Buffer.from(part, 'utf8') : part]));
}

/**
 * `H(username ":" realm)`, the `username` sent with `userhash=true`. The name is hashed as UTF-8, the
 * realm per `wireEncoding` (see {@link DigestResponseInput.wireEncoding}).
 */
export function computeUserhash(algorithm: DigestAlgorithm, username: string, realm: string, wireEncoding?: 'utf8' | 'latin1'): string {
  return digestHex(algorithm, joinBytes([username, wireBytes(realm, wireEncoding)]));
}

/** The `response` parameter: the digest proving knowledge of the password. Pure. */
export function computeDigestResponse(input: DigestResponseInput): string {
  const { algorithm, username, password, realm, nonce, method, uri, qop } = input;
  const hash = (data: string | Uint8Array): string => digestHex(algorithm, data);
  const cnonce = input.cnonce ?? '';
  if ((qop !== undefined || isSessionAlgorithm(algorithm)) && cnonce === '') {
    throw new TypeError('cnonce is required with qop and with -sess algorithms');
  }
  const wire = (value: string): Buffer => wireBytes(value, input.wireEncoding);
  let ha1 = hash(joinBytes([username, wire(realm), password]));
  if (isSessionAlgorithm(algorithm)) ha1 = hash(joinBytes([ha1, wire(nonce), wire(cnonce)]));
  const a2 = qop === 'auth-int' ? [method, wire(uri), hash(input.body ?? '')] : [method, wire(uri)];
  const ha2 = hash(joinBytes(a2));
  if (qop === undefined) return hash(joinBytes([ha1, wire(nonce), ha2]));
  const nc = formatNonceCount(input.nc ?? 1);
  return hash(joinBytes([ha1, wire(nonce), nc, wire(cnonce), qop, ha2]));
}

/** Inputs of {@link buildAuthorizationHeader}: the digest inputs plus what is only echoed. */
export interface AuthorizationHeaderInput extends DigestResponseInput {
  /** Echoed back verbatim when the challenge had one, also when empty. */
  opaque?: string | undefined;
  /** Send `H(username:realm)` instead of the name (`userhash=true` challenges). @default false */
  userhash?: boolean | undefined;
  /**
   * The `algorithm` value exactly as the challenge spelled it (`md5`, `SHA-256`), echoed back; `null`
   * leaves the parameter out (for a challenge that had none: RFC 2069 servers do not know it).
   * @default the canonical name of `algorithm`
   */
  algorithmToken?: string | null | undefined;
  /**
   * How a user name that is not printable ASCII is sent (without `userhash`): `'username*'` as
   * `username*=UTF-8''...` (RFC 7616 with `charset=UTF-8`, RFC 5987); `'utf8'` as its UTF-8 bytes inside
   * `username="..."` (one character per byte in the returned string), which RFC 2617 servers such as
   * Apache httpd compare with their password file.
   * @default 'username*'
   */
  nonAsciiUsername?: 'username*' | 'utf8' | undefined;
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
    parts.push(`username=${quote(computeUserhash(input.algorithm, input.username, input.realm, input.wireEncoding))}`);
  } else if (isPlainAscii(input.username)) {
    parts.push(`username=${quote(input.username)}`);
  } else if (input.nonAsciiUsername === 'utf8') {
    parts.push(`username=${quote(Buffer.from(input.username, 'utf8').toString('latin1'))}`);
  } else {
    parts.push(`username*=${encodeExtValue(input.username)}`);
  }
  parts.push(`realm=${quote(input.realm)}`, `nonce=${quote(input.nonce)}`, `uri=${quote(input.uri)}`);
  const algorithmToken = input.algorithmToken === undefined ? input.algorithm : input.algorithmToken;
  if (algorithmToken !== null) parts.push(`algorithm=${algorithmToken}`);
  parts.push(`response=${quote(response)}`);
  if (input.opaque !== undefined) parts.push(`opaque=${quote(input.opaque)}`);
  if (input.qop !== undefined) {
    parts.push(`qop=${input.qop}`, `nc=${formatNonceCount(input.nc ?? 1)}`, `cnonce=${quote(input.cnonce ?? '')}`);
  } else if (isSessionAlgorithm(input.algorithm)) {
    parts.push(`cnonce=${quote(input.cnonce ?? '')}`);
  }
  if (input.userhash === true) parts.push('userhash=true');
  return `Digest ${parts.join(', ')}`;
}
