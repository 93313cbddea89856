import { afterEach, describe, expect, it } from 'vitest';
import type { RecordingSpec } from '@camdl/camera-sim';
import { collectMetrics, fleetStatus, renderCoverageReport, renderExposition, sqliteAvailable, syncFleet, type SyncEvent } from '@camdl/sync';
import { startFleet, type TestFleet } from './fleet-helpers.js';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 4, 10, 12);
const KIB = 1024;

function hourly(count: number, end: number, size: number): RecordingSpec[] {
  return Array.from({ length: count }, (_, index) => ({ start: end - (count - index) * HOUR, end: end - (count - index - 1) * HOUR, content: 'synthetic' as const, size }));
}

describe.skipIf(!sqliteAvailable())('the overwrite horizon of a camera that says nothing about its storage', () => {
  let fleet: TestFleet | undefined;
  afterEach(async () => {
    await fleet?.close();
    fleet = undefined;
  });

  it('knows no retention from one listing (no ETA, not at risk, nothing invented in status, metrics or report); once its oldest moves on, it wraps and the vanished oldest is overwritten', async () => {
    // No card: the simulator answers the storage call "Not Implemented", as cameras without it do.
    fleet = await startFleet([{ name: 'yard', sim: { profile: 'amcrest', timeZone: 'UTC', content: { recordings: hourly(5, T0, 4 * KIB) } }, extra: ['time-zone: UTC', 'max-retries: 0', 'connections: 1'] }]);
    const sim = fleet.sims.get('yard')!;
    const config = fleet.config();
    const run = async (at: number): Promise<SyncEvent[]> => {
      const events: SyncEvent[] = [];
      await syncFleet(config, { env: fleet!.env, now: () => at, onEvent: (event) => events.push(event) });
      return events;
    };

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
