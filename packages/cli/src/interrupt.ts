/**
 * SIGINTs closer together than this count once. A wrapper such as `timeout` forwards the terminal's
 * SIGINT to its child, which also got it from the terminal: the two arrive a few ms apart. A person
 * pressing Ctrl+C twice on purpose takes longer than this.
 */
export const SIGNAL_DEBOUNCE_MS = 100;

/** What stopped the command: nothing yet, a first Ctrl+C, a second one, or SIGTERM. */
export type InterruptState = 'none' | 'stop' | 'abort' | 'terminate';

/**
 * Ctrl+C as the seed tools handle it: the first SIGINT asks to stop gently (`stopSignal`: finish the
 * current file, start no new one), the second aborts now (`signal`). SIGTERM aborts now like a second
 * Ctrl+C (exit 143). Two SIGINTs within {@link SIGNAL_DEBOUNCE_MS} count as one.
 */
export interface InterruptController {
  /** Aborted by the first Ctrl+C (and by everything after it). */
  readonly stopSignal: AbortSignal;
  /** Aborted by the second Ctrl+C or SIGTERM. */
  readonly signal: AbortSignal;
  readonly state: InterruptState;
  dispose(): void;
}

export interface InterruptOptions {
  onStop?: () => void;
  onAbort?: () => void;
  onTerminate?: () => void;
  process?: NodeJS.Process;
  /** @default performance.now */
  now?: () => number;
  /** @default SIGNAL_DEBOUNCE_MS */
  debounceMs?: number;
}

export function installInterruptHandler(options: InterruptOptions = {}): InterruptController {
  const proc = options.process ?? process;
  const now = options.now ?? (() => performance.now());
  const debounceMs = options.debounceMs ?? SIGNAL_DEBOUNCE_MS;
  const stop = new AbortController();
  const abort = new AbortController();
  let state: InterruptState = 'none';
  let lastSigint = -Infinity;
  const onSigint = (): void => {
    const at = now();
    const repeated = at - lastSigint < debounceMs;
    lastSigint = at;
    if (repeated || state === 'abort' || state === 'terminate') return;
    if (state === 'none') {
      state = 'stop';
      options.onStop?.();
      stop.abort(new Error('interrupted'));
      return;
    }
    state = 'abort';
    options.onAbort?.();
    abort.abort(new Error('interrupted'));
  };
  const onSigterm = (): void => {
    if (state === 'terminate') return;
    state = 'terminate';
    options.onTerminate?.();
    stop.abort(new Error('terminated'));
    abort.abort(new Error('terminated'));
  };
  proc.on('SIGINT', onSigint);
  proc.on('SIGTERM', onSigterm);
  return {
    stopSignal: stop.signal,
    signal: abort.signal,
    get state() {
      return state;
    },
    dispose() {
      proc.off('SIGINT', onSigint);
      proc.off('SIGTERM', onSigterm);
    },
  };
}
