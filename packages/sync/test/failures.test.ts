import { appendFile, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createTimelapseClient } from '@camdl/axis-timelapse2';
import { findFreePort, sha256File } from '@camdl/test-utils';
import { fleetStatus, sqliteAvailable, syncFleet, verifyArchive } from '@camdl/sync';
import { Ledger } from '@camdl/sync/testing';
import { collect, dailyArchives, listFiles, fleetsClosedAfterEach, type TestFleet } from './fleet-helpers.js';

const AMCREST_WINDOW = ['since: 2026-01-16T00:00:00', 'until: 2026-01-17T00:00:00', 'time-zone: America/New_York'];

describe.skipIf(!sqliteAvailable())('camdl sync when things go wrong', () => {
  const startFleet = fleetsClosedAfterEach();
  let fleet: TestFleet | undefined;

  it('a camera that is down is reported (exit 1) and the others are archived', async () => {
    const port = await findFreePort();
    fleet = await startFleet([
      { name: 'gate', sim: { profile: 'timelapse3', content: { archives: dailyArchives('Gate', 2) } }, extra: ['time-zone: UTC', 'timeout: 3', 'max-retries: 0'] },
      { name: 'offline', sim: { profile: 'timelapse3', content: 'tiny' }, urlOverride: `http://127.0.0.1:${port}`, extra: ['timeout: 3', 'max-retries: 0'] },
      { name: 'kitchen', sim: { profile: 'amcrest', content: 'tiny' }, extra: AMCREST_WINDOW },
    ]);
    const run = collect();
    const result = await syncFleet(fleet.config(), { env: fleet.env, onEvent: run.onEvent });
    expect(result.outcome).toBe('some-failed');
    const byName = new Map(result.summary.cameras.map((camera) => [camera.camera, camera]));
    expect(byName.get('offline')).toMatchObject({ status: 'failed', downloaded: 0, errorCode: 'ERR_TIMELAPSE_NETWORK' });
    expect(byName.get('offline')?.error).toMatch(/connection refused/);
    expect(byName.get('gate')).toMatchObject({ status: 'ok', downloaded: 2 });
    expect(byName.get('kitchen')).toMatchObject({ status: 'ok', downloaded: 3 });
    const status = fleetStatus(fleet.config());
    const offline = status.cameras.find((camera) => camera.name === 'offline');
    expect(offline?.lastSuccessMs).toBeUndefined();
    expect(offline?.lastRun?.status).toBe('failed');
    expect(offline?.failedRuns).toBe(1);
  });

  it('a camera answering garbage (a listing that is not JSON, a search answer that is not key=value) fails alone; the others are archived', async () => {
    fleet = await startFleet([
      { name: 'gate', sim: { profile: 'timelapse3', content: { archives: dailyArchives('Gate', 2) } }, extra: ['time-zone: UTC', 'max-retries: 0'] },
      { name: 'kitchen', sim: { profile: 'amcrest', content: 'tiny' }, extra: [...AMCREST_WINDOW, 'max-retries: 0'] },
      { name: 'crane', sim: { profile: 'timelapse2-v1', content: { archives: dailyArchives('Crane', 2) } }, extra: ['time-zone: UTC'] },
    ]);
    fleet.sims.get('gate')!.addFault({ route: 'archive', kind: 'status', status: 200, body: '<html><body>Login</body></html>' });
    fleet.sims.get('kitchen')!.addFault({ route: 'mediaFileFind', match: 'findNextFile', kind: 'status', status: 200, body: '\u0000\u0001garbage without a single key\r\n' });
    const run = collect();
    const result = await syncFleet(fleet.config(), { env: fleet.env, onEvent: run.onEvent });
    expect(result.outcome).toBe('some-failed');
    const byName = new Map(result.summary.cameras.map((camera) => [camera.camera, camera]));
    expect(byName.get('gate')).toMatchObject({ status: 'failed', downloaded: 0 });
    expect(byName.get('gate')?.errorCode).toMatch(/^ERR_TIMELAPSE_/);
    expect(byName.get('kitchen')).toMatchObject({ status: 'failed', downloaded: 0 });
    expect(byName.get('kitchen')?.errorCode).toMatch(/^ERR_AMCREST_/);
    expect(byName.get('crane')).toMatchObject({ status: 'ok', downloaded: 2 });
    // Nothing the cameras sent reaches the events as raw control characters.
    expect(JSON.stringify(run.events)).not.toMatch(/\\u0000|\\u0001/);
    expect((await listFiles(fleet.archive)).filter((file) => file.startsWith('gate/') || file.startsWith('kitchen/'))).toEqual([]);
  });

  it('a wrong password on one camera costs at most one failed login there; the others are done', async () => {
    fleet = await startFleet([
      { name: 'gate', sim: { profile: 'timelapse2-v1', content: { archives: dailyArchives('Gate', 3) }, digest: { lockoutAfterFailures: 3 } }, passwordOverride: 'not-the-password', extra: ['time-zone: UTC'] },
      { name: 'kitchen', sim: { profile: 'amcrest', content: 'tiny', digest: { lockoutAfterFailures: 3 } }, passwordOverride: 'wrong-too', extra: AMCREST_WINDOW },
      { name: 'crane', sim: { profile: 'timelapse3', content: { archives: dailyArchives('Crane', 2) } }, extra: ['time-zone: UTC'] },
    ]);
    const run = collect();
    const result = await syncFleet(fleet.config(), { env: fleet.env, onEvent: run.onEvent });
    expect(result.outcome).toBe('some-failed');
    const byName = new Map(result.summary.cameras.map((camera) => [camera.camera, camera]));
    expect(byName.get('gate')).toMatchObject({ status: 'failed', downloaded: 0 });
    expect(byName.get('kitchen')).toMatchObject({ status: 'failed', downloaded: 0 });
    expect(byName.get('crane')).toMatchObject({ status: 'ok', downloaded: 2 });
    expect(fleet.sims.get('gate')!.counters.authFailures).toBeLessThanOrEqual(1);
    expect(fleet.sims.get('kitchen')!.counters.authFailures).toBeLessThanOrEqual(1);
    expect(fleet.sims.get('crane')!.counters.authFailures).toBe(0);
    expect(JSON.stringify(run.events)).not.toContain('not-the-password');
    expect(JSON.stringify(run.events)).not.toContain('wrong-too');
  });

  it('a recording that vanishes from the camera before it was fetched becomes lost, loudly', async () => {
    fleet = await startFleet([{ name: 'gate', sim: { profile: 'timelapse3', content: { archives: dailyArchives('Gate', 3) } }, extra: ['time-zone: UTC', 'max-retries: 0'] }]);
    const sim = fleet.sims.get('gate')!;
    const victim = sim.archives[1]!.filename;
    sim.addFault({ route: 'download', match: victim, kind: 'status', status: 500 });
    const first = await syncFleet(fleet.config(), { env: fleet.env });
    expect(first.outcome).toBe('some-failed');
    expect(first.summary.cameras[0]).toMatchObject({ downloaded: 2, failed: 1 });

    // The camera drops it (retention) before the next run.
    sim.setFaults([]);
    const client = createTimelapseClient({ baseUrl: sim.url, username: sim.username, password: sim.password });
    const { archives } = await client.listArchives();
    await client.deleteArchive(archives.find((archive) => archive.filename === victim)!);
    await client.close();

    const second = collect();
    const result = await syncFleet(fleet.config(), { env: fleet.env, onEvent: second.onEvent });
    expect(result.outcome).toBe('some-failed');
    expect(second.ofType('lost').map((event) => event.remoteName)).toEqual([victim]);
    expect(result.summary.cameras[0]).toMatchObject({ lost: 1, downloaded: 0, failed: 0 });
    const ledger = Ledger.open(fleet.config().ledger);
    try {
      const row = ledger.allRecordings().find((candidate) => candidate.remoteKey === victim);
      expect(row).toMatchObject({ state: 'lost', localPath: expect.any(String), sha256: null });
      expect(row?.lostMs).toBeGreaterThan(0);
    } finally {
      ledger.close();
    }
    expect(fleetStatus(fleet.config()).cameras[0]?.channels[0]).toMatchObject({ files: 2, lost: 1, pending: 0 });
    // A third run does not report the same loss again, and has nothing else to do.
    const third = await syncFleet(fleet.config(), { env: fleet.env });
    expect(third.outcome).toBe('ok');
  });

  it('an Amcrest recording the camera overwrites (card full) before it was fetched becomes lost, loudly; the others stay archived', async () => {
    fleet = await startFleet([{ name: 'kitchen', sim: { profile: 'amcrest', content: 'tiny' }, extra: [...AMCREST_WINDOW, 'max-retries: 0'] }]);
    const sim = fleet.sims.get('kitchen')!;
    const [oldest, ...rest] = sim.recordings.filter((recording) => recording.type === 'mp4');
    sim.addFault({ route: 'RPC_Loadfile', match: oldest!.filePath, kind: 'status', status: 500 });
    const first = await syncFleet(fleet.config(), { env: fleet.env });
    expect(first.outcome).toBe('some-failed');
    expect(first.summary.cameras[0]).toMatchObject({ downloaded: rest.length, failed: 1 });

    sim.setFaults([]);
    expect(sim.overwriteRecording(oldest!.filePath)).toBe(true);
    expect(sim.recordings.map((recording) => recording.filePath)).not.toContain(oldest!.filePath);
    const second = collect();
    const result = await syncFleet(fleet.config(), { env: fleet.env, onEvent: second.onEvent });
    expect(result.outcome).toBe('some-failed');
    expect(second.ofType('lost').map((event) => [event.remoteName, event.channel])).toEqual([[oldest!.filePath, 1]]);
    expect(result.summary.cameras[0]).toMatchObject({ lost: 1, downloaded: 0, failed: 0 });
    const ledger = Ledger.open(fleet.config().ledger);
    try {
      const states = ledger.allRecordings().map((row) => [row.remoteKey, row.state]);
      expect(states).toEqual([[oldest!.filePath, 'lost'], ...rest.map((recording) => [recording.filePath, 'verified'])]);
    } finally {
      ledger.close();
    }
    expect(fleetStatus(fleet.config()).cameras[0]?.channels[0]).toMatchObject({ files: rest.length, lost: 1, pending: 0 });
    // Reported once: the next run has nothing to do.
    expect((await syncFleet(fleet.config(), { env: fleet.env })).outcome).toBe('ok');
  });

  it('verify names every missing or changed file; the next sync fetches them again', async () => {
    fleet = await startFleet([{ name: 'gate', sim: { profile: 'timelapse3', content: { archives: dailyArchives('Gate', 3) } }, extra: ['time-zone: UTC'] }]);
    expect((await syncFleet(fleet.config(), { env: fleet.env })).outcome).toBe('ok');
    expect(await verifyArchive(fleet.config())).toEqual({ checked: 3, problems: [] });
    const files = (await listFiles(fleet.archive)).filter((file) => !file.endsWith('SHA256SUMS'));
    const [changed, missing, sameSize] = files as [string, string, string];
    await appendFile(join(fleet.archive, changed), 'x');
    await rm(join(fleet.archive, missing));
    // Same size, one byte flipped: only the hash can tell.
    const bytes = await readFile(join(fleet.archive, sameSize));
    bytes[100] = bytes[100]! ^ 0xff;
    await writeFile(join(fleet.archive, sameSize), bytes);

    const result = await verifyArchive(fleet.config());
    expect(result.checked).toBe(3);
    expect(result.problems.map((problem) => [problem.path, problem.problem]).sort()).toEqual(
      [
        [changed, 'changed'],
        [missing, 'missing'],
        [sameSize, 'changed'],
      ].sort(),
    );
    expect(result.problems.find((problem) => problem.path === sameSize)?.detail).toMatch(/sha256/);
    // The ledger no longer claims them.
    expect(fleetStatus(fleet.config()).cameras[0]?.channels[0]).toMatchObject({ files: 0, pending: 3 });

    const repair = await syncFleet(fleet.config(), { env: fleet.env });
    expect(repair.outcome).toBe('ok');
    expect(repair.summary.cameras[0]?.downloaded).toBe(3);
    expect(await verifyArchive(fleet.config())).toEqual({ checked: 3, problems: [] });
    const sim = fleet.sims.get('gate')!;
    for (const archive of sim.archives) {
      const local = files.find((file) => file.endsWith(archive.filename))!;
      expect(await sha256File(join(fleet.archive, local))).toBe(archive.sha256);
    }
  });

  it('delete-after deletes on the camera only what is verified in the archive', async () => {
    fleet = await startFleet([
      { name: 'gate', sim: { profile: 'timelapse3', content: { archives: dailyArchives('Gate', 4) } }, extra: ['time-zone: UTC', 'delete-after: true', 'max-retries: 0'] },
    ]);
    const sim = fleet.sims.get('gate')!;
    const failing = sim.archives[2]!.filename;
    sim.addFault({ route: 'download', match: failing, kind: 'status', status: 500 });
    const run = collect();
    const result = await syncFleet(fleet.config(), { env: fleet.env, onEvent: run.onEvent });
    expect(result.outcome).toBe('some-failed');
    expect(result.summary.cameras[0]).toMatchObject({ downloaded: 3, failed: 1, deleted: 3 });
    // Only the failed one is left on the camera.
    expect(sim.archives.map((archive) => archive.filename)).toEqual([failing]);
    // Every delete came after the file's verified record (event order), never before.
    const order = run.events.filter((event) => event.type === 'file-done' || event.type === 'deleted').map((event) => event.type);
    expect(order.slice(0, 3)).toEqual(['file-done', 'file-done', 'file-done']);
    expect(sim.counters.requestsByMethod['DELETE archive'] ?? 0).toBe(3);
    const ledger = Ledger.open(fleet.config().ledger);
    try {
      const states = Object.fromEntries(ledger.allRecordings().map((row) => [row.remoteKey, row.state]));
      expect(states[failing]).toBe('listed');
      expect(Object.values(states).filter((state) => state === 'deleted-on-camera')).toHaveLength(3);
    } finally {
      ledger.close();
    }
    // The next run fetches the last one, verifies it, and only then deletes it.
    sim.setFaults([]);
    const next = await syncFleet(fleet.config(), { env: fleet.env });
    expect(next.outcome).toBe('ok');
    expect(sim.archives).toHaveLength(0);
    expect((await listFiles(fleet.archive)).filter((file) => !file.endsWith('SHA256SUMS'))).toHaveLength(4);
  });

  it('delete-after never deletes a recording whose archived copy no longer matches', async () => {
    fleet = await startFleet([{ name: 'gate', sim: { profile: 'timelapse3', content: { archives: dailyArchives('Gate', 2) } }, extra: ['time-zone: UTC'] }]);
    expect((await syncFleet(fleet.config(), { env: fleet.env })).outcome).toBe('ok');
    // Turn delete-after on only now, and damage one archived file behind the ledger's back.
    const text = await readFile(fleet.configPath, 'utf8');
    await writeFile(fleet.configPath, `${text}    delete-after: true\n`);
    const files = (await listFiles(fleet.archive)).filter((file) => !file.endsWith('SHA256SUMS'));
    await appendFile(join(fleet.archive, files[0]!), 'tampered');
    const run = collect();
    const result = await syncFleet(fleet.config(), { env: fleet.env, onEvent: run.onEvent });
    expect(result.summary.cameras[0]).toMatchObject({ deleted: 1, failed: 1 });
    expect(run.ofType('delete-failed')[0]?.error).toMatch(/no longer matches/);
    expect(fleet.sims.get('gate')!.archives).toHaveLength(1);
  });

  it('two overlapping runs never work on one camera at once', async () => {
    fleet = await startFleet([
      { name: 'gate', sim: { profile: 'timelapse3', content: { archives: dailyArchives('Gate', 2, { size: 400_000 }) } }, extra: ['time-zone: UTC', 'rate-limit: 2'] },
    ]);
    const firstRun = collect();
    const first = syncFleet(fleet.config(), { env: fleet.env, onEvent: firstRun.onEvent });
    // Wait until the first run holds the camera and downloads.
    while (firstRun.ofType('file-start').length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    const secondRun = collect();
    const second = await syncFleet(fleet.config(), { env: fleet.env, onEvent: secondRun.onEvent });
    expect(second.outcome).toBe('some-failed');
    expect(second.summary.cameras[0]).toMatchObject({ status: 'busy', downloaded: 0 });
    expect(secondRun.ofType('camera-busy')[0]?.message).toMatch(/another camdl sync \(pid \d+/);
    expect(secondRun.ofType('file-start')).toHaveLength(0);
    const done = await first;
    expect(done.outcome).toBe('ok');
    expect(done.summary.cameras[0]?.downloaded).toBe(2);
    // The lock is released: a third run proceeds (and has nothing to do).
    expect((await syncFleet(fleet.config(), { env: fleet.env })).outcome).toBe('ok');
  });

  it('--dry-run plans without downloading or writing the ledger', async () => {
    fleet = await startFleet([{ name: 'gate', sim: { profile: 'timelapse3', content: { archives: dailyArchives('Gate', 2) } }, extra: ['time-zone: UTC'] }]);
    const run = collect();
    const result = await syncFleet(fleet.config(), { env: fleet.env, dryRun: true, onEvent: run.onEvent });
    expect(run.ofType('planned').map((event) => event.path)).toEqual(['gate/2026-03-01/Gate_2026_03_02_0000.mp4', 'gate/2026-03-02/Gate_2026_03_03_0000.mp4']);
    expect(result.summary.cameras[0]).toMatchObject({ downloaded: 0, pending: 2 });
    expect(await listFiles(fleet.archive)).toEqual([]);
    const ledger = Ledger.open(fleet.config().ledger);
    try {
      expect(ledger.allRecordings()).toEqual([]);
    } finally {
      ledger.close();
    }
  });
});
