import { beforeAll, describe, expect, it } from 'vitest';
import { sqliteAvailable } from '@camdl/sync';
import { assertCamdlBuilt, camdlFleetsClosedAfterEach, startCamdl, syntheticArchives } from './camdl-helpers.js';

describe.skipIf(!sqliteAvailable())('camdl sync --every with a camera that hangs mid-body (the binary)', () => {
  beforeAll(() => assertCamdlBuilt());
  const startFleet = camdlFleetsClosedAfterEach();

  it('the hung download fails at its deadline, the other camera is archived, and the loop runs again', async () => {
    const fleet = await startFleet([
      { sim: { profile: 'timelapse3', content: { archives: syntheticArchives(1, 200_000) } }, extra: ['time-zone: UTC', 'timeout: 1', 'max-retries: 0'] },
      { sim: { profile: 'timelapse2-v1', content: { archives: syntheticArchives(2, 20_000) } }, extra: ['time-zone: UTC'] },
    ]);
    // Every download from cam0 stops after 50 kB and never sends the rest (the connection stays open).
    fleet.sims[0]!.addFault({ route: 'download', kind: 'stall', ms: 600_000, afterBytes: 50_000 });
    let sent = false;
    const started = Date.now();
    const { done } = startCamdl(['sync', '--config', fleet.config, '--every', '1s', '--no-progress'], {
      env: fleet.env,
      onStdout: (text, child) => {
        if (!sent && (text.match(/^Next run at /gm) ?? []).length === 2) {
          sent = true;
          child.kill('SIGINT');
        }
      },
    });
    const run = await done;
    expect(run.code, run.stderr).toBe(130);
    expect(Date.now() - started).toBeLessThan(15_000);
    // Each run: cam0's file fails at its deadline (named), cam1 is archived (both its files in the first run),
    // the run ends with exit code 1 and the next one starts.
    expect(run.stdout.match(/^FAIL {2}cam0: Site_2026_03_02_0000\.mp4: .*timed out/gm)?.length).toBeGreaterThanOrEqual(2);
    expect(run.stdout.match(/^SAVE {2}cam1\//gm)).toHaveLength(2);
    expect(run.stdout.match(/^Next run at .*\(exit code of this one: 1\)$/gm)).toHaveLength(2);
  });
});
