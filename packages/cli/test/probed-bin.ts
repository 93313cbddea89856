import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { spawnBin, type BinRun } from './spawn-bin.js';

/**
 * A module preloaded (`--import`) into a built binary that reports on the process as it exits: its
 * `source` writes JSON to the file named by `process.env.CAMDL_PROBE_OUT`.
 */
export interface BinProbe {
  run<T>(bin: string, args: string[], options?: { env?: NodeJS.ProcessEnv; nodeArgs?: string[] }): Promise<{ run: BinRun; report: T }>;
}

/** Writes the probe's `source` into `dir` (a test's temp dir); each run reports into a file of its own there. */
export async function createBinProbe(dir: string, source: readonly string[]): Promise<BinProbe> {
  const probe = join(dir, 'probe.mjs');
  await writeFile(probe, source.join('\n'));
  let runs = 0;
  return {
    async run<T>(bin: string, args: string[], options: { env?: NodeJS.ProcessEnv; nodeArgs?: string[] } = {}) {
      const out = join(dir, `probe-${runs++}.json`);
      const run = await spawnBin(bin, args, { nodeArgs: [...(options.nodeArgs ?? []), '--import', probe], env: { ...options.env, CAMDL_PROBE_OUT: out } }).done;
      return { run, report: JSON.parse(await readFile(out, 'utf8')) as T };
    },
  };
}
