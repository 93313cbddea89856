import type { Dispatcher } from 'undici';
import { headersTimeoutError, requestAbortedError } from './lean/index.js';
import { BodyFileWriter } from './body-file-writer.js';
import type { RateLimiter } from './rate-limiter.js';
import type { RunningHash } from './running-hash.js';

type Headers = Record<string, string | string[] | undefined>;

export interface ResponseHead {
  status: number;
  headers: Headers;
}

/** Bytes of a body read and dropped (an error page, a 416) before the connection is given up instead. */
const DISCARD_LIMIT_BYTES = 128 * 1024;

export interface ReceiveToFileOptions {
  /** Open file descriptor (the caller closes it). */
  fd: number;
  durable: boolean;
  limiter: RateLimiter | undefined;
  signal: AbortSignal | undefined;
  /** Called for every chunk, in order, as it arrives; an error it returns stops the transfer. */
  onChunk: (bytes: number) => Error | undefined;
  /** @default WRITE_BUFFER_BYTES */
  bufferBytes?: number;
  /** @default SYNC_EVERY_BYTES */
  syncEveryBytes?: number;
  /** Hashes the bytes as they are written. @default undefined */
  hash?: RunningHash | undefined;
}

interface Sink {
  data(chunk: Buffer): void;
  end(): void;
  error(error: Error): void;
}

/**
 * The `download()` side of a dispatch: an undici `DispatchHandler` that takes every body chunk the
 * moment it arrives (into the file writer's buffer), so a {@link DownloadAgent} may hand it views
 * of a reused read buffer, and no `Readable` sits in between. It pauses at the head, until the
 * engine decides what to do with the answer: {@link receiveToFile}, {@link discard} or {@link abandon}.
 */
