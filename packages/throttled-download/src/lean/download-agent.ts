import type { NetConnectOpts } from 'node:net';
import type { Agent, Dispatcher } from 'undici';
import { MAX_HEAD_BYTES } from './http1-response-parser.js';
import { clientDestroyedError } from './transport-errors.js';
import { leanRequest, leanRequestHead, type LeanBodyHint } from './lean-request.js';
import { OriginSlots } from './origin-slots.js';

/**
 * Marks a dispatch whose handler consumes every `onResponseData` chunk before returning (copies or
 * writes it): {@link DownloadAgent} may then read the answer with its lean
 * reader and hand the handler views of one reused read buffer, without loading undici. The value
 * (a `LeanBodyHint`) may cap the size of one socket read.
 */
export const LEAN_BODY = Symbol.for('camdl.throttled-download.lean-body');

/**
 * What camdl needs of a dispatcher, and all that undici's `request()`, `stream()` and `fetch()` call:
 * `dispatch`, plus `compose`, `close` and `destroy`. Every undici `Dispatcher` (an `Agent`, a `Pool`,
 * a composed one) is one, and so is {@link DownloadAgent}.
 */
export interface ComposableDispatcher {
  /** Starts one request; its outcome reaches `handler` (undici's handler contract). */
  dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean;
  /** This dispatcher behind `interceptors` (the last one runs first), as undici's `Dispatcher.compose`. */
  compose(...interceptors: Dispatcher.DispatcherComposeInterceptor[]): ComposableDispatcher;
  /** Takes no new requests; resolves once the running ones are over and the connections closed. */
  close(): Promise<void>;
  /** Takes no new requests and aborts the running ones. */
  destroy(): Promise<void>;
}

/**
 * Options of {@link DownloadAgent}: undici `Agent` options, plus the switch of the lean body path.
 * The lean path honours `connections`, `headersTimeout`, `bodyTimeout`, `maxHeaderSize`,
 * `maxResponseSize`, `localAddress`, and in `connect` its `timeout`, `lookup`, `localAddress`,
 * `family`, `hints`, `autoSelectFamily`, `autoSelectFamilyAttemptTimeout`, `keepAlive` and
 * `keepAliveInitialDelay` (TLS settings in `connect` only concern https, which undici reads anyway);
 * `pipelining` and the `keepAlive*Timeout` options have nothing to do on its connections (one request
 * each). Any other option (a `connect` function, `socketPath`, `factory`, `interceptors`…) turns the
 * lean path off, so that undici, which knows it, handles every request.
 */
export interface DownloadAgentOptions extends Agent.Options {
  /**
   * Read the bodies of plain-`http:` downloads with the lean HTTP/1.1 reader (one reused buffer per
   * download, no per-read allocation). `false` sends every request through undici, as does an
   * option the lean reader cannot honour (see {@link DownloadAgentOptions}).
   * @default true
   */
  lean?: boolean | undefined;
}

/** Agent options the lean path honours, or that only concern undici's reuse of connections or TLS (https never takes the lean path). */
const LEAN_AGENT_OPTIONS = new Set([
  'lean',
  'allowH2',
  'connections',
  'connect',
  'headersTimeout',
  'bodyTimeout',
  'maxHeaderSize',
  'maxResponseSize',
  'localAddress',
  'pipelining',
  'keepAliveTimeout',
  'keepAliveMaxTimeout',
  'keepAliveTimeoutThreshold',
]);
/** `connect` options passed on to `net.connect` by the lean path. */
const LEAN_SOCKET_OPTIONS = ['lookup', 'localAddress', 'family', 'hints', 'autoSelectFamily', 'autoSelectFamilyAttemptTimeout', 'keepAlive', 'keepAliveInitialDelay'] as const;
/** `connect` options that only concern TLS (https never takes the lean path) or the timeout read apart. */
const TLS_OR_TIMEOUT = /^(timeout|ca|cert|key|pfx|passphrase|rejectUnauthorized|servername|session|maxCachedSessions|ALPNProtocols|ciphers|ecdhCurve|minVersion|maxVersion|secureOptions|secureProtocol|checkServerIdentity|allowH2)$/;

