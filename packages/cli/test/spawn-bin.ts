import { spawn, type ChildProcess } from 'node:child_process';

/** How a binary run ended and what it printed. */
export interface BinRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Wall time from spawn to close. */
  ms: number;
}

export interface SpawnBinOptions {
  /** Added to `process.env` (after it). @default {} */
  env?: NodeJS.ProcessEnv | undefined;
  /** @default the test's working directory */
  cwd?: string | undefined;
  /** The Node.js binary to run it with. @default process.execPath */
  node?: string | undefined;
  /** Node.js flags before the script. @default [] */
  nodeArgs?: string[] | undefined;
  /** Sees all stdout so far at every chunk (to send a signal at the right moment). @default undefined */
  onStdout?: ((stdout: string, child: ChildProcess) => void) | undefined;
}

export interface SpawnedBin {
  child: ChildProcess;
  /** Output so far. */
  output(): { stdout: string; stderr: string };
  done: Promise<BinRun>;
}

/** Runs a built bin script (`packages/cli/bin/*.js`) as its own process, collecting its output as UTF-8 text. */
export function spawnBin(script: string, args: string[], options: SpawnBinOptions = {}): SpawnedBin {
  const started = Date.now();
  const child = spawn(options.node ?? process.execPath, [...(options.nodeArgs ?? []), script, ...args], {
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    options.onStdout?.(stdout, child);
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const done = new Promise<BinRun>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr, ms: Date.now() - started })));
  return { child, output: () => ({ stdout, stderr }), done };
}
