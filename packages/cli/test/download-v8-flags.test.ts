import { makeTempDir, type TempDir } from '@camdl/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AMCREST_DL_BIN } from './amcrest-dl-helpers.js';
import { CAMDL_BIN } from './camdl-helpers.js';
import { createBinProbe, type BinProbe } from './probed-bin.js';
import { BIN as TIMELAPSE2_DL_BIN } from './timelapse2-dl-helpers.js';

// The download binaries, and camdl's download commands (sync, get), run without V8's optimising
// compilers (their memory costs more than they save in a process that waits on the kernel); camdl's
// other commands keep them.

let dir: TempDir;
let probe: BinProbe;

beforeAll(async () => {
  dir = await makeTempDir('camdl-v8-flags-');
  // Preloaded with --allow-natives-syntax: at exit, calls a small function until V8 optimises it or
  // 5 million calls have gone by, and reports whether it was optimised.
  probe = await createBinProbe(dir.path, [
    "import { writeFileSync } from 'node:fs';",
    "process.on('exit', () => {",
    '  const hot = (a) => (a * 31 + 7) | 0;',
    '  let sum = 0;',
    '  let status = 0;',
    '  for (let round = 0; round < 500 && (status & 16) === 0; round++) {',
    '    for (let i = 0; i < 10000; i++) sum = hot(sum + i);',
    '    status = %GetOptimizationStatus(hot);',
    '  }',
    '  writeFileSync(process.env.CAMDL_PROBE_OUT, JSON.stringify({ optimised: (status & 16) !== 0, sum }));',
    '});',
  ]);
});
afterAll(async () => {
  await dir?.cleanup();
});

async function optimisesHotCode(bin: string, args: string[] = ['--version']): Promise<boolean> {
  const { run, report } = await probe.run<{ optimised: boolean }>(bin, args, { nodeArgs: ['--allow-natives-syntax'] });
  expect(run.code, run.stderr).toBe(0);
  return report.optimised;
}

describe('V8 tiers of the built binaries', () => {
  it('timelapse2-dl and amcrest-dl leave hot functions unoptimised', async () => {
    expect(await optimisesHotCode(TIMELAPSE2_DL_BIN)).toBe(false);
    expect(await optimisesHotCode(AMCREST_DL_BIN)).toBe(false);
  });

  it('camdl optimises them (the probe sees optimisation where it happens)', async () => {
    expect(await optimisesHotCode(CAMDL_BIN)).toBe(true);
  });
});

describe('V8 tiers of camdl, per command', () => {
  it('camdl sync and camdl get run as download processes: hot functions stay unoptimised', async () => {
    expect(await optimisesHotCode(CAMDL_BIN, ['sync', '--version'])).toBe(false);
    expect(await optimisesHotCode(CAMDL_BIN, ['get', '--version'])).toBe(false);
  });

  it('camdl report and camdl status keep the optimising compilers', async () => {
    expect(await optimisesHotCode(CAMDL_BIN, ['report', '--version'])).toBe(true);
    expect(await optimisesHotCode(CAMDL_BIN, ['status', '--version'])).toBe(true);
  });
});
