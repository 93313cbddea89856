import { readFile, readdir, truncate, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CameraProfile } from '@camdl/camera-sim';
import { sha256File } from '@camdl/test-utils';
import { sqliteAvailable, syncFleet, verifyArchive } from '@camdl/sync';
import { Ledger } from '@camdl/sync/testing';
import { collect, listFiles, fleetsClosedAfterEach, type TestFleet } from './fleet-helpers.js';

/** The ledger as an older camdl left it: a row that says `verified` with the hash of what is on disk now. */
function rewriteLedgerRow(ledgerPath: string, id: number, values: { sha256: string; size: number }): void {
  const sqlite = process.getBuiltinModule('node:sqlite') as {
    DatabaseSync: new (path: string) => { prepare(sql: string): { run(...values: unknown[]): unknown }; close(): void };
  };
  const db = new sqlite.DatabaseSync(ledgerPath);
  try {
    db.prepare(`UPDATE recordings SET sha256 = ?, local_size = ? WHERE id = ? AND state = 'verified'`).run(values.sha256, values.size, id);
  } finally {
    db.close();
  }
}

function rows(ledgerPath: string): ReturnType<Ledger['allRecordings']> {
  const ledger = Ledger.open(ledgerPath);
  try {
    return ledger.allRecordings();
  } finally {
    ledger.close();
  }
}

async function sums(folder: string): Promise<string> {
  return readFile(join(folder, 'SHA256SUMS'), 'utf8').catch(() => '');
}

