import { describe, expect, it } from 'vitest';
import { fleetStatus, openAlerts, runMonitoredSync, sqliteAvailable } from '@camdl/sync';
import { dailyArchives, fleetsClosedAfterEach } from './fleet-helpers.js';

const DAY = 86_400_000;

describe.skipIf(!sqliteAvailable())('the camera-silent alert decides as camdl status does', () => {
  const startFleet = fleetsClosedAfterEach();

  it('a Timelapse camera that delivers once a week is not silent three days after its last archive; a daily one is', async () => {
    const weekly = dailyArchives('Gate', 22).filter((_, index) => index % 7 === 0);
    const fleet = await startFleet([
      { name: 'gate', sim: { profile: 'timelapse3', content: { archives: weekly } }, extra: ['time-zone: UTC'] },
      { name: 'crane', sim: { profile: 'timelapse3', content: { archives: dailyArchives('Crane', 22) } }, extra: ['time-zone: UTC'] },
    ]);
    const config = fleet.config();
    const run = async (at: number): Promise<void> => {
      await runMonitoredSync(config, { env: fleet.env, now: () => at });
    };
    // The newest archives (2026-03-22) end on 2026-03-23; three and a half days later:
    const soon = Date.parse('2026-03-26T12:00:00Z');
    await run(soon);
    const silentInStatus = fleetStatus(config, { now: soon }).cameras.filter((camera) => camera.silent !== undefined).map((camera) => camera.name);
    expect(silentInStatus).toEqual(['crane']);
    expect(openAlerts(config).map((row) => `${row.kind} ${row.subject}`)).toEqual(['camera-silent crane']);
    // Beyond one and a half weeks the weekly camera is silent too, in the status and the alert alike.
    const late = soon + 9 * DAY;
    await run(late);
    expect(fleetStatus(config, { now: late }).cameras.filter((camera) => camera.silent !== undefined).map((camera) => camera.name)).toEqual(['gate', 'crane']);
    expect(openAlerts(config).map((row) => `${row.kind} ${row.subject}`).sort()).toEqual(['camera-silent crane', 'camera-silent gate']);
  });
});
