/**
 * Ctrl+C as the seed tools handle it: the first SIGINT asks to stop after the current file
 * (`stopRequested`), the second aborts now (`signal`). Also SIGTERM aborts now.
 */
export interface InterruptController {
  /** True after the first Ctrl+C: start no new download. */
  readonly stopRequested: boolean;
  /** Aborted on the second Ctrl+C or on SIGTERM. */
  readonly signal: AbortSignal;
  /** True when any interruption happened (the exit code is then 130). */
  readonly interrupted: boolean;
  dispose(): void;
}

export function installInterruptHandler(options: {
  onFirst?: () => void;
  onSecond?: () => void;
  process?: NodeJS.Process;
} = {}): InterruptController {
  const proc = options.process ?? process;
  const controller = new AbortController();
  let count = 0;
  const onSigint = (): void => {
    count += 1;
    if (count === 1) {
      options.onFirst?.();
    } else if (!controller.signal.aborted) {
      options.onSecond?.();
      controller.abort(new Error('interrupted'));
    }
  };
  const onSigterm = (): void => {
    count = Math.max(count, 2);
    controller.abort(new Error('terminated'));
  };
  proc.on('SIGINT', onSigint);
  proc.on('SIGTERM', onSigterm);
  return {
    get stopRequested() {
      return count >= 1;
    },
    get interrupted() {
      return count >= 1;
    },
    signal: controller.signal,
    dispose() {
      proc.off('SIGINT', onSigint);
      proc.off('SIGTERM', onSigterm);
    },
  };
}
