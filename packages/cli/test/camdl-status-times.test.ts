import { beforeAll, describe, expect, it } from 'vitest';
import { sqliteAvailable } from '@camdl/sync';
import { assertCamdlBuilt, camdlFleetsClosedAfterEach, runCamdl, syntheticArchives } from './camdl-helpers.js';

describe.skipIf(!sqliteAvailable())('camdl status --verbose writes its times in one format', () => {
  const startCamdlFleet = camdlFleetsClosedAfterEach();
  beforeAll(() => assertCamdlBuilt());

  it('the last sync and the overwrite horizon alike: ISO 8601 with Z, never a second form', async () => {
    const fleet = await startCamdlFleet([{ sim: { profile: 'timelapse3', content: { archives: syntheticArchives(3, 1000) } }, extra: ['time-zone: UTC'] }]);
    const sync = await runCamdl(['sync', '--config', fleet.config], fleet.env);
    expect(sync.code, sync.stderr).toBe(0);
    const status = await runCamdl(['status', '--config', fleet.config, '--verbose'], fleet.env);
    const horizon = status.stdout.split('\n').find((line) => line.trimStart().startsWith('horizon: '));
    expect(horizon, status.stdout).toMatch(/^ {4}horizon: 3 on the camera \(2026-03-01T00:00:00Z \.\. 2026-03-03T00:\d\d:00Z\); /);
    // Every time of the day in the output is written the one way.
    const times = status.stdout.match(/\d{4}-\d\d-\d\d[T ]\d\d:\d\d\S*( UTC)?/g) ?? [];
    expect(times.length).toBeGreaterThan(2);
    for (const time of times) expect(time, status.stdout).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/);
  });
});
