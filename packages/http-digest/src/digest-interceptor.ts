import { stringify as stringifyQuery } from 'node:querystring';
import type { Duplex } from 'node:stream';
import type { Dispatcher } from 'undici';
import { DigestAuthenticator, type AuthExchange, type ReplayableBody } from './digest-authenticator.js';
import type { DigestAuthError } from './errors.js';
import type { DigestAuthOptions } from './options.js';

type Headers = Record<string, string | string[]>;

/** Request headers in any undici shape, as a plain object; drops `authorization` when asked. */
function toHeaderObject(headers: Dispatcher.DispatchOptions['headers']): Headers {
  const out: Headers = {};
  const add = (name: string, value: string | string[] | undefined): void => {
    if (value === undefined) return;
    const existing = out[name];
    out[name] = existing === undefined ? value : [...[existing].flat(), ...[value].flat()];
  };
  if (headers === null || headers === undefined) return out;
  if (Array.isArray(headers)) {
    if (headers.length > 0 && Array.isArray(headers[0])) {
      for (const [name, value] of headers as unknown as [string, string | string[] | undefined][]) add(String(name), value);
    } else {
      for (let i = 0; i + 1 < headers.length; i += 2) add(String(headers[i]), String(headers[i + 1]));
    }
  } else if (typeof (headers as Iterable<unknown>)[Symbol.iterator] === 'function') {
    for (const [name, value] of headers as Iterable<[string, string | string[] | undefined]>) add(name, value);
  } else {
    for (const [name, value] of Object.entries(headers as Record<string, string | string[] | undefined>)) add(name, value);
  }
  return out;
}

function hasHeader(headers: Headers, name: string): boolean {
  return Object.keys(headers).some((key) => key.toLowerCase() === name);
}

function withAuthorization(headers: Headers, authorization: string | undefined): Headers {
  const out: Headers = {};
  for (const [name, value] of Object.entries(headers)) if (name.toLowerCase() !== 'authorization') out[name] = value;
  if (authorization !== undefined) out['authorization'] = authorization;
  return out;
}

function replayableBody(body: unknown): { body: ReplayableBody; replayable: boolean } {
  if (body === null || body === undefined) return { body: undefined, replayable: true };
  if (typeof body === 'string' || body instanceof Uint8Array) return { body, replayable: true };
  return { body: undefined, replayable: false };
}

/**
 * The request-target undici will put on the wire. `request()`/`stream()` pass the URL's
 * `pathname + search` as `path` and serialise a `query` option only later, in the client, with
 * `node:querystring` (so `'` `(` `)` stay raw and a space is `%20`); `fetch()` passes
 * `pathname + search` (plus a trailing `?` when the URL has one). The digest must sign exactly that,
 * so `query` is serialised here the same way and the finished path is dispatched. Undefined when
 * undici would refuse the combination (a `query` on a path that already has `?` or `#`).
 */
