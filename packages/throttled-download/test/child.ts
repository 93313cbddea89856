import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { DownloadOptions } from '../src/index.js';

const fixture = fileURLToPath(new URL('./fixtures/download-child.ts', import.meta.url));
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

export interface Child {
  process: ChildProcess;
  lines: Record<string, unknown>[];
  /** Resolves when a printed line satisfies `predicate`. */
  waitFor(predicate: (line: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
}

export function spawnDownload(url: string, destination: string, options: DownloadOptions = {}): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', fixture, url, destination, JSON.stringify(options)], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines: Record<string, unknown>[] = [];
  const waiters: { predicate: (line: Record<string, unknown>) => boolean; resolve: (line: Record<string, unknown>) => void }[] = [];
  let buffered = '';
  child.stdout?.setEncoding('utf8').on('data', (data: string) => {
    buffered += data;
    let newline;
    while ((newline = buffered.indexOf('\n')) >= 0) {
      const line = JSON.parse(buffered.slice(0, newline)) as Record<string, unknown>;
      buffered = buffered.slice(newline + 1);
      lines.push(line);
      for (const waiter of [...waiters]) {
        if (waiter.predicate(line)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(line);
        }
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
    waitFor: (predicate) => {
      const found = lines.find(predicate);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        waiters.push({ predicate, resolve });
        void exited.then(() => reject(new Error(`child exited first; lines: ${JSON.stringify(lines.slice(-5))}`)));
      });
    },
  };
}

export const progressAbove =
  (bytes: number) =>
  (line: Record<string, unknown>): boolean =>
    typeof line['progress'] === 'number' && line['progress'] > bytes;
