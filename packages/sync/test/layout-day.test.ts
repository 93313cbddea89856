import { describe, expect, it } from 'vitest';
import { sqliteAvailable, syncFleet } from '@camdl/sync';
import { collect, dailyArchives, listFiles, fleetsClosedAfterEach, type TestFleet } from './fleet-helpers.js';

describe.skipIf(!sqliteAvailable())('the day in the layout is the day the recording covers, in the camera time zone', () => {
  const startFleet = fleetsClosedAfterEach();
  let fleet: TestFleet | undefined;

  it('a Timelapse archive named after the next day goes to the folder of the day its frames were taken, in the config time-zone', async () => {
    // First frames at 2026-03-01 00:00 UTC and 2026-03-02 00:00 UTC; named ..._2026_03_02_0000 and ..._2026_03_03_0000.
    const archives = dailyArchives('Gate', 2);
    fleet = await startFleet([
      // New York: 2026-02-28 19:00 and 2026-03-01 19:00 (EST, UTC-5).
      { name: 'west', sim: { profile: 'timelapse3', content: { archives } }, extra: ['time-zone: America/New_York'] },
      // Tokyo: 2026-03-01 09:00 and 2026-03-02 09:00 (UTC+9).
      { name: 'east', sim: { profile: 'timelapse2-v1', content: { archives } }, extra: ['time-zone: Asia/Tokyo'] },
    ], { top: ['layout: "{camera}/{yyyy}-{mm}-{dd}/{hh}h/{file}"'] });
    const run = collect();
    const result = await syncFleet(fleet.config(), { env: fleet.env, onEvent: run.onEvent });
    expect(result.outcome).toBe('ok');
    const files = (await listFiles(fleet.archive)).filter((file) => !file.endsWith('SHA256SUMS'));
    expect(files).toEqual([
      'east/2026-03-01/09h/Gate_2026_03_02_0000.avi',
      'east/2026-03-02/09h/Gate_2026_03_03_0000.avi',
      'west/2026-02-28/19h/Gate_2026_03_02_0000.mp4',
      'west/2026-03-01/19h/Gate_2026_03_03_0000.mp4',
    ]);
    // Each folder's SHA256SUMS names its own file.
    expect((await listFiles(fleet.archive)).filter((file) => file.endsWith('SHA256SUMS'))).toHaveLength(4);
  });
});
