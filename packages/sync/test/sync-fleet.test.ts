import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { sha256File } from '@camdl/test-utils';
import { fleetStatus, LEDGER_SCHEMA_VERSION, sqliteAvailable, syncFleet } from '@camdl/sync';
import { Ledger } from '@camdl/sync/testing';
import { collect, dailyArchives, listFiles, fleetsClosedAfterEach, type TestFleet } from './fleet-helpers.js';

const AMCREST_WINDOW = ['since: 2026-01-16T00:00:00', 'until: 2026-01-17T00:00:00', 'time-zone: America/New_York'];

describe.skipIf(!sqliteAvailable())('camdl sync against a mixed fleet of simulators', () => {
  const startFleet = fleetsClosedAfterEach();
  let fleet: TestFleet | undefined;

  it('archives Timelapse2 1.x, Timelapse 3.x and Amcrest byte for byte, then a second run downloads nothing', async () => {
    fleet = await startFleet(
      [
        { name: 'north-gate', sim: { profile: 'timelapse2-v1', content: { archives: dailyArchives('North_Gate', 3) } }, extra: ['time-zone: UTC'] },
        { name: 'crane', sim: { profile: 'timelapse3', content: { archives: dailyArchives('Crane_Cam', 3, { startDay: '2026-03-02' }) } }, extra: ['time-zone: UTC'] },
        { name: 'kitchen', sim: { profile: 'amcrest', content: 'tiny' }, extra: AMCREST_WINDOW },
      ],
      { top: ['bandwidth: 0'] },
    );
    const first = collect();
    const result = await syncFleet(fleet.config(), { env: fleet.env, onEvent: first.onEvent });
    expect(result.outcome).toBe('ok');
    expect(result.summary.cameras.map((camera) => [camera.camera, camera.status, camera.downloaded])).toEqual([
      ['north-gate', 'ok', 3],
      ['crane', 'ok', 3],
      ['kitchen', 'ok', 3],
    ]);

    const files = await listFiles(fleet.archive);
    // The day is the day the archive covers (its first frame), not the (next) day in its name.
    expect(files).toContain('north-gate/2026-03-01/North_Gate_2026_03_02_0000.avi');
    expect(files).toContain('crane/2026-03-02/Crane_Cam_2026_03_03_0000.mp4');
    expect(files).toContain('kitchen/2026-01-16/2026-01-16_20.00.00-20.08.00_ch1.mp4');
    expect(files.filter((file) => !file.endsWith('SHA256SUMS'))).toHaveLength(9);

    // Byte-identical with what each camera serves.
    for (const [name, sim] of fleet.sims) {
      for (const archive of sim.archives) {
        const match = files.find((file) => file.startsWith(`${name}/`) && file.endsWith(`/${archive.filename}`));
        expect(match, archive.filename).toBeDefined();
        expect(await sha256File(join(fleet.archive, match!))).toBe(archive.sha256);
      }
      for (const recording of sim.recordings.filter((item) => item.type === 'mp4')) {
        const local = `kitchen/${recording.startTime.slice(0, 10)}/${recording.startTime.slice(0, 10)}_${recording.startTime.slice(11).replaceAll(':', '.')}-${recording.endTime.slice(11).replaceAll(':', '.')}_ch1.mp4`;
        expect(files).toContain(local);
        expect(await sha256File(join(fleet.archive, local))).toBe(recording.sha256);
      }
    }

    // SHA256SUMS beside the files, readable by sha256sum -c.
    const sumsFolder = join(fleet.archive, 'kitchen', '2026-01-16');
    const sums = await readFile(join(sumsFolder, 'SHA256SUMS'), 'utf8');
    expect(sums.trim().split('\n')).toHaveLength(3);
    expect(execFileSync('sha256sum', ['-c', 'SHA256SUMS'], { cwd: sumsFolder, encoding: 'utf8' })).toMatch(/: OK\n.*: OK\n.*: OK\n/);

    // The ledger: every row verified, with hash and path; the run recorded.
    const ledger = Ledger.open(fleet.config().ledger);
    try {
      const rows = ledger.allRecordings();
      expect(rows).toHaveLength(9);
      expect(new Set(rows.map((row) => row.state))).toEqual(new Set(['verified']));
      expect(rows.every((row) => /^[0-9a-f]{64}$/.test(row.sha256 ?? ''))).toBe(true);
      expect(ledger.runs()[0]).toMatchObject({ status: 'ok', exitCode: 0 });
      expect(ledger.schemaVersion).toBe(LEDGER_SCHEMA_VERSION);
    } finally {
      ledger.close();
    }
    // No secret anywhere in the ledger file or the events.
    const ledgerBytes = await readFile(fleet.config().ledger);
    for (const sim of fleet.sims.values()) {
      expect(ledgerBytes.includes(Buffer.from(sim.password))).toBe(false);
      expect(JSON.stringify(first.events)).not.toContain(sim.password);
    }

    // Second run: nothing downloaded, nothing deleted, still exit 0.
    const requestsBefore = [...fleet.sims.values()].map((sim) => sim.counters.requests['download'] ?? 0);
    const loadfileBefore = fleet.sims.get('kitchen')!.counters.requests['RPC_Loadfile'] ?? 0;
    expect(loadfileBefore).toBeGreaterThanOrEqual(3);
    const second = collect();
    const again = await syncFleet(fleet.config(), { env: fleet.env, onEvent: second.onEvent });
    expect(again.outcome).toBe('ok');
    expect(again.summary.cameras.map((camera) => camera.downloaded)).toEqual([0, 0, 0]);
    expect(second.ofType('file-start')).toHaveLength(0);
    expect([...fleet.sims.values()].map((sim) => sim.counters.requests['download'] ?? 0)).toEqual(requestsBefore);
    expect(fleet.sims.get('kitchen')!.counters.requests['RPC_Loadfile'] ?? 0).toBe(loadfileBefore);

    const status = fleetStatus(fleet.config());
    expect(status.cameras.map((camera) => [camera.name, camera.channels[0]?.files, camera.channels[0]?.days.length])).toEqual([
      ['north-gate', 3, 3],
      ['crane', 3, 3],
      ['kitchen', 3, 1],
    ]);
    expect(status.cameras.every((camera) => camera.lastSuccessMs !== undefined)).toBe(true);
  });
});
