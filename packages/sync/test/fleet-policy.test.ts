import { chmod, readFile, writeFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sha256File } from '@camdl/test-utils';
import { fleetStatus, loadConfig, renderCoverageReport, sqliteAvailable, syncFleet } from '@camdl/sync';
import { collect, dailyArchives, envName, fleetsClosedAfterEach, type TestFleet } from './fleet-helpers.js';

const AMCREST_WINDOW = ['since: 2026-01-16T00:00:00', 'until: 2026-01-17T00:00:00', 'time-zone: America/New_York'];

/** `count` recordings of 10 minutes from 20:00 camera time, synthetic bytes. */
function recordings(count: number, size: number): Array<{ start: string; end: string; content: 'synthetic'; size: number }> {
  return Array.from({ length: count }, (_, index) => {
    const at = (minute: number): string => `2026-01-16 ${String(20 + Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}:00`;
    return { start: at(index * 10), end: at(index * 10 + 9), content: 'synthetic' as const, size };
  });
}

describe.skipIf(!sqliteAvailable())('camdl sync policy, against the simulators', () => {
  const startFleet = fleetsClosedAfterEach();
  let fleet: TestFleet | undefined;

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
    expect(result.outcome).toBe('ok');
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
    expect(result.outcome).toBe('ok');
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
    expect(result.outcome).toBe('some-failed');
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

  // Lower bounds only (a slower machine only makes them truer): the limiter starts empty, so no
  // more than rate × time bytes can have passed. Accuracy itself is measured in bench/sync.
  it('one global bandwidth limit for all cameras together: two cameras at 8 Mbps share 1 MB/s', async () => {
    fleet = await startFleet(
      [
        { name: 'gate', sim: { profile: 'timelapse3', content: { archives: dailyArchives('Gate', 1, { size: 400_000 }) } }, extra: ['time-zone: UTC'] },
        { name: 'crane', sim: { profile: 'timelapse3', content: { archives: dailyArchives('Crane', 1, { size: 400_000 }) } }, extra: ['time-zone: UTC'] },
      ],
      { top: ['bandwidth: 8'] },
    );
    const started = performance.now();
    const result = await syncFleet(fleet.config(), { env: fleet.env });
    const elapsed = performance.now() - started;
    expect(result.summary.cameras.map((camera) => camera.downloaded)).toEqual([1, 1]);
    // 800,000 bytes at 1,000,000 B/s: 0.8 s (a limit per camera would let both finish in 0.4 s).
    expect(elapsed).toBeGreaterThan(700);
  });

  it('a camera rate-limit caps that camera under an unlimited fleet', async () => {
    fleet = await startFleet(
      [
        { name: 'gate', sim: { profile: 'timelapse3', content: { archives: dailyArchives('Gate', 1, { size: 300_000 }) } }, extra: ['time-zone: UTC', 'rate-limit: 4'] },
        { name: 'crane', sim: { profile: 'timelapse3', content: { archives: dailyArchives('Crane', 1, { size: 300_000 }) } }, extra: ['time-zone: UTC'] },
      ],
      { top: ['bandwidth: 0'] },
    );
    const at = new Map<string, number>();
    const started = performance.now();
    const result = await syncFleet(fleet.config(), { env: fleet.env, onEvent: (event) => event.type === 'camera-done' && at.set(event.camera, performance.now() - started) });
    expect(result.summary.cameras.map((camera) => camera.downloaded)).toEqual([1, 1]);
    // 300,000 bytes at 500,000 B/s: at least 0.6 s for gate.
    expect(at.get('gate')).toBeGreaterThan(500);
  });

  it('an inline password is refused in a config others can read (the real file mode) and used once it is private', async () => {
    fleet = await startFleet([{ name: 'gate', sim: { profile: 'timelapse3', content: { archives: dailyArchives('Gate', 2) } }, extra: ['time-zone: UTC'] }]);
    const sim = fleet.sims.get('gate')!;
    const text = (await readFile(fleet.configPath, 'utf8')).replace(`password-env: ${envName('gate')}`, `password: ${sim.password}`);
    await writeFile(fleet.configPath, text);
    await chmod(fleet.configPath, 0o644);
    let refused: unknown;
    try {
      loadConfig(fleet.configPath);
    } catch (error) {
      refused = error;
    }
    expect(refused).toMatchObject({ code: 'ERR_SYNC_CONFIG' });
    expect(String((refused as Error).message)).toMatch(/:\d+: camera "gate": an inline password in a config others can read \(mode 644\) is refused/);
    expect(String((refused as Error).message)).not.toContain(sim.password);
    expect(sim.counters.totalRequests).toBe(0);
    await chmod(fleet.configPath, 0o600);
    const result = await syncFleet(loadConfig(fleet.configPath), { env: {} });
    expect(result.outcome).toBe('ok');
    expect(result.summary.cameras[0]?.downloaded).toBe(2);
  });

  it.each<{ profile: 'timelapseme' | 'timelapse3-v3.0' | 'timelapse2-v1'; api: RegExp; rawQuery: boolean }>([
    { profile: 'timelapseme', api: /^timelapseme/, rawQuery: false },
    { profile: 'timelapse3-v3.0', api: /^timelapse3 3\.0\.4/, rawQuery: true },
    { profile: 'timelapse2-v1', api: /^timelapse2-v1 1\.2\.3/, rawQuery: true },
  ])('$profile with hostile archive names: detected, archived byte for byte under distinct names, SHA256SUMS checks with sha256sum -c', async ({ profile, api, rawQuery }) => {
    fleet = await startFleet([{ name: 'site', sim: { profile, content: 'demo' }, extra: ['time-zone: UTC'] }]);
    const sim = fleet.sims.get('site')!;
    // Firmware that compares the raw query text cannot serve a name with & or # (documented): those fail
    // alone, by name, and everything else is archived.
    const unservable = rawQuery ? sim.archives.filter((archive) => /[&#]/.test(archive.filename)) : [];
    const servable = sim.archives.filter((archive) => !unservable.includes(archive));
    if (rawQuery) expect(unservable).toHaveLength(2);
    const run = collect();
    const result = await syncFleet(fleet.config(), { env: fleet.env, onEvent: run.onEvent });
    expect(result.outcome).toBe(rawQuery ? 'some-failed' : 'ok');
    expect(run.ofType('camera-listed')[0]?.notes[0]).toMatch(api);
    expect(result.summary.cameras[0]).toMatchObject({ downloaded: servable.length, failed: unservable.length });
    expect(run.ofType('file-failed').map((event) => [event.remoteName, event.code])).toEqual(unservable.map((archive) => [archive.filename, 'ERR_TIMELAPSE_UNSUPPORTED_NAME']));
    const saved = run.ofType('file-done');
    expect(new Set(saved.map((event) => event.path)).size).toBe(servable.length);
    expect(saved.map((event) => event.sha256).sort()).toEqual(servable.map((archive) => archive.sha256!).sort());
    for (const event of saved) expect(await sha256File(join(fleet.archive, ...event.path.split('/')))).toBe(event.sha256);
    const folders = [...new Set(saved.map((event) => event.path.slice(0, event.path.lastIndexOf('/'))))];
    for (const folder of folders) {
      const cwd = join(fleet.archive, ...folder.split('/'));
      const checked = execFileSync('sha256sum', ['-c', 'SHA256SUMS'], { cwd, encoding: 'utf8' });
      expect(checked.trim().split('\n').every((line) => line.endsWith(': OK'))).toBe(true);
      expect(checked.trim().split('\n')).toHaveLength(saved.filter((event) => event.path.startsWith(`${folder}/`)).length);
    }
    // A second run downloads nothing again (the unservable ones are tried again, and fail again alone).
    const again = await syncFleet(fleet.config(), { env: fleet.env });
    expect(again.summary.cameras[0]).toMatchObject({ downloaded: 0, failed: unservable.length });
  });
});
