import { readFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { fleetStatus, renderCoverageReport, sqliteAvailable, syncFleet } from '@camdl/sync';
import { collect, dailyArchives, startFleet, type TestFleet } from './fleet-helpers.js';

const AMCREST_WINDOW = ['since: 2026-01-16T00:00:00', 'until: 2026-01-17T00:00:00', 'time-zone: America/New_York'];

/** `count` recordings of 10 minutes from 20:00 camera time, synthetic bytes. */
function recordings(count: number, size: number): Array<{ start: string; end: string; content: 'synthetic'; size: number }> {
  return Array.from({ length: count }, (_, index) => {
    const at = (minute: number): string => `2026-01-16 ${String(20 + Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}:00`;
    return { start: at(index * 10), end: at(index * 10 + 9), content: 'synthetic' as const, size };
  });
}

describe.skipIf(!sqliteAvailable())('camdl sync policy, against the simulators', () => {
  let fleet: TestFleet | undefined;
  afterEach(async () => {
    await fleet?.close();
    fleet = undefined;
  });

  it('downloads oldest first whatever order the camera lists in, one request at a time on a Timelapse camera that refuses a second', async () => {
    const days = dailyArchives('Gate', 5);
    // The camera lists them out of order (a user renamed a profile, archives migrated from 1.x…).
    const listed = [days[3]!, days[0]!, days[4]!, days[2]!, days[1]!];
    fleet = await startFleet([
      {
        name: 'gate',
        // 'reject': a request while another is being served gets 503, and no retries are allowed.
        sim: { profile: 'timelapse3', content: { archives: listed }, timelapse: { concurrency: 'reject' } },
        extra: ['time-zone: UTC', 'max-retries: 0'],
      },
    ]);
    const sim = fleet.sims.get('gate')!;
    expect(sim.archives.map((archive) => archive.filename)).toEqual(listed.map((archive) => `${archive.filename}.mp4`));
    const run = collect();
    const result = await syncFleet(fleet.config(), { env: fleet.env, onEvent: run.onEvent });
    expect(result.exitCode).toBe(0);
    expect(run.ofType('file-start').map((event) => event.remoteName)).toEqual(days.map((archive) => `${archive.filename}.mp4`));
    expect(sim.counters.peakConcurrentRequests).toBe(1);
  });

  it('an Amcrest camera gets at most its `connections` downloads at once, and really uses them', async () => {
    fleet = await startFleet([
      { name: 'kitchen', sim: { profile: 'amcrest', content: { recordings: recordings(8, 200_000) } }, extra: [...AMCREST_WINDOW, 'connections: 2'] },
      { name: 'porch', sim: { profile: 'amcrest', content: { recordings: recordings(8, 200_000) } }, extra: AMCREST_WINDOW },
    ]);
    // ~0.4 s a file: downloads overlap whenever the client lets them.
    for (const sim of fleet.sims.values()) sim.addFault({ route: 'RPC_Loadfile', kind: 'slow', bytesPerSec: 500_000 });
    const run = collect();
    const result = await syncFleet(fleet.config(), { env: fleet.env, onEvent: run.onEvent });
    expect(result.exitCode).toBe(0);
    expect(result.summary.cameras.map((camera) => camera.downloaded)).toEqual([8, 8]);
    // Most files at once per camera, from the events (file-start … file-done).
    const peak = (camera: string): number => {
      let open = 0;
      let most = 0;
      for (const event of run.events) {
        if (event.type === 'file-start' && event.camera === camera) most = Math.max(most, ++open);
        if (event.type === 'file-done' && event.camera === camera) open -= 1;
      }
      return most;
    };
    expect(peak('kitchen')).toBe(2);
    expect(peak('porch')).toBe(4);
    // The camera saw the same: never more requests at once than the cap.
    expect(fleet.sims.get('kitchen')!.counters.peakConcurrentRequests).toBe(2);
    expect(fleet.sims.get('porch')!.counters.peakConcurrentRequests).toBe(4);
  });

  it('no password reaches the ledger, the status or the coverage report, even from a camera that failed', async () => {
    fleet = await startFleet([
      { name: 'gate', sim: { profile: 'timelapse2-v1', content: { archives: dailyArchives('Gate', 2) } }, extra: ['time-zone: UTC'] },
      { name: 'porch', sim: { profile: 'amcrest', content: 'tiny' }, passwordOverride: 'Wrong-Pass-4821', extra: AMCREST_WINDOW },
    ]);
    const run = collect();
    const result = await syncFleet(fleet.config(), { env: fleet.env, onEvent: run.onEvent });
    expect(result.exitCode).toBe(1);
    const secrets = [...fleet.sims.values()].map((sim) => sim.password).concat('Wrong-Pass-4821');
    const texts = {
      events: JSON.stringify(run.events),
      status: JSON.stringify(fleetStatus(fleet.config())),
      report: renderCoverageReport(fleet.config()),
      ledger: (await readFile(fleet.config().ledger)).toString('latin1') + (await readFile(`${fleet.config().ledger}-wal`).catch(() => Buffer.alloc(0))).toString('latin1'),
    };
    // The failure is there, named, without the secret that caused it.
    expect(texts.status).toContain('porch');
    expect(texts.report).toContain('porch');
    for (const [where, text] of Object.entries(texts)) {
      for (const secret of secrets) expect(text.includes(secret), `${where} contains a password`).toBe(false);
    }
  });
});
