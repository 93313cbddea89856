import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir, startFaultServer, type FaultServer, type FaultServerFile, type TempDir } from '@camdl/test-utils';
import { temporaryPaths, type DownloadEvent, type DownloadOptions } from '../src/index.js';

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
