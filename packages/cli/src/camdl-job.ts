import { toCamdlExit } from './camdl-flags.js';

/**
 * Runs a `camdl` job under the Ctrl+C/SIGTERM handler: its result, or the exit code of the
 * interruption (130, 143). Errors of the libraries become the exit codes of the contract.
 */
export async function runInterruptible<T>(job: (signal: AbortSignal) => Promise<T>): Promise<{ result: T } | { exitCode: number }> {
  const { installInterruptHandler } = await import('./interrupt.js');
  const interrupt = installInterruptHandler();
  let result: T;
  try {
    result = await job(interrupt.signal);
  } catch (error) {
    toCamdlExit(error);
  } finally {
    interrupt.dispose();
  }
  if (interrupt.state === 'terminate') return { exitCode: 143 };
  if (interrupt.state !== 'none') return { exitCode: 130 };
  return { result };
}
