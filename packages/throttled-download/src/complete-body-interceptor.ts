import type { Duplex } from 'node:stream';
import type { Dispatcher } from 'undici';

type Controller = Dispatcher.DispatchController;

/**
 * Works around an undici 7 crash (nodejs/undici#5360, fixed upstream by #5474): when a
 * `Connection: close` response's LAST body chunk meets backpressure, the HTTP/1 parser is left paused,
 * the peer's FIN arrives and `Parser.finish()` fails `assert(!this.paused)` — an uncatchable
 * AssertionError from a socket handler that kills the process. Cameras answer every RPC_Loadfile with
 * `Connection: close`, so this hits real downloads. Ignoring a pause request for the chunk that
 * completes a `Content-Length` body is safe (no more data follows, memory stays bounded) and lets the
 * parser reach message-complete before the FIN.
 */
export function completeBodyInterceptor(): Dispatcher.DispatcherComposeInterceptor {
  return (dispatch) => (options, handler) => dispatch(options, new CompleteBodyHandler(handler));
}

class CompleteBodyHandler implements Dispatcher.DispatchHandler {
  #expected: number | undefined;
  #received = 0;
  readonly #handler: Dispatcher.DispatchHandler;

  constructor(handler: Dispatcher.DispatchHandler) {
    this.#handler = handler;
  }

  onRequestStart(controller: Controller, context: unknown): void {
    this.#handler.onRequestStart?.(controller, context);
  }

  onRequestUpgrade(controller: Controller, statusCode: number, headers: Record<string, string | string[] | undefined>, socket: Duplex): void {
    this.#handler.onRequestUpgrade?.(controller, statusCode, headers, socket);
  }

  onResponseStart(controller: Controller, statusCode: number, headers: Record<string, string | string[] | undefined>, statusMessage?: string): void {
    const length = headers['content-length'];
    const value = Array.isArray(length) ? length[0] : length;
    this.#expected = value !== undefined && /^\d+$/.test(value) ? Number(value) : undefined;
    this.#received = 0;
    this.#handler.onResponseStart?.(controller, statusCode, headers, statusMessage);
  }

  onResponseData(controller: Controller, chunk: Buffer): void {
    this.#received += chunk.length;
    if (this.#expected !== undefined && this.#received >= this.#expected) {
      this.#handler.onResponseData?.(withoutPause(controller), chunk);
    } else {
      this.#handler.onResponseData?.(controller, chunk);
    }
  }

  onResponseEnd(controller: Controller, trailers: Record<string, string | string[] | undefined>): void {
    this.#handler.onResponseEnd?.(controller, trailers);
  }

  onResponseError(controller: Controller, error: Error): void {
    this.#handler.onResponseError?.(controller, error);
  }
}

function withoutPause(controller: Controller): Controller {
  return {
    pause: () => {},
    resume: () => controller.resume(),
    abort: (reason: Error) => controller.abort(reason),
    get aborted() {
      return controller.aborted;
    },
    get paused() {
      return controller.paused;
    },
    get reason() {
      return controller.reason;
    },
  } as Controller;
}

const guarded = new WeakMap<Dispatcher, Dispatcher>();
const guards = new WeakSet<Dispatcher>();

/**
 * `dispatcher` with `completeBodyInterceptor()` innermost, composed once per dispatcher: every
 * request the engine makes goes through it, whatever dispatcher the caller passed.
 */
export function withCompleteBodyGuard(dispatcher: Dispatcher): Dispatcher {
  if (guards.has(dispatcher)) return dispatcher;
  let composed = guarded.get(dispatcher);
  if (!composed) {
    composed = dispatcher.compose(completeBodyInterceptor());
    guarded.set(dispatcher, composed);
    guards.add(composed);
  }
  return composed;
}