/** The socket options the lean path passes to `net.connect`, or undefined when an option asks for what it cannot do. */
function leanSocketOptions(options: DownloadAgentOptions): Partial<NetConnectOpts> | undefined {
  for (const [name, value] of Object.entries(options)) if (value !== undefined && !LEAN_AGENT_OPTIONS.has(name)) return undefined;
  const { connect } = options;
  if (connect !== undefined && connect !== null && typeof connect !== 'object') return undefined;
  const socket: Record<string, unknown> = {};
  if (options.localAddress !== undefined && options.localAddress !== null) socket['localAddress'] = options.localAddress;
  for (const [name, value] of Object.entries(connect ?? {})) {
    if (value === undefined) continue;
    if ((LEAN_SOCKET_OPTIONS as readonly string[]).includes(name)) socket[name] = value;
    else if (!TLS_OR_TIMEOUT.test(name)) return undefined;
  }
  return socket as Partial<NetConnectOpts>;
}

/**
 * A dispatcher for downloads, usable wherever undici takes a `dispatcher` (`request()`, `stream()`,
 * `fetch()`): a plain-`http:` GET dispatched by `download()` (or another handler that takes each body
 * chunk at once; a POST or PUT too, with a string or bytes body) is read by a small, strict HTTP/1.1
 * reader over its own connection, with `onread` into one reused buffer: far less CPU and memory per GiB
 * than undici's reader, which allocates a buffer per socket read. Everything else (https, other
 * methods, stream bodies, upgrades, and the
 * requests of other callers) goes through an undici `Agent` made from the same options, and undici is
 * only loaded then: a run that talks plain http to its cameras never pays its start-up time and
 * memory. `connections` bounds both together, per origin, and counts open connections: with a cap,
 * undici keeps no idle connection (`pipelining: 0`), as each lean download uses a connection of its
 * own and closes it.
 *
 * Compose it like an `Agent`: `new DownloadAgent({ connections: 1 }).compose(digestInterceptor(...))`
 * authenticates the lean requests too (the interceptor only sets their `Authorization` header).
 *
 * @example
 * const dispatcher = new DownloadAgent({ connections: 4 }).compose(digestInterceptor({ username, password }));
 * await download('http://camera/rec/1.mkv', 'rec/1.mkv', { dispatcher });
 */
export class DownloadAgent implements ComposableDispatcher {
  private agent: Agent | undefined;
  private agentLoading: Promise<Agent> | undefined;
  private readonly agentOptions: Agent.Options;
  private readonly lean: boolean;
  private readonly connections: number;
  private readonly connectTimeout: number;
  private readonly headersTimeout: number;
  private readonly bodyTimeout: number;
  private readonly maxHeaderSize: number;
  private readonly maxResponseSize: number;
  private readonly socketOptions: Partial<NetConnectOpts>;
  private readonly slots: OriginSlots;
  private closed = false;
  private destroyed = false;
  private leanActive = 0;
  private idleWaiters: (() => void)[] = [];