function pathWithQuery(opts: Dispatcher.DispatchOptions): string | undefined {
  if (opts.query === undefined || opts.query === null) return opts.path;
  if (/[?#]/.test(opts.path)) return undefined;
  const search = stringifyQuery(opts.query as Parameters<typeof stringifyQuery>[0]);
  return search === '' ? opts.path : `${opts.path}?${search}`;
}

/**
 * The most body bytes of an answered 401 read and dropped to keep its connection (a camera's login
 * page with inline images can be large); past it, the connection goes and the retry takes a new one.
 */
const DRAIN_LIMIT_BYTES = 1024 * 1024;
/**
 * The longest an answered 401's body is drained: less when the request's `bodyTimeout` is shorter, and
 * at most half of what is left of its `headersTimeout` (the drain is part of the wait for the answer
 * the caller gets, and the retry needs time too).
 */
const DRAIN_TIMEOUT_MS = 10_000;

/** Ends the drain of an answered 401 (its connection closes; the retry goes out on another one). */
class DrainStopped extends Error {
  override readonly name = 'DrainStopped';
}

type Pending = { kind: 'retry'; authorization: string | undefined } | { kind: 'error'; error: DigestAuthError };

/**
 * Wraps the caller's handler: a 401/403 that we answer is drained and never reaches it; the retried
 * request reuses this handler, so the caller sees exactly one response (or one error). The drain is
 * bounded in bytes and time: a 401 whose body never ends (or trickles) is cut, not read forever.
 */
class DigestHandler implements Dispatcher.DispatchHandler {
  #pending: Pending | undefined;
  #drained = 0;
  #drainTimer: ReturnType<typeof setTimeout> | undefined;
  #drainStopped = false;
  #sentAt = 0;

  constructor(
    private readonly dispatch: Dispatcher.Dispatch,
    private readonly opts: Dispatcher.DispatchOptions,
    private readonly headers: Headers,
    private readonly handler: Dispatcher.DispatchHandler,
    private readonly exchange: AuthExchange,
    private readonly authenticator: DigestAuthenticator,
  ) {}

  send(authorization: string | undefined): boolean {
    this.#sentAt = performance.now();
    return this.dispatch({ ...this.opts, headers: withAuthorization(this.headers, authorization) }, this);
  }

  onRequestStart(controller: Dispatcher.DispatchController, context: unknown): void {
    this.handler.onRequestStart?.(controller, context);
  }

  onRequestUpgrade(controller: Dispatcher.DispatchController, statusCode: number, headers: Record<string, string | string[] | undefined>, socket: Duplex): void {
    this.handler.onRequestUpgrade?.(controller, statusCode, headers, socket);
  }

  onResponseStart(controller: Dispatcher.DispatchController, statusCode: number, headers: Record<string, string | string[] | undefined>, statusMessage?: string): void {
    const decision = this.authenticator.onResponse(this.exchange, statusCode, (name) => headers[name]);
    if (decision.kind === 'done') {
      this.#pending = undefined;
      this.handler.onResponseStart?.(controller, statusCode, headers, statusMessage);
    } else {
      this.#pending = decision;
      this.#drained = 0;
      this.#drainStopped = false;
      const headsLeft = this.opts.headersTimeout ? this.opts.headersTimeout - (performance.now() - this.#sentAt) : Number.POSITIVE_INFINITY;
      const timeout = Math.max(0, Math.min(this.opts.bodyTimeout || DRAIN_TIMEOUT_MS, DRAIN_TIMEOUT_MS, headsLeft / 2));
      this.#drainTimer = setTimeout(() => this.#stopDrain(controller), timeout);
      this.#drainTimer.unref?.();
    }
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    // The body of a 401 we answer ourselves is read and dropped, keeping the connection reusable.
    if (this.#pending === undefined) {
      this.handler.onResponseData?.(controller, chunk);
      return;
    }
    this.#drained += chunk.length;
    if (this.#drained > DRAIN_LIMIT_BYTES) this.#stopDrain(controller);
  }

  onResponseEnd(controller: Dispatcher.DispatchController, trailers: Record<string, string | string[] | undefined>): void {
    this.#clearDrainTimer();
    const pending = this.#pending;
    this.#pending = undefined;
    if (pending === undefined) this.handler.onResponseEnd?.(controller, trailers);
    else this.#answer(controller, pending);
  }

  onResponseError(controller: Dispatcher.DispatchController, error: Error): void {
    this.#clearDrainTimer();
    const pending = this.#pending;
    this.#pending = undefined;
    // The drain we cut ourselves: the 401 was read, only its body was not.
    if (pending !== undefined && this.#drainStopped && error instanceof DrainStopped) {
      this.#answer(controller, pending);
      return;
    }
    this.authenticator.release(this.exchange);
    this.handler.onResponseError?.(controller, error);
  }

  #answer(controller: Dispatcher.DispatchController, pending: Pending): void {
    if (pending.kind === 'error') this.handler.onResponseError?.(controller, pending.error);
    else this.send(pending.authorization);
  }

  #stopDrain(controller: Dispatcher.DispatchController): void {
    if (this.#pending === undefined || this.#drainStopped) return;
    this.#drainStopped = true;
    this.#clearDrainTimer();
    controller.abort(new DrainStopped('401 body abandoned'));
  }

  #clearDrainTimer(): void {
    if (this.#drainTimer !== undefined) clearTimeout(this.#drainTimer);
    this.#drainTimer = undefined;
  }
}

/** Runs undici dispatches through an authenticator (shared by the interceptor and the fetch wrapper). */
export function interceptWith(authenticator: DigestAuthenticator): Dispatcher.DispatcherComposeInterceptor {
  return (dispatch) => (opts, handler) => {
    const headers = toHeaderObject(opts.headers);
    // Caller-supplied credentials and CONNECT/upgrade requests are left alone.
    if (hasHeader(headers, 'authorization') || opts.upgrade || opts.method === 'CONNECT' || opts.origin === undefined) {
      return dispatch(opts, handler);
    }
    const path = pathWithQuery(opts);
    // undici rejects this request itself; let it say why.
    if (path === undefined) return dispatch(opts, handler);
    // Not `new URL(path, origin)`: a path like `//x/y` would name another host. The URL serves the
    // origin checks and messages; the Digest `uri` is the path exactly as undici sends it.
    let url: URL;
    try {
      const origin = new URL(String(opts.origin)).origin;
      url = new URL(`${origin}${path.startsWith('/') ? '' : '/'}${path}`);
    } catch {
      return dispatch(opts, handler);
    }
    const { body, replayable } = replayableBody(opts.body);
    const exchange = authenticator.begin(url, opts.method, body, replayable, path);
    const digestHandler = new DigestHandler(dispatch, { ...opts, path, query: undefined }, headers, handler as Dispatcher.DispatchHandler, exchange, authenticator);
    return digestHandler.send(authenticator.authorize(exchange));
  };
}

/**
 * An undici interceptor that answers Digest (and, where allowed, Basic) challenges, for
 * `new Agent().compose(digestInterceptor({ username, password }))`; undici `request()`, `stream()`
 * and `fetch()` through that dispatcher all authenticate, Range requests included. A 401 answered
 * here is drained and retried; with a stream body (not replayable) the 401 is handed to the caller.
 *
 * Digest's `uri` is the request-target this interceptor passes on, byte for byte (servers such as
 * lighttpd compare the two as strings). An interceptor that rewrites the target must therefore run
 * before it: compose it after this one, `agent.compose(digestInterceptor(…), rewriteTarget)`.
 */
export function digestInterceptor(options: DigestAuthOptions): Dispatcher.DispatcherComposeInterceptor {
  return interceptWith(new DigestAuthenticator(options));
}
