import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** How the server phrases its `WWW-Authenticate` challenge and its nonces. */
export type DigestFlavour = 'axis' | 'amcrest' | 'hikvision';

/** Digest algorithms a simulated device may offer. */
export type SimDigestAlgorithm = 'MD5' | 'SHA-256';

/** The `qop` a simulated device offers. */
export type SimDigestQop = 'auth' | 'auth,auth-int';

/** Server-side digest settings. */
export interface DigestServerOptions {
  /** Challenge and nonce style of the device being imitated. */
  flavour: DigestFlavour;
  /** The `realm` of the challenges (a real camera sends its model or serial). */
  realm: string;
  /** The one user the server accepts. */
  username: string;
  /** That user's password. */
  password: string;
  /**
   * How long a nonce is accepted; after that the server answers 401 with `stale=true`.
   * @default 300_000
   */
  nonceLifetimeMs?: number;
  /**
   * Require `nc` to strictly increase per nonce (Apache `AuthDigestNcCheck On`).
   * @default false
   */
  strictNc?: boolean;
  /**
   * Accept each nonce once only (Amcrest/NVR firmware that rejects `nc=00000002`).
   * @default false
   */
  oneTimeNonce?: boolean;
  /**
   * How the `uri` is compared with the request-target: `'exact'` byte for byte (RFC 7616 §3.4,
   * lighttpd), `'decoded'` after percent-decoding both (Apache `mod_auth_digest`, lenient).
   * @default 'exact'
   */
  uriMatch?: 'exact' | 'decoded';
  /**
   * Algorithms offered, one challenge (one `WWW-Authenticate` header) each, in this order; an
   * `Authorization` with another algorithm (none means MD5) is refused. `['SHA-256', 'MD5']` is a
   * device offering SHA-256 with an MD5 fallback, `['SHA-256']` one that forbids MD5 (FIPS mode).
   * @default ['MD5']
   */
  algorithms?: readonly SimDigestAlgorithm[];
  /**
   * `qop` offered. With `'auth,auth-int'` a client may choose either; `auth-int` is verified against
   * the hash of an empty body, so a request that carries a body with `qop=auth-int` is refused
   * (the simulator does not hold bodies back for authentication).
   * @default 'auth'
   */
  qop?: SimDigestQop;
  /**
   * Refuse an `Authorization` whose `qop` or `nc` is a quoted string (RFC 7616 makes them tokens;
   * Dahua firmware refuses the quoted form).
   * @default true
   */
  unquotedTokens?: boolean;
  /** The `opaque` of the challenges, echoed back by the client (amcrest flavour; `''` is sent as `opaque=""`). @default a random hex string (amcrest), none (others) */
  opaque?: string;
  /** Clock, for tests. @default Date.now */
  now?: () => number;
}

/** Outcome of checking one request's `Authorization` header. */
export type DigestVerdict =
  | { ok: true; username: string }
  | { ok: false; reason: 'missing' | 'malformed' | 'bad-credentials' | 'unknown-nonce' | 'stale' | 'nc-replay' | 'uri-mismatch' | 'opaque-mismatch' | 'not-digest' };

interface NonceState {
  /** The algorithm of the challenge that carried it (MD5 when unset). */
  algorithm?: SimDigestAlgorithm;
  issuedAt: number;
  lastNc: number;
  uses: number;
}

const MAX_NONCES = 10_000;

/** Parses `Digest k=v, k="v"` auth-params (quoted strings with escapes, tokens with `=`). */
export function parseDigestAuthorization(header: string): Record<string, string> | undefined {
  return parseDigestParams(header)?.params;
}

/** The auth-params and the names of those sent as quoted strings. */
function parseDigestParams(header: string): { params: Record<string, string>; quoted: Set<string> } | undefined {
  const match = /^\s*Digest\s+/i.exec(header);
  if (!match) return undefined;
  const params: Record<string, string> = {};
  const quoted = new Set<string>();
  let index = match[0].length;
  const text = header;
  while (index < text.length) {
    while (index < text.length && /[\s,]/.test(text[index] ?? '')) index++;
    if (index >= text.length) break;
    const eq = text.indexOf('=', index);
    if (eq < 0) return undefined;
    const name = text.slice(index, eq).trim().toLowerCase();
    index = eq + 1;
    while (text[index] === ' ') index++;
    let value = '';
    if (text[index] === '"') {
      quoted.add(name);
      index++;
      while (index < text.length && text[index] !== '"') {
        if (text[index] === '\\') index++;
        value += text[index] ?? '';
        index++;
      }
      if (text[index] !== '"') return undefined;
      index++;
    } else {
      const end = text.indexOf(',', index);
      value = (end < 0 ? text.slice(index) : text.slice(index, end)).trim();
      index = end < 0 ? text.length : end;
    }
    if (!name) return undefined;
    params[name] = value;
  }
  return { params, quoted };
}

