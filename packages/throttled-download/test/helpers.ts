import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir, startFaultServer, type FaultServer, type FaultServerFile, type TempDir } from '@camdl/test-utils';
import { afterEach, beforeEach } from 'vitest';
import { isDownloadError, temporaryPaths, type DownloadError, type DownloadEvent, type DownloadOptions } from '../src/index.js';

export interface Harness {
  server: FaultServer;
  dir: TempDir;
  dest(name?: string): string;
  events: DownloadEvent[];
  sleeps: number[];
  /** Fast, recorded retry waits; the real sleep is exercised by the Ctrl+C test. */
  options(extra?: DownloadOptions): DownloadOptions;
  close(): Promise<void>;
}

export async function startHarness(files: Record<string, FaultServerFile>): Promise<Harness> {
  const server = await startFaultServer(files);
  const dir = await makeTempDir('camdl-dl-');
  const events: DownloadEvent[] = [];
  const sleeps: number[] = [];
  return {
    server,
    dir,
    events,
    sleeps,
    dest: (name = 'out.bin') => join(dir.path, name),
    options: (extra = {}) => ({
      retryDelay: 1000,
      timeout: 2000,
      backoff: { jitter: 0 },
      sleep: async (ms: number) => {
        sleeps.push(ms);
      },
      onEvent: (event: DownloadEvent) => events.push(event),
      ...extra,
    }),
    close: async () => {
      await server.close();
      await dir.cleanup();
    },
  };
}

export function leftovers(destination: string): { final: boolean; part: boolean; sidecar: boolean } {
  const paths = temporaryPaths(destination);
  return { final: existsSync(destination), part: existsSync(paths.part), sidecar: existsSync(paths.state) };
}

/**
 * A fresh {@link Harness} for every test of the file (started before each, closed after each), for
 * suites that serve the same files in every test. The returned object reads through to the current one.
 */
export function useHarness(files: Record<string, FaultServerFile>): Harness {
  let current: Harness | undefined;
  beforeEach(async () => {
    current = await startHarness(files);
  });
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });
  const now = (): Harness => {
    if (current === undefined) throw new Error('useHarness: the harness exists only while a test runs');
    return current;
  };
  return {
    get server() {
      return now().server;
    },
    get dir() {
      return now().dir;
    },
    get events() {
      return now().events;
    },
    get sleeps() {
      return now().sleeps;
    },
    dest: (name) => now().dest(name),
    options: (extra) => now().options(extra),
    close: () => now().close(),
  };
}

/** The DownloadError `promise` rejects with; fails the test when it resolves or rejects with anything else. */
export async function rejection(promise: Promise<unknown>): Promise<DownloadError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isDownloadError(error)) throw new Error(`expected a DownloadError, got ${String(error)}`);
  return error;
}