  constructor(options: DownloadAgentOptions = {}) {
    const { lean, ...agentOptions } = options;
    const socketOptions = leanSocketOptions(options);
    this.lean = (lean ?? true) && socketOptions !== undefined;
    this.socketOptions = socketOptions ?? {};
    this.maxHeaderSize = options.maxHeaderSize ?? MAX_HEAD_BYTES;
    this.maxResponseSize = options.maxResponseSize ?? -1;
    this.connections = options.connections ?? Number.POSITIVE_INFINITY;
    this.slots = new OriginSlots(this.connections);
    // Cameras count open connections, idle ones included (an Amcrest over its cap answers 400): with a
    // cap and lean downloads on connections of their own, undici must not keep idle connections open
    // next to them. Requests then count exactly, each on its own connection.
    const capped = this.lean && this.connections !== Number.POSITIVE_INFINITY && agentOptions.pipelining === undefined;
    this.agentOptions = capped ? { ...agentOptions, pipelining: 0 } : agentOptions;
    const connect = options.connect;
    this.connectTimeout = (typeof connect === 'object' && connect !== null ? connect.timeout : undefined) ?? 10_000;
    this.headersTimeout = options.headersTimeout ?? 300_000;
    this.bodyTimeout = options.bodyTimeout ?? 300_000;
  }

  dispatch(opts: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    if (this.closed) {
      handler.onResponseError?.(failedController(), clientDestroyedError());
      return false;
    }
    const origin = opts.origin === undefined ? undefined : safeUrl(String(opts.origin));
    const hint = (opts as { [LEAN_BODY]?: LeanBodyHint })[LEAN_BODY];
    let head: string | undefined;
    if (
      this.lean &&
      hint !== undefined &&
      origin !== undefined &&
      origin.protocol === 'http:' &&
      !opts.upgrade &&
      (opts.query === undefined || opts.query === null)
    ) {
      try {
        head = leanRequestHead(opts, origin.host);
      } catch (error) {
        handler.onResponseError?.(failedController(), error as Error);
        return false;
      }
    }
    const key = origin?.origin ?? String(opts.origin);
    if (head === undefined) {
      if (this.connections === Number.POSITIVE_INFINITY) {
        this.withAgent(handler, (agent) => agent.dispatch(opts, handler));
        return true;
      }
      this.slots.acquire(key, () => {
        const release = once(() => this.slots.release(key));
        const releasingHandler = releasing(handler, release);
        this.withAgent(releasingHandler, (agent) => agent.dispatch(opts, releasingHandler));
      });
      return true;
    }
    const leanHead = head;
    const url = origin as URL;
    this.slots.acquire(key, () => {
      this.leanActive += 1;
      leanRequest(url, leanHead, handler, {
        connectTimeout: this.connectTimeout,
        headersTimeout: opts.headersTimeout ?? this.headersTimeout,
        bodyTimeout: opts.bodyTimeout ?? this.bodyTimeout,
        readBytes: hint?.readBytes,
        maxHeaderSize: this.maxHeaderSize,
        maxResponseSize: this.maxResponseSize,
        socket: this.socketOptions,
        onSettled: () => {
          this.leanActive -= 1;
          this.slots.release(key);
          if (this.leanActive === 0) for (const wake of this.idleWaiters.splice(0)) wake();
        },
      });
    });
    return true;
  }

  /** Runs `use` with the undici Agent, loading undici the first time; a failed load fails the request. */
  private withAgent(handler: Dispatcher.DispatchHandler, use: (agent: Agent) => void): void {
    if (this.agent !== undefined) {
      use(this.agent);
      return;
    }
    this.agentLoading ??= import('undici').then(({ Agent }) => (this.agent = new Agent(this.agentOptions)));
    this.agentLoading.then(
      (agent) => {
        if (this.closed && this.destroyed) handler.onResponseError?.(failedController(), clientDestroyedError());
        else use(agent);
      },
      (error: unknown) => handler.onResponseError?.(failedController(), error as Error),
    );
  }

  /**
   * A dispatcher that runs `interceptors` (each wraps the next `dispatch`; the last one runs first)
   * before this one, as undici's `Dispatcher.compose`. Closing or destroying it closes this agent.
   */
  compose(...interceptors: Dispatcher.DispatcherComposeInterceptor[] | [Dispatcher.DispatcherComposeInterceptor[]]): ComposableDispatcher {
    return composeDispatcher(this, interceptors);
  }

