import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { spawnBin, type BinRun } from './spawn-bin.js';

export const BIN = fileURLToPath(new URL('../bin/timelapse2-dl.js', import.meta.url));
const DIST = fileURLToPath(new URL('../dist/timelapse2-dl.js', import.meta.url));

/** The e2e tests run the built binary: fail clearly when the build did not run. */
export function assertBuilt(): void {
  if (!existsSync(DIST)) throw new Error(`${DIST} is missing: run \`pnpm -r --filter @camdl/cli... build\` before the tests`);
}

export type CliRun = BinRun;

/** Starts the binary; `onStdout` sees output as it comes (to send signals at the right moment). */
export function startCli(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; onStdout?: (text: string, child: ChildProcess) => void } = {},
): { child: ChildProcess; done: Promise<CliRun> } {
  return spawnBin(BIN, args, { ...options, env: { TIMELAPSE2_DL_PASSWORD: '', CAMDL_PASSWORD: '', ...options.env } });
}

export function runCli(args: string[], env?: NodeJS.ProcessEnv): Promise<CliRun> {
  return startCli(args, env ? { env } : {}).done;
}

/**
 * Runs the binary and, once its first `SAVE` line appears (a download is under way), sends one
 * SIGINT after each of `delaysMs` — Ctrl+C as a user presses it.
 */
export function runCliInterruptedAfterSave(args: string[], delaysMs: number[]): Promise<CliRun> {
  let signalled = false;
  return startCli(args, {
    onStdout: (text, child) => {
      if (signalled || !text.includes('SAVE')) return;
      signalled = true;
      for (const delay of delaysMs) setTimeout(() => child.kill('SIGINT'), delay);
    },
  }).done;
}
