import { readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sha256File } from '@camdl/test-utils';
import { fleetStatus, restoreFromTarget, sqliteAvailable, syncFleet, verifyArchive, verifyTarget } from '@camdl/sync';
import { Ledger } from '@camdl/sync/testing';
import { collect, dailyArchives, listFiles, fleetsClosedAfterEach, type TestFleet } from './fleet-helpers.js';
import { addTopLines, copiesOf, directoryTargets, treeHashes } from './offsite-helpers.js';

const FAST = { targetTuning: { retryDelayMs: 1 } };

describe.skipIf(!sqliteAvailable())('camdl sync with directory targets', () => {
  const startFleet = fleetsClosedAfterEach();
  let fleet: TestFleet | undefined;

  async function twoCameras(): Promise<TestFleet> {
    return startFleet([
      { name: 'north-gate', sim: { profile: 'timelapse2-v1', content: { archives: dailyArchives('North_Gate', 3) } }, extra: ['time-zone: UTC'] },
      { name: 'crane', sim: { profile: 'timelapse3', content: { archives: dailyArchives('Crane_Cam', 2, { startDay: '2026-03-02' }) } }, extra: ['time-zone: UTC'] },
    ]);
  }

  it('copies a fleet to two targets byte for byte with SHA256SUMS and a ledger snapshot; the next run uploads nothing', async () => {
    fleet = await twoCameras();
    const { lines, paths } = await directoryTargets(fleet, ['usb', 'nas']);
    await addTopLines(fleet, ['upload-bandwidth: 0', ...lines]);
    const run = collect();
    const result = await syncFleet(fleet.config(), { env: fleet.env, onEvent: run.onEvent, ...FAST });
    expect(run.ofType('upload-failed')).toEqual([]);
    expect(result.outcome).toBe('ok');
    expect(result.summary.copies.map((copy) => [copy.target, copy.uploaded, copy.failed, copy.pending])).toEqual([
      ['usb', 5, 0, 0],
      ['nas', 5, 0, 0],
    ]);
    const local = await treeHashes(fleet.archive);
    expect([...local.keys()].filter((file) => !file.endsWith('SHA256SUMS'))).toHaveLength(5);
    for (const path of paths.values()) expect(await treeHashes(path)).toEqual(local);
    // Oldest first per target.
    const order = run.ofType('upload-done').filter((event) => event.target === 'usb');
    expect(order).toHaveLength(5);
    expect(copiesOf(fleet).every((copy) => copy.state === 'verified' && copy.attempts === 0)).toBe(true);
    // The snapshot is a consistent ledger that says every copy is verified.
    expect(run.ofType('snapshot').map((event) => [event.target, event.ok])).toEqual([
      ['usb', true],
      ['nas', true],
    ]);
    const snapshot = Ledger.open(join(paths.get('usb')!, '.camdl', 'ledger.sqlite'), { readOnly: true });
    try {
      expect(snapshot.allRecordings().filter((row) => row.state === 'verified')).toHaveLength(5);
      expect(snapshot.runs()[0]).toMatchObject({ status: 'ok', exitCode: 0 });
    } finally {
      snapshot.close();
    }
    const second = collect();
    expect((await syncFleet(fleet.config(), { env: fleet.env, onEvent: second.onEvent, ...FAST })).outcome).toBe('ok');
    expect(second.ofType('upload-start')).toEqual([]);
    const status = fleetStatus(fleet.config());
    expect(status.cameras.map((camera) => camera.copies.map((copy) => [camera.name, copy.target, copy.verified, copy.pending, copy.failing]))).toEqual([
      [
        ['north-gate', 'nas', 3, 0, 0],
        ['north-gate', 'usb', 3, 0, 0],
      ],
      [
        ['crane', 'nas', 2, 0, 0],
        ['crane', 'usb', 2, 0, 0],
      ],
    ]);
  });

  it('backfills recordings archived before the target existed', async () => {
    fleet = await twoCameras();
    expect((await syncFleet(fleet.config(), { env: fleet.env, ...FAST })).outcome).toBe('ok');
    const { lines, paths } = await directoryTargets(fleet, ['usb']);
    await addTopLines(fleet, lines);
    const run = collect();
    const result = await syncFleet(fleet.config(), { env: fleet.env, onEvent: run.onEvent, ...FAST });
    expect(result.outcome).toBe('ok');
    expect(run.ofType('file-done')).toEqual([]);
    expect(run.ofType('upload-done')).toHaveLength(5);
    expect(await treeHashes(paths.get('usb')!)).toEqual(await treeHashes(fleet.archive));
  });

  it('a target that is down: the local archive is complete, its copies pending, one line, exit 1; the next run completes them', async () => {
    fleet = await twoCameras();
    const { lines, paths } = await directoryTargets(fleet, ['usb', 'nas'], { missing: ['nas'] });
    await addTopLines(fleet, lines);
    const run = collect();
    const result = await syncFleet(fleet.config(), { env: fleet.env, onEvent: run.onEvent, ...FAST });
    expect(result.outcome).toBe('some-failed');
    expect(result.summary.cameras.map((camera) => [camera.status, camera.downloaded])).toEqual([
      ['ok', 3],
      ['ok', 2],
    ]);
    expect((await listFiles(fleet.archive)).filter((file) => !file.endsWith('SHA256SUMS'))).toHaveLength(5);
    const down = run.ofType('target-down');
    expect(down).toHaveLength(1);
    expect(down[0]).toMatchObject({ target: 'nas', code: 'ERR_OFFSITE_NOT_FOUND' });
    expect(down[0]!.message).toMatch(/^target "nas".*the next camdl sync makes them$/);
    // No request storm: the target was asked once and never again.
    expect(run.events.filter((event) => 'target' in event && event.target === 'nas' && event.type !== 'target-down')).toEqual([]);
    expect(result.summary.copies.find((copy) => copy.target === 'nas')).toMatchObject({ uploaded: 0, pending: 5 });
    expect(result.summary.copies.find((copy) => copy.target === 'usb')).toMatchObject({ uploaded: 5, pending: 0 });
    const nas = fleetStatus(fleet.config()).cameras[0]!.copies.find((copy) => copy.target === 'nas')!;
    expect(nas).toMatchObject({ verified: 0, pending: 3 });
    expect(nas.oldestPendingMs).toBeLessThanOrEqual(Date.now());
    expect(nas.oldestPendingAgeMs).toBeGreaterThanOrEqual(0);
    expect(nas.oldestPendingAgeMs).toBeLessThan(60_000);

    await mkdir(paths.get('nas')!, { recursive: true });
    const next = collect();
    const again = await syncFleet(fleet.config(), { env: fleet.env, onEvent: next.onEvent, ...FAST });
    expect(again.outcome).toBe('ok');
    expect(next.ofType('upload-done').map((event) => event.target)).toEqual(['nas', 'nas', 'nas', 'nas', 'nas']);
    expect(await treeHashes(paths.get('nas')!)).toEqual(await treeHashes(fleet.archive));
  });

  it('verify --target --deep names a tampered copy; the next sync makes it again from the local file (REPAIR)', async () => {
    fleet = await twoCameras();
    const { lines, paths } = await directoryTargets(fleet, ['usb']);
    await addTopLines(fleet, lines);
    expect((await syncFleet(fleet.config(), { env: fleet.env, ...FAST })).outcome).toBe('ok');
    const victim = 'crane/2026-03-02/Crane_Cam_2026_03_03_0000.mp4';
    const copy = join(paths.get('usb')!, victim);
    const bytes = await readFile(copy);
    bytes[100] = bytes[100]! ^ 0xff;
    await writeFile(copy, bytes);
    // Same size, no stored hash on a directory: only reading it back finds it.
    expect((await verifyTarget(fleet.config(), { target: 'usb' })).problems).toEqual([]);
    const deep = await verifyTarget(fleet.config(), { target: 'usb', deep: true });
    expect(deep.checked).toBe(5);
    expect(deep.problems).toEqual([{ camera: 'crane', target: 'usb', path: victim, problem: 'changed', detail: expect.stringMatching(/^read back: /) as string }]);
    expect(copiesOf(fleet).find((row) => row.key === victim && row.target === 'usb')).toMatchObject({ state: 'failed', everVerified: true });

    const run = collect();
    expect((await syncFleet(fleet.config(), { env: fleet.env, onEvent: run.onEvent, ...FAST })).outcome).toBe('ok');
    expect(run.ofType('repair')).toEqual([{ type: 'repair', camera: 'crane', target: 'usb', path: victim, what: 'copy' }]);
    expect(await sha256File(copy)).toBe(await sha256File(join(fleet.archive, victim)));
    expect((await verifyTarget(fleet.config(), { target: 'usb', deep: true })).problems).toEqual([]);
  });

  it('an object camdl never put at the key is a conflict: left in place, reported, exit 1', async () => {
    fleet = await twoCameras();
    const { lines, paths } = await directoryTargets(fleet, ['usb']);
    await addTopLines(fleet, lines);
    const key = 'north-gate/2026-03-01/North_Gate_2026_03_02_0000.avi';
    await mkdir(join(paths.get('usb')!, 'north-gate', '2026-03-01'), { recursive: true });
    await writeFile(join(paths.get('usb')!, key), 'somebody else\'s file');
    const run = collect();
    const result = await syncFleet(fleet.config(), { env: fleet.env, onEvent: run.onEvent, ...FAST });
    expect(result.outcome).toBe('some-failed');
    expect(run.ofType('upload-conflict')).toEqual([{ type: 'upload-conflict', camera: 'north-gate', target: 'usb', path: key, message: expect.stringContaining('left in place') as string }]);
    expect(await readFile(join(paths.get('usb')!, key), 'utf8')).toBe('somebody else\'s file');
    expect(result.summary.copies[0]).toMatchObject({ uploaded: 4, conflicts: 1 });
    expect(fleetStatus(fleet.config()).cameras[0]!.copies[0]).toMatchObject({ target: 'usb', verified: 2, conflict: 1 });
    // Still left alone by the next run, still exit 1.
    const again = collect();
    expect((await syncFleet(fleet.config(), { env: fleet.env, onEvent: again.onEvent, ...FAST })).outcome).toBe('some-failed');
    expect(again.ofType('upload-conflict')).toHaveLength(1);
    expect(await readFile(join(paths.get('usb')!, key), 'utf8')).toBe('somebody else\'s file');
  });

  it('delete-after waits for every target of the camera; once the copy is verified the camera copy goes', async () => {
    fleet = await startFleet([{ name: 'gate', sim: { profile: 'timelapse3', content: 'tiny' }, extra: ['time-zone: UTC', 'delete-after: true'] }]);
    const sim = fleet.sims.get('gate')!;
    const served = sim.archives.length;
    const { lines, paths } = await directoryTargets(fleet, ['usb', 'nas'], { missing: ['nas'] });
    await addTopLines(fleet, lines);
    const run = collect();
    const result = await syncFleet(fleet.config(), { env: fleet.env, onEvent: run.onEvent, ...FAST });
    expect(result.outcome).toBe('some-failed');
    expect(result.summary.cameras[0]).toMatchObject({ downloaded: served, deleted: 0 });
    expect(run.ofType('delete-held')).toEqual([{ type: 'delete-held', camera: 'gate', count: served, targets: ['usb', 'nas'] }]);
    expect(sim.archives).toHaveLength(served);

    await mkdir(paths.get('nas')!, { recursive: true });
    const next = collect();
    const again = await syncFleet(fleet.config(), { env: fleet.env, onEvent: next.onEvent, ...FAST });
    expect(again.outcome).toBe('ok');
    expect(again.summary.cameras[0]).toMatchObject({ deleted: served });
    expect(sim.archives).toHaveLength(0);
  });

  it('keep-local frees the local disk only of files every target holds verified; verify and status know it', async () => {
    fleet = await startFleet([{ name: 'gate', sim: { profile: 'timelapse3', content: { archives: dailyArchives('Gate', 3) } }, extra: ['time-zone: UTC', 'keep-local: 1d'] }]);
    const { lines, paths } = await directoryTargets(fleet, ['usb', 'nas'], { missing: ['nas'] });
    await addTopLines(fleet, lines);
    const before = collect();
    expect((await syncFleet(fleet.config(), { env: fleet.env, onEvent: before.onEvent, ...FAST })).outcome).toBe('some-failed');
    // nas holds nothing: every local file stays.
    expect(before.ofType('local-freed')).toEqual([]);
    expect((await listFiles(fleet.archive)).filter((file) => !file.endsWith('SHA256SUMS'))).toHaveLength(3);

    await mkdir(paths.get('nas')!, { recursive: true });
    const run = collect();
    expect((await syncFleet(fleet.config(), { env: fleet.env, onEvent: run.onEvent, ...FAST })).outcome).toBe('ok');
    expect(run.ofType('local-freed')).toHaveLength(3);
    expect(await listFiles(fleet.archive)).toEqual([]);
    for (const path of paths.values()) expect([...(await treeHashes(path)).keys()].filter((file) => !file.endsWith('SHA256SUMS'))).toHaveLength(3);
    expect((await verifyArchive(fleet.config())).problems).toEqual([]);
    expect(fleetStatus(fleet.config()).cameras[0]).toMatchObject({ offsiteOnly: 3 });
    // Nothing on a target is deleted because the local disk no longer has it.
    expect((await syncFleet(fleet.config(), { env: fleet.env, ...FAST })).outcome).toBe('ok');
    for (const path of paths.values()) expect([...(await treeHashes(path)).keys()].filter((file) => !file.endsWith('SHA256SUMS'))).toHaveLength(3);
  });

  it('restore brings back byte-identical files in the archive layout, also on a new machine from the snapshot; a changed copy is named', async () => {
    fleet = await twoCameras();
    const { lines, paths } = await directoryTargets(fleet, ['usb']);
    await addTopLines(fleet, lines);
    expect((await syncFleet(fleet.config(), { env: fleet.env, ...FAST })).outcome).toBe('ok');
    const local = await treeHashes(fleet.archive);
    const out = join(fleet.dir.path, 'restored');
    const all = await restoreFromTarget(fleet.config(), { target: 'usb', out });
    expect(all).toMatchObject({ restored: 5, problems: [] });
    expect(await treeHashes(out)).toEqual(local);

    const week = join(fleet.dir.path, 'restored-crane');
    const some = await restoreFromTarget(fleet.config(), { target: 'usb', out: week, cameras: ['crane'], fromMs: Date.parse('2026-03-03T00:00:00Z') });
    expect(some.restored).toBe(1);
    expect(await listFiles(week)).toEqual(['crane/2026-03-03/Crane_Cam_2026_03_04_0000.mp4', 'crane/2026-03-03/SHA256SUMS']);

    // A new machine: no local ledger; the target's snapshot is the index.
    await rm(join(fleet.archive, '.camdl'), { recursive: true, force: true });
    const fresh = join(fleet.dir.path, 'restored-fresh');
    const events = collect();
    const fromSnapshot = await restoreFromTarget(fleet.config(), { target: 'usb', out: fresh, onEvent: (event) => events.events.push(event as never) });
    expect(fromSnapshot).toMatchObject({ restored: 5, problems: [] });
    expect(await treeHashes(fresh)).toEqual(local);

    // A snapshot is untrusted: a key that climbs out of the output folder is refused, nothing is written there.
    const snapshotPath = join(paths.get('usb')!, '.camdl', 'ledger.sqlite');
    const sqlite = process.getBuiltinModule('node:sqlite') as { DatabaseSync: new (path: string) => { exec(sql: string): void; close(): void } };
    const db = new sqlite.DatabaseSync(snapshotPath);
    db.exec(`UPDATE copies SET key = '../escaped.avi' WHERE key = 'crane/2026-03-02/Crane_Cam_2026_03_03_0000.mp4'`);
    db.close();
    const hostile = await restoreFromTarget(fleet.config(), { target: 'usb', out: join(fleet.dir.path, 'restored-hostile') });
    expect(hostile.problems).toEqual([{ camera: 'crane', path: '../escaped.avi', detail: expect.stringMatching(/not a plain archive path/) as string }]);
    expect(await listFiles(fleet.dir.path)).not.toContain('escaped.avi');

    const victim = 'north-gate/2026-03-02/North_Gate_2026_03_03_0000.avi';
    await writeFile(join(paths.get('usb')!, victim), 'not the recording');
    const bad = await restoreFromTarget(fleet.config(), { target: 'usb', out: join(fleet.dir.path, 'restored-bad') });
    expect(bad.restored).toBe(3);
    expect(bad.problems.map((problem) => problem.path).sort()).toEqual(['../escaped.avi', victim]);
    expect(await listFiles(join(fleet.dir.path, 'restored-bad'))).not.toContain(victim);
  });

  it('a local file found damaged after the camera deleted it is restored from a good copy on a target (REPAIR)', async () => {
    fleet = await startFleet([{ name: 'gate', sim: { profile: 'timelapse3', content: 'tiny' }, extra: ['time-zone: UTC', 'delete-after: true'] }]);
    const { lines } = await directoryTargets(fleet, ['usb']);
    await addTopLines(fleet, lines);
    const first = await syncFleet(fleet.config(), { env: fleet.env, ...FAST });
    expect(first.outcome).toBe('ok');
    expect(fleet.sims.get('gate')!.archives).toHaveLength(0);
    const [victim] = (await listFiles(fleet.archive)).filter((file) => !file.endsWith('SHA256SUMS'));
    const original = await sha256File(join(fleet.archive, victim!));
    await writeFile(join(fleet.archive, victim!), 'bit rot');
    const check = await verifyArchive(fleet.config());
    expect(check.problems.map((problem) => problem.path)).toEqual([victim]);
    const run = collect();
    const result = await syncFleet(fleet.config(), { env: fleet.env, onEvent: run.onEvent, ...FAST });
    expect(run.ofType('repair')).toEqual([{ type: 'repair', camera: 'gate', target: 'usb', path: victim, what: 'local' }]);
    expect(result.outcome).toBe('ok');
    expect(await sha256File(join(fleet.archive, victim!))).toBe(original);
    expect((await verifyArchive(fleet.config())).problems).toEqual([]);
    const sums = await readFile(join(fleet.archive, victim!.slice(0, victim!.lastIndexOf('/')), 'SHA256SUMS'), 'utf8');
    expect(sums).toContain(`${original}  ${victim!.slice(victim!.lastIndexOf('/') + 1)}`);
  });
});
