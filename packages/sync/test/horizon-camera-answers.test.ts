import { describe, expect, it } from 'vitest';
import { collectMetrics, fleetStatus, renderCoverageReport, renderExposition, sqliteAvailable, syncFleet, type FleetConfig, type SyncEvent } from '@camdl/sync';
import { fleetsClosedAfterEach, hourly, type TestFleet } from './fleet-helpers.js';

const HOUR = 3_600_000;
const KIB = 1024;

/** One sync of `fleet` at the instant `at`, its events. */
async function syncAt(fleet: TestFleet, config: FleetConfig, at: number): Promise<SyncEvent[]> {
  const events: SyncEvent[] = [];
  await syncFleet(config, { env: fleet.env, now: () => at, onEvent: (event) => events.push(event) });
  return events;
}

describe.skipIf(!sqliteAvailable())('the overwrite horizon of a camera that says nothing about its storage', () => {
  const startFleet = fleetsClosedAfterEach();
  const T0 = Date.UTC(2026, 4, 10, 12);

  it('knows no retention from one listing (no ETA, not at risk, nothing invented in status, metrics or report); once its oldest moves on, it wraps and the vanished oldest is overwritten', async () => {
    // No card: the simulator answers the storage call "Not Implemented", as cameras without it do.
    const fleet = await startFleet([{ name: 'yard', sim: { profile: 'amcrest', timeZone: 'UTC', content: { recordings: hourly(5, T0, 4 * KIB) } }, extra: ['time-zone: UTC', 'max-retries: 0', 'connections: 1'] }]);
    const sim = fleet.sims.get('yard')!;
    const config = fleet.config();
    const run = (at: number): Promise<SyncEvent[]> => syncAt(fleet, config, at);

    sim.setFaults([{ route: 'RPC_Loadfile', kind: 'status', status: 500 }]);
    const first = await run(T0);
    expect(first.find((event) => event.type === 'horizon')).toMatchObject({
      channels: [{ countOnCamera: 5, totalBytes: undefined, usedBytes: undefined, wrapping: false, retentionMs: undefined, etaMs: undefined, overwriteAtMs: undefined, atRisk: false, pendingCount: 5 }],
    });
    const status = fleetStatus(config).cameras[0]!.channels[0]!.horizon;
    expect(status).toMatchObject({ retentionMs: undefined, etaMs: undefined, atRisk: false });
    const metrics = renderExposition(await collectMetrics(config, { now: T0, disk: undefined }));
    expect(metrics).not.toMatch(/NaN|Infinity/);
    expect(metrics).not.toContain('camdl_overwrite_eta_seconds{camera="yard"');
    expect(metrics).toContain('camdl_at_risk{camera="yard",channel="1"} 0');
    const page = renderCoverageReport(config, { now: T0 });
    expect(page).toContain('retention unknown');
    expect(page).not.toMatch(/NaN|Invalid Date|AT RISK/);

    // The camera drops its oldest to record a new one: it wraps, observed.
    const oldest = sim.recordings[0]!;
    expect(sim.removeRecording(oldest.filePath)).toBe(true);
    sim.setFaults([{ route: 'RPC_Loadfile', kind: 'status', status: 500 }]);
    const second = await run(T0 + HOUR);
    expect(second.filter((event) => event.type === 'lost').map((event) => [event.remoteName, event.reason])).toEqual([[oldest.filePath, 'overwritten']]);
    expect(second.find((event) => event.type === 'horizon')).toMatchObject({ channels: [{ wrapping: true, retentionSource: 'observed', retentionMs: 4 * HOUR, oldestPendingMs: T0 - 4 * HOUR, etaMs: -HOUR, atRisk: true }] });
  });
});

describe.skipIf(!sqliteAvailable())('the overwrite horizon of a camera on local time across a DST change (Europe/Berlin)', () => {
  const startFleet = fleetsClosedAfterEach();

  it.each([
    ['spring forward', Date.UTC(2026, 2, 29, 1)],
    ['fall back', Date.UTC(2026, 9, 25, 1)],
  ])('%s: the span held is six real hours, and the two overwritten while offline are lost as overwritten, none as deleted', async (_name, change) => {
    // Six hourly recordings on a full card, the clock change in their middle.
    const t0 = change + 3 * HOUR;
    let clock = t0;
    const fleet = await startFleet([
      {
        name: 'porch',
        sim: { profile: 'amcrest', timeZone: 'Europe/Berlin', now: () => clock, content: { recordings: hourly(6, t0, 4 * KIB) }, card: { capacityRecordings: 6, recordEveryMs: HOUR, recordingBytes: 4 * KIB } },
        extra: ['time-zone: Europe/Berlin', 'max-retries: 0', 'timeout: 2', 'connections: 1'],
      },
    ]);
    const sim = fleet.sims.get('porch')!;
    const config = fleet.config();
    const run = (at: number): Promise<SyncEvent[]> => syncAt(fleet, config, at);

    sim.setFaults([{ route: 'RPC_Loadfile', kind: 'status', status: 500 }]);
    const first = await run(clock);
    expect(first.find((event) => event.type === 'horizon')).toMatchObject({
      channels: [{ wrapping: true, retentionMs: 6 * HOUR, retentionSource: 'observed', oldestOnCameraMs: t0 - 6 * HOUR, newestOnCameraMs: t0, pendingCount: 6, oldestPendingMs: t0 - 6 * HOUR, etaMs: 0 }],
    });

    sim.setFaults([]);
    clock = t0 + 2 * HOUR;
    const back = await run(clock);
    expect(back.filter((event) => event.type === 'lost').map((event) => [event.startMs, event.reason])).toEqual([
      [t0 - 6 * HOUR, 'overwritten'],
      [t0 - 5 * HOUR, 'overwritten'],
    ]);
    expect(back.filter((event) => event.type === 'file-done')).toHaveLength(6);
    expect(fleetStatus(config).cameras[0]!.lostReasons).toEqual({ overwritten: 2, deleted: 0, unknown: 0 });
  });
});