describe.skipIf(!sqliteAvailable())('camdl sync delete-after: the archived file must be the whole recording', () => {
  const startFleet = fleetsClosedAfterEach();
  let fleet: TestFleet | undefined;

  it.each<CameraProfile>(['timelapse2-v1', 'timelapse3'])('%s: real ffmpeg archives pass the container check, are archived byte for byte, then deleted', async (profile) => {
    fleet = await startFleet([{ name: 'gate', sim: { profile, content: 'tiny' }, extra: ['time-zone: UTC', 'delete-after: true'] }]);
    const sim = fleet.sims.get('gate')!;
    const served = sim.archives.map((archive) => ({ filename: archive.filename, sha256: archive.sha256, content: archive.content }));
    expect(served.every((archive) => archive.content === 'media')).toBe(true);
    const run = collect();
    const result = await syncFleet(fleet.config(), { env: fleet.env, onEvent: run.onEvent });
    expect(run.ofType('delete-failed')).toEqual([]);
    expect(result.outcome).toBe('ok');
    expect(result.summary.cameras[0]).toMatchObject({ downloaded: 2, deleted: 2, failed: 0 });
    expect(sim.archives).toHaveLength(0);
    for (const row of rows(fleet.config().ledger)) {
      expect(row.state).toBe('deleted-on-camera');
      const original = served.find((archive) => archive.filename === row.remoteKey)!;
      expect(await sha256File(join(fleet.archive, row.localPath!))).toBe(original.sha256);
    }
  });

  it('1.x: a truncated answer whose Content-Length matched is never recorded verified nor deleted; the next run fetches it whole', async () => {
    fleet = await startFleet([{ name: 'gate', sim: { profile: 'timelapse2-v1', content: 'tiny' }, extra: ['time-zone: UTC', 'delete-after: true', 'max-retries: 0'] }]);
    const sim = fleet.sims.get('gate')!;
    const [cut, whole] = sim.archives.map((archive) => ({ filename: archive.filename, sha256: archive.sha256, size: archive.size })) as [
      { filename: string; sha256: string; size: number },
      { filename: string; sha256: string; size: number },
    ];
    // 1.x lists no file size: only the AVI header can tell that 300 bytes are missing (the listed JPEG payload is smaller still).
    sim.addFault({ route: 'download', match: cut.filename, kind: 'wrong-content-length', delta: -300 });
    const run = collect();
    const result = await syncFleet(fleet.config(), { env: fleet.env, onEvent: run.onEvent });
    expect(result.outcome).toBe('some-failed');
    expect(result.summary.cameras[0]).toMatchObject({ downloaded: 1, failed: 1, deleted: 1 });
    const failed = run.ofType('file-failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ remoteName: cut.filename, code: 'ERR_SYNC_VERIFY_FAILED' });
    expect(failed[0]!.error).toMatch(/not the whole recording \(the local AVI is truncated/);
    expect(run.ofType('deleted').map((event) => event.remoteName)).toEqual([whole.filename]);
    // The camera keeps it; the ledger does not call it verified; nothing of it under a final name.
    expect(sim.archives.map((archive) => archive.filename)).toEqual([cut.filename]);
    const row = rows(fleet.config().ledger).find((candidate) => candidate.remoteKey === cut.filename)!;
    expect(row).toMatchObject({ state: 'listed', sha256: null, attempts: 1 });
    expect(row.lastError).toMatch(/truncated/);
    const archived = (await listFiles(fleet.archive)).filter((file) => !file.endsWith('SHA256SUMS'));
    expect(archived).toHaveLength(1);
    expect(archived[0]).toMatch(/North_Gate_2025_10_01_0000\.avi$/);
    expect(await sums(join(fleet.archive, dirname(archived[0]!)))).not.toContain('2025_09_30');
    // Staging keeps no copy that a later run could reuse.
    expect(await readdir(join(fleet.archive, '.camdl', 'incoming', 'gate')).catch(() => [])).toEqual([]);

    sim.setFaults([]);
    const next = await syncFleet(fleet.config(), { env: fleet.env });
    expect(next.outcome).toBe('ok');
    expect(next.summary.cameras[0]).toMatchObject({ downloaded: 1, deleted: 1, failed: 0 });
    expect(sim.archives).toHaveLength(0);
    const fetched = rows(fleet.config().ledger).find((candidate) => candidate.remoteKey === cut.filename)!;
    expect(fetched.state).toBe('deleted-on-camera');
    expect(await sha256File(join(fleet.archive, fetched.localPath!))).toBe(cut.sha256);
    expect(fetched.localSize).toBe(cut.size);
  });

  it.each<{ profile: CameraProfile; damage: string }>([
    { profile: 'timelapse3', damage: 'an error page' },
    { profile: 'timelapse2-v1', damage: 'the first half of the file' },
  ])('$profile: a ledger row whose sha256 matches $damage on disk never deletes the camera copy and stops saying verified', async ({ profile, damage }) => {
    fleet = await startFleet([{ name: 'gate', sim: { profile, content: 'tiny' }, extra: ['time-zone: UTC'] }]);
    const sim = fleet.sims.get('gate')!;
    const served = new Map(sim.archives.map((archive) => [archive.filename, archive.sha256]));
    expect((await syncFleet(fleet.config(), { env: fleet.env })).outcome).toBe('ok');
    const ledgerPath = fleet.config().ledger;
    const victim = rows(ledgerPath)[0]!;
    const path = join(fleet.archive, victim.localPath!);
    // What an older camdl hashed when the camera sent the wrong thing.
    if (damage === 'an error page') await writeFile(path, '<html><body><h1>500 Internal Server Error</h1></body></html>\n');
    else await truncate(path, Math.floor(victim.localSize! / 2));
    const bad = await readFile(path);
    rewriteLedgerRow(ledgerPath, victim.id, { sha256: await sha256File(path), size: bad.length });
    expect(await verifyArchive(fleet.config())).toMatchObject({ problems: [] });

    await writeFile(fleet.configPath, `${await readFile(fleet.configPath, 'utf8')}    delete-after: true\n`);
    const run = collect();
    const result = await syncFleet(fleet.config(), { env: fleet.env, onEvent: run.onEvent });
    expect(result.outcome).toBe('some-failed');
    expect(result.summary.cameras[0]).toMatchObject({ downloaded: 0, deleted: 1, failed: 1 });
    const refused = run.ofType('delete-failed');
    expect(refused.map((event) => event.remoteName)).toEqual([victim.remoteKey]);
    expect(refused[0]!.error).toMatch(profile === 'timelapse3' ? /is not the whole recording \(the local file has \d+ bytes, the camera lists \d+\): not deleted/ : /is not the whole recording \(the local file has \d+ bytes, less than/);
    expect(sim.archives.map((archive) => archive.filename)).toEqual([victim.remoteKey]);
    const after = rows(ledgerPath).find((row) => row.id === victim.id)!;
    expect(after).toMatchObject({ state: 'listed', sha256: null });
    expect(after.lastError).toMatch(/^delete-after: not the whole recording/);
    expect(await sums(dirname(path))).not.toContain(victim.localPath!.split('/').pop()!);

    // The next run fetches it again from the camera, checks it, and only then deletes it.
    const repair = await syncFleet(fleet.config(), { env: fleet.env });
    expect(repair.outcome).toBe('ok');
    expect(repair.summary.cameras[0]).toMatchObject({ downloaded: 1, deleted: 1, failed: 0 });
    expect(sim.archives).toHaveLength(0);
    expect(await sha256File(path)).toBe(served.get(victim.remoteKey));
    expect(await verifyArchive(fleet.config())).toEqual({ checked: 2, problems: [] });
  });
});
