import { spawnSync } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { canMountTmpfs, closeAfterEach, mountTmpfs, sha256File } from '@camdl/test-utils';
import { sqliteAvailable, syncFleet, verifyArchive } from '@camdl/sync';
import { Ledger } from '@camdl/sync/testing';
import { collect, dailyArchives, listFiles, startFleet } from './fleet-helpers.js';

const mountable = sqliteAvailable() && canMountTmpfs();

describe.skipIf(!mountable)('camdl sync on a full disk (a real tmpfs that fills up)', () => {
  const track = closeAfterEach();

  it('stops starting files once the archive is full, exits 1 with one clear line, keeps the ledger no further than the disk; the next run with space finishes', async () => {
    const fleet = track(await startFleet([
      { name: 'gate', sim: { profile: 'timelapse3', content: { archives: dailyArchives('Gate', 8, { size: 60_000 }) } }, extra: ['time-zone: UTC', 'max-retries: 0'] },
      { name: 'crane', sim: { profile: 'timelapse2-v1', content: { archives: dailyArchives('Crane', 8, { size: 60_000 }) } }, extra: ['time-zone: UTC', 'max-retries: 0'] },
    ]));
    expect(mountTmpfs(fleet.archive, '320k')).toBe(true);
    track({ close: () => spawnSync('umount', ['-l', fleet.archive]) });

    const run = collect();
    const result = await syncFleet(fleet.config(), { env: fleet.env, onEvent: run.onEvent });
    expect(result.outcome).toBe('some-failed');
    const full = run.ofType('disk-full');
    expect(full).toHaveLength(1);
    expect(full[0]?.message).toMatch(/^the archive's disk is full \((ENOSPC|the ledger: database or disk is full)\) at .*: no camera starts another file/);
    // After the line, no camera starts another file.
    const fullAt = run.events.indexOf(full[0]!);
    expect(run.events.slice(fullAt).filter((event) => event.type === 'file-start')).toEqual([]);
    expect(run.ofType('run-done')).toHaveLength(1);
    const outcomes = result.summary.cameras;
    expect(outcomes.reduce((total, camera) => total + camera.pending + camera.failed, 0)).toBeGreaterThan(0);
    expect(outcomes.some((camera) => camera.errorCode === 'ERR_SYNC_DISK_FULL')).toBe(true);
    expect(result.summary.interrupted).toBe(false);

    // The ledger never says more than the disk: every verified file is there with its hash.
    const verified = await verifyArchive(fleet.config());
    expect(verified.problems).toEqual([]);
    const ledger = Ledger.open(fleet.config().ledger, { readOnly: true });
    try {
      for (const folder of new Set((await listFiles(fleet.archive)).filter((file) => !file.endsWith('SHA256SUMS')).map((file) => file.slice(0, file.lastIndexOf('/'))))) {
        for (const row of ledger.verifiedIn(folder)) expect(await sha256File(join(fleet.archive, row.localPath))).toBe(row.sha256);
      }
    } finally {
      ledger.close();
    }
    // Any file under a final name is whole (a file moved in place whose record the full ledger refused
    // is complete; the next run records it).
    const sizes = new Map([...fleet.sims.values()].flatMap((sim) => sim.archives?.map((archive) => [archive.filename, archive.size] as const) ?? []));
    for (const file of (await listFiles(fleet.archive)).filter((name) => !name.endsWith('SHA256SUMS'))) {
      const name = file.slice(file.lastIndexOf('/') + 1);
      if (sizes.has(name)) expect((await readFile(join(fleet.archive, file))).length).toBeGreaterThanOrEqual(sizes.get(name)!);
    }

    // Not one byte left: the run says the disk is full (at its start, or at its first file), never crashes.
    const filler = spawnSync('dd', ['if=/dev/zero', `of=${join(fleet.archive, 'filler')}`, 'bs=4k']);
    expect(filler.stderr.toString()).toMatch(/No space left on device/);
    const stuck = collect();
    try {
      const blocked = await syncFleet(fleet.config(), { env: fleet.env, onEvent: stuck.onEvent });
      expect(blocked.outcome).toBe('some-failed');
      expect(stuck.ofType('disk-full')).toHaveLength(1);
    } catch (error) {
      expect((error as { code?: string }).code).toBe('ERR_SYNC_DISK_FULL');
      expect((error as Error).message).toMatch(/^the archive's disk is full \(/);
    }
    expect((await verifyArchive(fleet.config())).problems).toEqual([]);
    await rm(join(fleet.archive, 'filler'));

    // Space again: the next run archives the rest and everything verifies.
    expect(spawnSync('mount', ['-o', 'remount,size=16m', fleet.archive]).status).toBe(0);
    const again = collect();
    const second = await syncFleet(fleet.config(), { env: fleet.env, onEvent: again.onEvent });
    expect(second.outcome).toBe('ok');
    expect(again.ofType('disk-full')).toEqual([]);
    const archived = (await listFiles(fleet.archive)).filter((file) => !file.endsWith('SHA256SUMS'));
    expect(archived).toHaveLength(16);
    expect((await verifyArchive(fleet.config())).problems).toEqual([]);
  });
});