export class ResponseReceiver implements Dispatcher.DispatchHandler {
  #controller: Dispatcher.DispatchController | undefined;
  #resolveHead!: (head: ResponseHead) => void;
  #rejectHead!: (error: Error) => void;
  readonly head: Promise<ResponseHead>;
  #headSeen = false;
  #sink: Sink | undefined;
  /** Copies of chunks that arrived while no sink was attached (the controller was paused). */
  #early: Buffer[] = [];
  #ended = false;
  #error: Error | undefined;
  #abandoned = false;
  #pauses = 0;
  #controllerPaused = false;
  /** Body bytes still to come by the answer's `Content-Length` (undefined: unknown, chunked or close). */
  #lengthLeft: number | undefined;
  readonly #signal: AbortSignal | undefined;
  readonly #timeout: number;
  #headDeadline: ReturnType<typeof setTimeout> | undefined;
  readonly #onAbort = (): void => {
    this.#controller?.abort(this.#signal?.reason instanceof Error ? this.#signal.reason : requestAbortedError());
  };

  /**
   * @param timeout ms: the deadline of the final head, from the moment the request is sent (1xx
   * answers do not move it: undici re-arms its own headers timeout on each), and of a body drained
   * by {@link discard}. 0: none.
   */
  constructor(signal: AbortSignal | undefined, timeout = 0) {
    this.#signal = signal;
    this.#timeout = timeout;
    this.head = new Promise<ResponseHead>((resolve, reject) => {
      this.#resolveHead = resolve;
      this.#rejectHead = reject;
    });
    // Rejections of `head` after the caller stopped listening are expected (a request refused at once).
    this.head.catch(() => {});
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.#controller = controller;
    // Each request (an authenticating interceptor sends a second one) has its own deadline.
    this.#clearHeadDeadline();
    if (this.#timeout > 0) {
      this.#headDeadline = setTimeout(() => controller.abort(headersTimeoutError()), this.#timeout);
      this.#headDeadline.unref?.();
    }
    if (this.#signal?.aborted) this.#onAbort();
    else this.#signal?.addEventListener('abort', this.#onAbort, { once: true });
  }

  onResponseStart(controller: Dispatcher.DispatchController, status: number, headers: Headers): void {
    this.#controller = controller;
    // undici hands informational answers (102, 103) to the handler too; the answer comes after them.
    if (status < 200) return;
    this.#clearHeadDeadline();
    this.#headSeen = true;
    const length = headers['content-length'];
    this.#lengthLeft = headers['transfer-encoding'] === undefined && typeof length === 'string' && /^\d+$/.test(length) ? Number(length) : undefined;
    this.#resolveHead({ status, headers });
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.#lengthLeft !== undefined) this.#lengthLeft = Math.max(0, this.#lengthLeft - chunk.length);
    if (this.#sink) this.#sink.data(chunk);
    else if (!this.#abandoned) {
      // Until the engine decides what to do with the answer, the first chunks wait here (copied:
      // a lean read buffer is reused) and the connection pauses. Not at the head: undici 8 stalls a
      // chunked body paused there.
      if (this.#early.length === 0) this.#pause();
      this.#early.push(Buffer.from(chunk));
    }
  }

  onResponseEnd(): void {
    this.#detach();
    this.#ended = true;
    this.#sink?.end();
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.#detach();
    this.#error = error;
    if (!this.#headSeen) this.#rejectHead(error);
    this.#sink?.error(error);
  }

  #detach(): void {
    this.#clearHeadDeadline();
    this.#signal?.removeEventListener('abort', this.#onAbort);
  }

  #clearHeadDeadline(): void {
    if (this.#headDeadline !== undefined) clearTimeout(this.#headDeadline);
    this.#headDeadline = undefined;
  }

  #pause(): void {
    this.#pauses += 1;
    // Never once the last byte of a Content-Length body is in: undici would then hold the message
    // unfinished, and a server that closes right after its answer (over TLS, where the close is seen
    // at once) makes it fail the complete response with "other side closed". Nothing is left to
    // hold back anyway.
    if (this.#pauses === 1 && this.#lengthLeft !== 0 && !this.#controllerPaused) {
      this.#controllerPaused = true;
      this.#controller?.pause();
    }
  }

  #resume(): void {
    this.#pauses -= 1;
    if (this.#pauses === 0 && this.#controllerPaused && !this.#ended && this.#error === undefined) {
      this.#controllerPaused = false;
      this.#controller?.resume();
    }
  }

  /** Stops the response where it is (the connection is closed); its error, if any, is ignored. */
  abandon(): void {
    if (this.#ended || this.#error !== undefined || this.#abandoned) return;
    this.#abandoned = true;
    this.#early = [];
    this.#sink = { data: () => {}, end: () => {}, error: () => {} };
    this.#controller?.abort(requestAbortedError('response abandoned'));
  }

  /**
   * Reads the body to its end and drops it (a small one keeps the connection usable); never rejects.
   * A body past {@link DISCARD_LIMIT_BYTES}, or still coming at the receiver's timeout, is abandoned.
   */
  discard(): Promise<void> {
    return new Promise<void>((resolve) => {
      let dropped = 0;
      const deadline = this.#timeout > 0 ? setTimeout(() => done(true), this.#timeout) : undefined;
      deadline?.unref?.();
      const done = (abandon: boolean): void => {
        clearTimeout(deadline);
        if (abandon) this.abandon();
        resolve();
      };
      const sink: Sink = {
        data: (chunk) => {
          dropped += chunk.length;
          if (dropped > DISCARD_LIMIT_BYTES) done(true);
        },
        end: () => done(false),
        error: () => done(false),
      };
      this.#attach(sink);
    });
  }

  /**
   * Streams the body into `options.fd` through a {@link BodyFileWriter}, taking `limiter` tokens per
   * chunk (the connection pauses while in debt). Resolves once every byte is written (and synced);
   * rejects on a failure of the source (its undici error), of the file (`FileWriteError`), an
   * `onChunk` refusal or an abort, only after in-flight file operations settled.
   */
  receiveToFile(options: ReceiveToFileOptions): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const { limiter, signal } = options;
      let failed = false;
      let finishing = false;
      let throttled: Promise<void> | undefined;
      const writer = new BodyFileWriter(options.fd, {
        durable: options.durable,
        ...(options.bufferBytes === undefined ? {} : { bufferBytes: options.bufferBytes }),
        ...(options.syncEveryBytes === undefined ? {} : { syncEveryBytes: options.syncEveryBytes }),
        hash: options.hash,
        onError: (error) => fail(error),
        onDrain: () => this.#resume(),
      });
      const fail = (error: unknown): void => {
        if (failed) return;
        failed = true;
        this.abandon();
        void writer.stop().then(() => reject(error));
      };
      const finish = (): void => {
        if (failed || finishing) return;
        finishing = true;
        // The last grant is waited for, as if the bytes were let through only then.
        void (throttled ?? Promise.resolve())
          .then(() => writer.end())
          .then(
            () => {
              if (!failed) resolve();
            },
            (error: unknown) => fail(error),
          );
      };
      const sink: Sink = {
        data: (chunk) => {
          if (failed) return;
          const refused = options.onChunk(chunk.length);
          if (refused) {
            fail(refused);
            return;
          }
          if (!writer.write(chunk)) this.#pause();
          if (limiter !== undefined && throttled === undefined) {
            const wait = limiter.acquire(chunk.length, signal);
            if (wait) {
              this.#pause();
              throttled = wait.then(
                () => {
                  throttled = undefined;
                  if (!failed) this.#resume();
                },
                (error: unknown) => {
                  throttled = undefined;
                  fail(error);
                },
              );
            }
          } else if (limiter !== undefined) {
            // A chunk delivered while waiting (undici may deliver one after a pause) pays too: its
            // tokens are taken in turn, and the next chunk waits behind them.
            limiter.acquire(chunk.length, signal)?.catch(() => {});
          }
        },
        end: finish,
        error: (error) => fail(error),
      };
      this.#attach(sink);
    });
  }

  #attach(sink: Sink): void {
    this.#sink = sink;
    const early = this.#early;
    this.#early = [];
    for (const chunk of early) sink.data(chunk);
    if (this.#error !== undefined) sink.error(this.#error);
    else if (this.#ended) sink.end();
    else if (early.length > 0) this.#resume();
  }
}
