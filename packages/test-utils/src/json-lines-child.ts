import { spawn, type ChildProcess } from 'node:child_process';

/** One JSON object a child printed on a line of its stdout. */
export type JsonLine = Record<string, unknown>;

/** A child process that reports on stdout as JSON lines (a fixture run under tsx). */
export interface JsonLinesChild {
  process: ChildProcess;
  /** Every line printed so far, parsed, in order. */
  lines: JsonLine[];
  /** Resolves with the first line (printed or yet to come) that satisfies `predicate`; rejects if the child exits first. */
  waitFor(predicate: (line: JsonLine) => boolean): Promise<JsonLine>;
  /** Settles when the child exits: its code or signal, and `performance.now()` then. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
}

/**
 * Runs the TypeScript `fixture` with `args` in its own Node process (under tsx, from `cwd`), its stderr
 * shown, its stdout read as one JSON object per line: for tests that kill a process mid-work.
 */
export function spawnJsonLinesChild(fixture: string, args: string[], cwd: string): JsonLinesChild {
  const child = spawn(process.execPath, ['--import', 'tsx', fixture, ...args], { cwd, stdio: ['ignore', 'pipe', 'inherit'] });
  const lines: JsonLine[] = [];
  const waiters: { predicate: (line: JsonLine) => boolean; resolve: (line: JsonLine) => void }[] = [];
  let buffered = '';
  child.stdout.setEncoding('utf8').on('data', (data: string) => {
    buffered += data;
    let newline;
    while ((newline = buffered.indexOf('\n')) >= 0) {
      const line = JSON.parse(buffered.slice(0, newline)) as JsonLine;
      buffered = buffered.slice(newline + 1);
      lines.push(line);
      for (const waiter of waiters.filter((candidate) => candidate.predicate(line))) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(line);
      }
    }
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal, at: performance.now() }));
  });
  return {
    process: child,
    lines,
    exited,
    waitFor(predicate) {
      const seen = lines.find(predicate);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        waiters.push({ predicate, resolve });
        void exited.then(() => reject(new Error(`the child exited first; its last lines: ${JSON.stringify(lines.slice(-5))}`)));
      });
    },
  };
}