function hash(algorithm: SimDigestAlgorithm, text: string | Buffer): string {
  return createHash(algorithm === 'MD5' ? 'md5' : 'sha256').update(text).digest('hex');
}

/** node:http presents header bytes as latin1 characters: recover the bytes the client hashed. */
function headerBytes(text: string): Buffer {
  return Buffer.from(text, 'latin1');
}

function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * Server-side HTTP Digest (RFC 2617/7616: MD5 and SHA-256, `qop=auth`, `auth-int` on bodiless requests) as Axis (Apache `mod_auth_digest`) and Amcrest
 * (Dahua) firmware implement it: their challenge formats, nonce shapes, expiry with `stale=true`,
 * optional strict `nc` checks and one-time nonces.
 */
export class DigestServer {
  readonly options: Required<Omit<DigestServerOptions, 'now' | 'opaque'>> & { now: () => number };
  readonly opaque: string;
  private readonly secret = randomBytes(16);
  private readonly nonces = new Map<string, NonceState>();
  private amcrestCounter = 1_000_000_000 + Math.floor(Math.random() * 900_000_000);

  constructor(options: DigestServerOptions) {
    this.options = {
      nonceLifetimeMs: 300_000,
      strictNc: false,
      oneTimeNonce: false,
      uriMatch: 'exact',
      algorithms: ['MD5'],
      qop: 'auth',
      unquotedTokens: true,
      ...options,
      now: options.now ?? Date.now,
    };
    this.opaque = options.flavour === 'amcrest' ? (options.opaque ?? `72${randomBytes(12).toString('hex').slice(0, 24)}`) : '';
  }

  private issueNonce(algorithm: SimDigestAlgorithm): string {
    const now = this.options.now();
    let nonce: string;
    if (this.options.flavour === 'amcrest') {
      this.amcrestCounter += 1 + Math.floor(Math.random() * 1000);
      nonce = String(this.amcrestCounter % 4_294_967_296);
    } else if (this.options.flavour === 'hikvision') {
      // App-webs: hex of base64("<8 hex>:<7 hex>").
      const text = `${randomBytes(4).toString('hex')}:${randomBytes(4).toString('hex').slice(0, 7)}`;
      nonce = Buffer.from(Buffer.from(text).toString('base64')).toString('hex');
    } else {
      // Apache mod_auth_digest: base64 of the time (ends in `=`) + hex HMAC.
      const time = Buffer.alloc(8);
      time.writeBigUInt64LE(BigInt(now) * 1000n + BigInt(Math.floor(Math.random() * 1000)));
      const stamp = time.toString('base64');
      nonce = stamp + createHmac('sha1', this.secret).update(stamp).digest('hex');
    }
    if (this.nonces.size >= MAX_NONCES) {
      const oldest = this.nonces.keys().next().value;
      if (oldest !== undefined) this.nonces.delete(oldest);
    }
    this.nonces.set(nonce, { algorithm, issuedAt: now, lastNc: 0, uses: 0 });
    return nonce;
  }

  /** A fresh `WWW-Authenticate` header value in the device's exact format (the first algorithm offered). */
  challenge(stale = false): string {
    return this.challengeFor(this.options.algorithms[0] ?? 'MD5', stale);
  }

  /** One fresh challenge per algorithm offered, each its own `WWW-Authenticate` header value. */
  challenges(stale = false): string[] {
    return this.options.algorithms.map((algorithm) => this.challengeFor(algorithm, stale));
  }

  private challengeFor(algorithm: SimDigestAlgorithm, stale: boolean): string {
    const nonce = this.issueNonce(algorithm);
    const { realm, qop } = this.options;
    // The firmware's own challenges name no algorithm when they mean MD5; another is named.
    const named = algorithm === 'MD5' ? '' : algorithm;
    if (this.options.flavour === 'amcrest') {
      return `Digest realm="${realm}",qop="${qop}",nonce="${nonce}",opaque="${this.opaque}"${named ? `,algorithm=${named}` : ''}${stale ? ',stale=true' : ''}`;
    }
    if (this.options.flavour === 'hikvision') return `Digest qop="${qop}", realm="${realm}", nonce="${nonce}", stale="${stale ? 'TRUE' : 'FALSE'}"${named ? `, algorithm="${named}"` : ''}`;
    return `Digest realm="${realm}", nonce="${nonce}",${stale ? ' stale=true,' : ''} algorithm=${algorithm}, qop="${qop}"`;
  }

