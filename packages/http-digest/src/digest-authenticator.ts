import { redactUrl } from '@camdl/internal';
import { buildAuthorizationHeader, createCnonce } from './compute-digest.js';
import { toDigestChallenge, type DigestChallenge } from './digest-challenge.js';
import { DigestAuthError } from './errors.js';
import { normalizeOptions, type DigestAuthOptions, type NormalizedDigestAuthOptions } from './options.js';
import { parseChallenges, type Challenge } from './parse-challenges.js';

/** A body we can hash (`auth-int`) and send again (retry after a 401). */
export type ReplayableBody = string | Uint8Array | null | undefined;

/** One nonce learned from a challenge, with its own nonce count. */
interface NonceSlot {
  challenge: DigestChallenge;
  nc: number;
  inFlight: number;
  /**
   * Learned from a 401 and held for the request that got it until that request is answered: a
   * shared fresh nonce could reach a strict server (Apache `AuthDigestNcCheck`) out of order and
   * make good credentials look bad.
   */
  reserved: boolean;
  dead: boolean;
  learned: number;
}

interface OriginState {
  realms: Map<string, NonceSlot[]>;
  lastRealm: string | undefined;
  basic: boolean;
}

interface SentCredentials {
  kind: 'digest' | 'basic';
  slot?: NonceSlot;
  /** Whether the nonce came from the challenge that answered this very request. */
  fresh: boolean;
}

/** The auth state of one logical request across its retries. */
export interface AuthExchange {
  readonly url: URL;
  /** The request-target as sent on the wire (path + query), the Digest `uri`. */
  readonly uri: string;
  readonly method: string;
  readonly body: ReplayableBody;
  /** False for streams and iterables: no `auth-int`, no retry after a 401. */
  readonly replayable: boolean;
  attempts: number;
  sent: SentCredentials | undefined;
  staleRetried: boolean;
}

export type HeaderLookup = (name: string) => string | readonly string[] | undefined;

export type ResponseDecision =
  | { kind: 'done' }
  | { kind: 'retry'; authorization: string | undefined }
  | { kind: 'error'; error: DigestAuthError };

const DONE: ResponseDecision = { kind: 'done' };

function choosePreferredQop(challenge: DigestChallenge, hashable: boolean, preferAuthInt = false): 'auth' | 'auth-int' | undefined | null {
  if (challenge.qop.length === 0) return undefined;
  if (preferAuthInt && hashable && challenge.qop.includes('auth-int')) return 'auth-int';
  if (challenge.qop.includes('auth')) return 'auth';
  if (challenge.qop.includes('auth-int') && hashable) return 'auth-int';
  return null; // offered qop options we cannot satisfy
}

function first(value: string | readonly string[] | undefined): string | undefined {
  return typeof value === 'string' ? value : value?.[0];
}

/** Parses `Authentication-Info` (auth-param list, no scheme). */
function parseAuthInfo(value: string): Record<string, string> {
  return parseChallenges(`X ${value}`)[0]?.params ?? {};
}

/**
 * The shared brain of the fetch wrapper and the undici interceptor: which credentials a request
 * carries, what a 401/403 means, and the per-origin, per-realm cache of nonces. All decisions are
 * synchronous, so the nonce count is claimed before a request is dispatched.
 */
export class DigestAuthenticator {
  readonly options: NormalizedDigestAuthOptions;
  #allowedOrigins: Set<string> | undefined;
  readonly #origins = new Map<string, OriginState>();
  #learned = 0;

  constructor(options: DigestAuthOptions) {
    this.options = normalizeOptions(options);
    this.#allowedOrigins = this.options.allowedOrigins;
  }

  /**
   * Starts the exchange of one logical request. `uri` is the request-target exactly as it goes on the
   * wire (path + query, a latin1 string for raw bytes); default: `url`'s path and query.
   */
  begin(url: URL, method: string, body: ReplayableBody, replayable: boolean, uri = `${url.pathname}${url.search}`): AuthExchange {
    // Default allow-list: the origin of the first request, fixed from then on.
    this.#allowedOrigins ??= new Set([url.origin]);
    return { url, uri, method: method.toUpperCase(), body, replayable, attempts: 0, sent: undefined, staleRetried: false };
  }

  isAllowed(url: URL): boolean {
    return this.#allowedOrigins?.has(url.origin) ?? false;
  }

  /** Whether the next request to this URL would carry credentials up front. */
  canPreempt(url: URL): boolean {
    if (!this.options.preemptive || !this.isAllowed(url)) return false;
    const origin = this.#origins.get(url.origin);
    if (origin === undefined) return false;
    return origin.basic || (origin.realms.get(origin.lastRealm ?? '')?.length ?? 0) > 0;
  }