  /** Stops taking requests; resolves once the running ones are over and every connection is closed. */
  close(): Promise<void>;
  close(callback: () => void): void;
  close(callback?: () => void): Promise<void> | void {
    this.closed = true;
    const done = (async () => {
      if (this.leanActive > 0) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
      const agent = this.agent ?? (await this.agentLoading?.catch(() => undefined));
      await agent?.close();
    })();
    if (callback) {
      done.then(callback, callback);
      return;
    }
    return done;
  }

  /** Stops taking requests and aborts the ones of undici's Agent at once. */
  destroy(): Promise<void>;
  destroy(error: Error | null): Promise<void>;
  destroy(callback: () => void): void;
  destroy(error: Error | null, callback: () => void): void;
  destroy(errorOrCallback?: Error | null | (() => void), callback?: () => void): Promise<void> | void {
    this.closed = true;
    this.destroyed = true;
    const cb = typeof errorOrCallback === 'function' ? errorOrCallback : callback;
    const error = typeof errorOrCallback === 'function' ? null : (errorOrCallback ?? null);
    const done = (async () => {
      const agent = this.agent ?? (await this.agentLoading?.catch(() => undefined));
      await agent?.destroy(error);
    })();
    if (cb) {
      done.then(cb, cb);
      return;
    }
    return done;
  }
}

/** The composed dispatcher of {@link DownloadAgent.compose}. */
function composeDispatcher(
  base: ComposableDispatcher,
  args: Dispatcher.DispatcherComposeInterceptor[] | [Dispatcher.DispatcherComposeInterceptor[]],
): ComposableDispatcher {
  const interceptors = (Array.isArray(args[0]) ? args[0] : args) as Dispatcher.DispatcherComposeInterceptor[];
  let dispatch: Dispatcher['dispatch'] = base.dispatch.bind(base);
  for (const interceptor of interceptors) {
    if (interceptor === undefined || interceptor === null) continue;
    if (typeof interceptor !== 'function') throw new TypeError(`invalid interceptor, expected function received ${typeof interceptor}`);
    dispatch = interceptor(dispatch);
    if (typeof dispatch !== 'function' || dispatch.length !== 2) throw new TypeError('invalid interceptor');
  }
  const composed: ComposableDispatcher = {
    dispatch: (options, handler) => dispatch(options, handler),
    compose: (...more) => composeDispatcher(composed, more),
    close: () => base.close(),
    destroy: () => base.destroy(),
  };
  return composed;
}

/** The controller of a request refused before it started. */
function failedController(): Dispatcher.DispatchController {
  return { aborted: true, paused: false, reason: null, abort() {}, pause() {}, resume() {} };
}

function safeUrl(value: string): URL | undefined {
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}

function once(fn: () => void): () => void {
  let called = false;
  return () => {
    if (called) return;
    called = true;
    fn();
  };
}

/** `handler`, releasing the origin's slot when the request is over (before the handler hears it). */
function releasing(handler: Dispatcher.DispatchHandler, release: () => void): Dispatcher.DispatchHandler {
  return {
    onRequestStart: (controller, context) => handler.onRequestStart?.(controller, context),
    onRequestUpgrade: (controller, status, headers, socket) => {
      release();
      handler.onRequestUpgrade?.(controller, status, headers, socket);
    },
    onResponseStart: (controller, status, headers, message) => handler.onResponseStart?.(controller, status, headers, message),
    onResponseData: (controller, chunk) => handler.onResponseData?.(controller, chunk),
    onResponseEnd: (controller, trailers) => {
      release();
      handler.onResponseEnd?.(controller, trailers);
    },
    onResponseError: (controller, error) => {
      release();
      handler.onResponseError?.(controller, error);
    },
    onResponseStarted: () => handler.onResponseStarted?.(),
    onBodySent: (chunk) => handler.onBodySent?.(chunk),
    onRequestSent: () => handler.onRequestSent?.(),
  };
}
