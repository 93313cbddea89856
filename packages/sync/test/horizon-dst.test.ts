import { afterEach, describe, expect, it } from 'vitest';
import type { RecordingSpec } from '@camdl/camera-sim';
import { fleetStatus, sqliteAvailable, syncFleet, type SyncEvent } from '@camdl/sync';
import { startFleet, type TestFleet } from './fleet-helpers.js';

const HOUR = 3_600_000;
const KIB = 1024;

/** Hourly synthetic recordings ending at `end`, oldest first. */
function hourly(count: number, end: number, size: number): RecordingSpec[] {
  return Array.from({ length: count }, (_, index) => ({ start: end - (count - index) * HOUR, end: end - (count - index - 1) * HOUR, content: 'synthetic' as const, size }));
}

describe.skipIf(!sqliteAvailable())('the overwrite horizon of a camera on local time across a DST change (Europe/Berlin)', () => {
  let fleet: TestFleet | undefined;
  afterEach(async () => {
    await fleet?.close();
    fleet = undefined;
  });

  it.each([
    ['spring forward', Date.UTC(2026, 2, 29, 1)],
    ['fall back', Date.UTC(2026, 9, 25, 1)],
  ])('%s: the span held is six real hours, and the two overwritten while offline are lost as overwritten, none as deleted', async (_name, change) => {
    // Six hourly recordings on a full card, the clock change in their middle.
    const t0 = change + 3 * HOUR;
    let clock = t0;
    fleet = await startFleet([
      {
        name: 'porch',
        sim: { profile: 'amcrest', timeZone: 'Europe/Berlin', now: () => clock, content: { recordings: hourly(6, t0, 4 * KIB) }, card: { capacityRecordings: 6, recordEveryMs: HOUR, recordingBytes: 4 * KIB } },
        extra: ['time-zone: Europe/Berlin', 'max-retries: 0', 'timeout: 2', 'connections: 1'],
      },
    ]);
    const sim = fleet.sims.get('porch')!;
    const config = fleet.config();
    const run = async (at: number): Promise<SyncEvent[]> => {
      const events: SyncEvent[] = [];
      await syncFleet(config, { env: fleet!.env, now: () => at, onEvent: (event) => events.push(event) });
      return events;
    };

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