  /** The `Authorization` header for the next send of this exchange (pre-emptive), if any. */
  authorize(exchange: AuthExchange): string | undefined {
    exchange.attempts++;
    if (!this.options.preemptive || !this.isAllowed(exchange.url)) return undefined;
    const origin = this.#origins.get(exchange.url.origin);
    if (origin === undefined) return undefined;
    if (origin.basic) return this.#basic(exchange);
    const slot = this.#pickSlot(origin, exchange);
    return slot === undefined ? undefined : this.#digest(exchange, slot, false);
  }

  /** Releases the nonce of the last send (the server has answered it). */
  release(exchange: AuthExchange): void {
    const slot = exchange.sent?.slot;
    if (slot === undefined) return;
    if (slot.inFlight > 0) slot.inFlight--;
    slot.reserved = false;
  }

  /** What to do with a response: pass it on, retry with new credentials, or fail. */
  onResponse(exchange: AuthExchange, status: number, header: HeaderLookup): ResponseDecision {
    this.release(exchange);
    const sent = exchange.sent;
    exchange.sent = undefined;
    if (status !== 401 && status !== 403) {
      if (sent?.slot !== undefined) this.#readAuthenticationInfo(sent.slot, header);
      return DONE;
    }
    const challenges = parseChallenges(header('www-authenticate'));
    if (!this.isAllowed(exchange.url)) {
      const offersAuth = challenges.some((c) => /^(digest|basic)$/i.test(c.scheme));
      if (status === 401 && offersAuth && this.options.onForeignChallenge === 'error') {
        return this.#fail(exchange, 'ERR_DIGEST_ORIGIN_NOT_ALLOWED', status, 'credentials are not sent to this origin (see allowedOrigins)');
      }
      return DONE;
    }
    if (sent?.slot !== undefined) this.#retire(exchange.url, sent.slot);
    const learned = this.#learn(exchange, challenges);
    // A stream body cannot be resent: the 401 goes to the caller and the nonce to everyone.
    if (learned !== undefined && !exchange.replayable) learned.reserved = false;

    if (sent !== undefined && (sent.fresh || sent.kind === 'basic')) {
      if (learned !== undefined && learned.challenge.stale && !exchange.staleRetried) {
        exchange.staleRetried = true;
        return this.#retry(exchange, () => this.#digest(exchange, learned, true));
      }
      return this.#fail(exchange, 'ERR_DIGEST_BAD_CREDENTIALS', status, `the server rejected the credentials (HTTP ${status}); not retried, to avoid locking the account`);
    }
    if (learned !== undefined) return this.#retry(exchange, () => this.#digest(exchange, learned, true));
    if (sent !== undefined && status === 403) {
      // A reused nonce answered 403 without a challenge: ask again without credentials.
      return this.#retry(exchange, () => undefined);
    }
    if (status === 403) return DONE;
    return this.#noUsableChallenge(exchange, challenges, status);
  }