  /**
   * Checks a request. `requestTarget` is the raw request-target (path + query) the `uri` must match.
   */
  verify(method: string, requestTarget: string, authorization: string | undefined, hasBody = false): DigestVerdict {
    if (authorization === undefined || authorization === '') return { ok: false, reason: 'missing' };
    if (!/^\s*Digest\s/i.test(authorization)) return { ok: false, reason: 'not-digest' };
    const parsed = parseDigestParams(authorization);
    if (!parsed) return { ok: false, reason: 'malformed' };
    const { params, quoted } = parsed;
    const { username, realm, nonce, uri, response, qop, nc, cnonce, opaque, algorithm } = params;
    if (!username || !realm || !nonce || uri === undefined || !response) return { ok: false, reason: 'malformed' };
    // RFC 7616 §3.4: qop and nc are tokens; Dahua firmware refuses them quoted. (A quoted algorithm is
    // accepted: python-requests, which the seed tool uses against these cameras, sends algorithm="MD5".)
    if (this.options.unquotedTokens && (quoted.has('qop') || quoted.has('nc'))) return { ok: false, reason: 'malformed' };
    // No algorithm means MD5 (RFC 7616 §3.3); one the device did not offer is refused.
    const used = this.options.algorithms.find((offered) => offered === (algorithm ?? 'MD5').toUpperCase());
    if (used === undefined) return { ok: false, reason: 'malformed' };
    if (!uriMatches(uri, requestTarget, this.options.uriMatch)) return { ok: false, reason: 'uri-mismatch' };
    if (this.options.flavour === 'amcrest' && opaque !== this.opaque) return { ok: false, reason: 'opaque-mismatch' };
    const offeredQops = this.options.qop.split(',');
    if (qop !== undefined && !offeredQops.includes(qop)) return { ok: false, reason: 'malformed' };
    if (qop === 'auth-int' && hasBody) return { ok: false, reason: 'malformed' };
    if (qop !== undefined && (!nc || !/^[0-9a-fA-F]{8}$/.test(nc) || cnonce === undefined)) return { ok: false, reason: 'malformed' };

    const ha1 = hash(used, `${this.options.username}:${this.options.realm}:${this.options.password}`);
    const ha2 = hash(used, qop === 'auth-int' ? headerBytes(`${method}:${uri}:${hash(used, '')}`) : headerBytes(`${method}:${uri}`));
    const expected = qop === undefined ? hash(used, `${ha1}:${nonce}:${ha2}`) : hash(used, `${ha1}:${nonce}:${nc}:${cnonce}:${qop}:${ha2}`);
    if (!headerBytes(username).equals(Buffer.from(this.options.username, 'utf8')) || realm !== this.options.realm || !safeEqual(expected, response.toLowerCase())) {
      return { ok: false, reason: 'bad-credentials' };
    }
    const state = this.nonces.get(nonce);
    if (!state) return { ok: false, reason: 'unknown-nonce' };
    // A nonce answers for the algorithm of the challenge that carried it.
    if ((state.algorithm ?? 'MD5') !== used) return { ok: false, reason: 'malformed' };
    if (this.options.now() - state.issuedAt > this.options.nonceLifetimeMs) {
      this.nonces.delete(nonce);
      return { ok: false, reason: 'stale' };
    }
    const count = nc ? Number.parseInt(nc, 16) : 0;
    if (this.options.oneTimeNonce && state.uses > 0) return { ok: false, reason: 'nc-replay' };
    if (this.options.strictNc && count <= state.lastNc) return { ok: false, reason: 'nc-replay' };
    state.lastNc = Math.max(state.lastNc, count);
    state.uses++;
    return { ok: true, username };
  }
}

/**
 * `'exact'`: the `uri` is the request-target byte for byte (header values and a raw request line
 * arrive as latin1 strings, one char per byte), as RFC 7616 §3.4 and lighttpd want. `'decoded'`:
 * Apache's rule, equal after percent-decoding both, so a client may send raw UTF-8 in the request
 * line and its percent-encoded form in `uri`.
 */
function uriMatches(uri: string, requestTarget: string, mode: 'exact' | 'decoded'): boolean {
  if (uri === requestTarget) return true;
  return mode === 'decoded' && percentDecodeBytes(uri).equals(percentDecodeBytes(requestTarget));
}

function percentDecodeBytes(text: string): Buffer {
  const bytes = Buffer.from(text, 'latin1');
  const out: number[] = [];
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i]!;
    if (byte === 0x25 && i + 2 < bytes.length && /^[0-9a-fA-F]{2}$/.test(bytes.toString('latin1', i + 1, i + 3))) {
      out.push(Number.parseInt(bytes.toString('latin1', i + 1, i + 3), 16));
      i += 2;
    } else {
      out.push(byte);
    }
  }
  return Buffer.from(out);
}