  #noUsableChallenge(exchange: AuthExchange, challenges: Challenge[], status: number): ResponseDecision {
    if (challenges.length === 0) {
      return this.#fail(exchange, 'ERR_DIGEST_NO_CHALLENGE', status, 'HTTP 401 without a WWW-Authenticate challenge');
    }
    const onlyBasic = challenges.some((c) => c.scheme.toLowerCase() === 'basic') && !challenges.some((c) => c.scheme.toLowerCase() === 'digest');
    if (onlyBasic) {
      const allowBasic = this.options.allowBasic ?? exchange.url.protocol === 'https:';
      if (allowBasic) {
        this.#originState(exchange.url).basic = true;
        return this.#retry(exchange, () => this.#basic(exchange));
      }
      return this.#fail(exchange, 'ERR_DIGEST_UNSUPPORTED_CHALLENGE', status, 'the server offers only Basic authentication, refused over http (set allowBasic: true to allow it)');
    }
    const offered = challenges.map((c) => (c.scheme.toLowerCase() === 'digest' ? `Digest ${c.params['algorithm'] ?? 'MD5'}` : c.scheme)).join(', ');
    return this.#fail(exchange, 'ERR_DIGEST_UNSUPPORTED_CHALLENGE', status, `no supported challenge (offered: ${offered}; accepted: ${this.options.algorithms.join(', ')})`);
  }

  #retry(exchange: AuthExchange, authorization: () => string | undefined): ResponseDecision {
    // A stream body is gone after the first send: hand the 401 to the caller instead.
    if (!exchange.replayable) return DONE;
    exchange.attempts++;
    return { kind: 'retry', authorization: authorization() };
  }

  #fail(exchange: AuthExchange, code: DigestAuthError['code'], status: number, message: string): ResponseDecision {
    return {
      kind: 'error',
      error: new DigestAuthError(message, { code, url: redactUrl(exchange.url), method: exchange.method, status, attempt: exchange.attempts }),
    };
  }

  #originState(url: URL): OriginState {
    let state = this.#origins.get(url.origin);
    if (state === undefined) {
      state = { realms: new Map(), lastRealm: undefined, basic: false };
      this.#origins.set(url.origin, state);
    }
    return state;
  }

  /** Picks the strongest usable Digest challenge and caches it as a fresh nonce slot. */
  #learn(exchange: AuthExchange, challenges: Challenge[]): NonceSlot | undefined {
    const hashable = exchange.replayable;
    let best: DigestChallenge | undefined;
    let bestRank = Infinity;
    for (const challenge of challenges) {
      const digest = toDigestChallenge(challenge);
      if (digest === undefined || choosePreferredQop(digest, hashable) === null) continue;
      const rank = this.options.algorithms.indexOf(digest.algorithm);
      if (rank !== -1 && rank < bestRank) {
        best = digest;
        bestRank = rank;
      }
    }
    if (best === undefined) return undefined;
    const origin = this.#originState(exchange.url);
    origin.basic = false;
    origin.lastRealm = best.realm;
    const slots = origin.realms.get(best.realm) ?? [];
    const slot: NonceSlot = { challenge: best, nc: 0, inFlight: 0, reserved: true, dead: false, learned: ++this.#learned };
    slots.unshift(slot);
    // Over the cap, forget the oldest idle nonces. Never one in use: its request still counts on it,
    // and dropping busy nonces made every request above the cap collect a new one, round after round.
    for (let i = slots.length - 1; i >= 0 && slots.length > this.options.maxNoncesPerRealm; i--) {
      const old = slots[i];
      if (old !== undefined && old.inFlight === 0 && !old.reserved) slots.splice(i, 1);
    }
    origin.realms.set(best.realm, slots);
    return slot;
  }

  #retire(url: URL, slot: NonceSlot): void {
    slot.dead = true;
    const slots = this.#origins.get(url.origin)?.realms.get(slot.challenge.realm);
    const index = slots?.indexOf(slot) ?? -1;
    if (slots !== undefined && index !== -1) slots.splice(index, 1);
  }

  /**
   * The newest idle nonce, else (`nonceConcurrency: 'share'`) the newest one in use; never one
   * reserved for the request that is answering its challenge.
   */
  #pickSlot(origin: OriginState, exchange: AuthExchange): NonceSlot | undefined {
    if (origin.lastRealm === undefined) return undefined;
    const usable = (origin.realms.get(origin.lastRealm) ?? []).filter(
      (slot) => !slot.dead && !slot.reserved && choosePreferredQop(slot.challenge, exchange.replayable) !== null,
    );
    const idle = usable.find((slot) => slot.inFlight === 0);
    return idle ?? (this.options.nonceConcurrency === 'share' ? usable[0] : undefined);
  }

  #digest(exchange: AuthExchange, slot: NonceSlot, fresh: boolean): string {
    const { challenge } = slot;
    const qop = choosePreferredQop(challenge, exchange.replayable, this.options.preferAuthInt) ?? undefined;
    slot.nc++;
    slot.inFlight++;
    exchange.sent = { kind: 'digest', slot, fresh };
    return buildAuthorizationHeader({
      algorithm: challenge.algorithm,
      algorithmToken: challenge.algorithmToken ?? null,
      // Header values are byte strings (latin1) in undici, both ways.
      wireEncoding: 'latin1',
      nonAsciiUsername: challenge.charset?.toLowerCase() === 'utf-8' ? 'username*' : 'utf8',
      username: this.options.username,
      password: this.options.password,
      realm: challenge.realm,
      nonce: challenge.nonce,
      opaque: challenge.opaque,
      userhash: challenge.userhash,
      method: exchange.method,
      uri: exchange.uri,
      qop,
      nc: slot.nc,
      cnonce: createCnonce(),
      body: qop === 'auth-int' ? (exchange.body ?? '') : undefined,
    });
  }

  #basic(exchange: AuthExchange): string {
    exchange.sent = { kind: 'basic', fresh: false };
    const token = Buffer.from(`${this.options.username}:${this.options.password}`, 'utf8').toString('base64');
    return `Basic ${token}`;
  }

  #readAuthenticationInfo(slot: NonceSlot, header: HeaderLookup): void {
    const info = first(header('authentication-info'));
    if (info === undefined) return;
    const nextnonce = parseAuthInfo(info)['nextnonce'];
    if (nextnonce !== undefined && nextnonce !== '' && nextnonce !== slot.challenge.nonce) {
      slot.challenge = { ...slot.challenge, nonce: nextnonce, stale: false };
      slot.nc = 0;
    }
  }
}
