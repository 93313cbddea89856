import { spawnSync } from 'node:child_process';
import { rm, stat, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { canMountTmpfs, closeAfterEach, mountTmpfs, sha256File } from '@camdl/test-utils';
import { sqliteAvailable, syncFleet, verifyArchive } from '@camdl/sync';
import { collect, dailyArchives, listFiles, startFleet, type TestFleet } from './fleet-helpers.js';
import { addTopLines, copiesOf, directoryTargets, treeHashes } from './offsite-helpers.js';

const mountable = sqliteAvailable() && canMountTmpfs();
const FAST = { targetTuning: { retryDelayMs: 1 } };

describe.skipIf(!mountable)('the off-site part of camdl sync on a full local disk (a real tmpfs)', () => {
  const track = closeAfterEach();

  /**
   * Two cameras of six archives synced to a 4 MiB tmpfs, which is then filled but for `freeKiB`; then a
   * directory target is configured: twelve copies to make and record.
   */
  async function fullArchiveWithTarget(freeKiB: number): Promise<{ fleet: TestFleet; local: Map<string, string>; filler: string; paths: Map<string, string> }> {
    const fleet = track(await startFleet([
      { name: 'gate', sim: { profile: 'timelapse3', content: { archives: dailyArchives('Gate', 6, { size: 20_000 }) } }, extra: ['time-zone: UTC'] },
      { name: 'crane', sim: { profile: 'timelapse2-v1', content: { archives: dailyArchives('Crane', 6, { size: 20_000 }) } }, extra: ['time-zone: UTC'] },
    ]));
    expect(mountTmpfs(fleet.archive, '4m')).toBe(true);
    track({ close: () => spawnSync('umount', ['-l', fleet.archive]) });
    expect((await syncFleet(fleet.config(), { env: fleet.env })).outcome).toBe('ok');
    const local = await treeHashes(fleet.archive);
    const filler = join(fleet.archive, 'filler');
    expect(spawnSync('dd', ['if=/dev/zero', `of=${filler}`, 'bs=4k']).stderr.toString()).toMatch(/No space left on device/);
    await truncate(filler, (await stat(filler)).size - freeKiB * 1024);
    const { lines, paths } = await directoryTargets(fleet, ['usb']);
    await addTopLines(fleet, ['upload-bandwidth: 0', ...lines]);
    return { fleet, local, filler, paths };
  }

  // 160 KiB free: the ledger fills while it records the copies; 300 KiB: the copies are recorded and
  // staging the SHA256SUMS or the ledger snapshot fills it.
  it.each([160, 300])('%i KiB free: one disk-full line, exit 1, nothing recorded that the target lacks; the next run with space completes', async (freeKiB) => {
    const { fleet, local, filler, paths } = await fullArchiveWithTarget(freeKiB);
    const run = collect();
    const result = await syncFleet(fleet.config(), { env: fleet.env, onEvent: run.onEvent, ...FAST });
    expect(result.outcome).toBe('some-failed');
    const full = run.ofType('disk-full');
    expect(full).toHaveLength(1);
    expect(full[0]?.message).toMatch(/^the archive's disk is full \((ENOSPC|the ledger: database or disk is full)\) at .*: no camera starts another file; free some space and run again$/);
    // The full local disk is not the target's fault: no failed upload, no target down.
    expect(run.ofType('upload-failed')).toEqual([]);
    expect(run.ofType('target-down')).toEqual([]);
    expect(run.ofType('run-done')).toHaveLength(1);
    // Nothing lost, and the ledger never says more than the target holds.
    expect((await verifyArchive(fleet.config())).problems).toEqual([]);
    for (const copy of copiesOf(fleet).filter((row) => row.state === 'verified')) expect(await sha256File(join(paths.get('usb')!, copy.key!))).toBe(copy.sha256);

    // Space again: the next run records what is on the target and makes the rest.
    await rm(filler);
    const again = collect();
    const second = await syncFleet(fleet.config(), { env: fleet.env, onEvent: again.onEvent, ...FAST });
    expect(again.ofType('disk-full')).toEqual([]);
    expect(again.ofType('upload-failed')).toEqual([]);
    expect(second.outcome).toBe('ok');
    const copies = copiesOf(fleet);
    expect(copies).toHaveLength(12);
    expect(copies.every((copy) => copy.state === 'verified')).toBe(true);
    const onTarget = await treeHashes(paths.get('usb')!);
    for (const [file, sha256] of local) expect(onTarget.get(file), file).toBe(sha256);
    expect((await listFiles(paths.get('usb')!)).filter((file) => !file.endsWith('SHA256SUMS'))).toHaveLength(12);
    expect(again.ofType('snapshot').map((event) => event.ok)).toEqual([true]);
  });

  // 8 KiB: the ledger cannot even be opened (no room for its -shm file); 96 KiB: it fills while recording
  // the cameras' listings, before any copy.
  it.each([8, 96])('%i KiB free: the ledger fills before the copies: the same disk-full line, never a raw SQLite error', async (freeKiB) => {
    const { fleet, filler } = await fullArchiveWithTarget(freeKiB);
    const run = collect();
    const outcome = await syncFleet(fleet.config(), { env: fleet.env, onEvent: run.onEvent, ...FAST }).catch((error: unknown) => error as Error & { code?: string });
    if (outcome instanceof Error) {
      // Full before the run could be recorded: the whole run's one line (the CLI prints it, exit 1).
      expect([outcome.code, outcome.message]).toEqual(['ERR_SYNC_DISK_FULL', expect.stringMatching(/^the archive's disk is full \(.*\): the ledger .* free some space and run again$/)]);
    } else {
      expect(outcome.outcome).toBe('some-failed');
      expect(run.ofType('disk-full').map((event) => event.message)).toEqual([expect.stringMatching(/^the archive's disk is full \((ENOSPC|the ledger: database or disk is full)\) at .*: no camera starts another file; free some space and run again$/)]);
      expect(outcome.summary.cameras.map((camera) => camera.error ?? '').join('')).not.toMatch(/rollback|SQLITE|I\/O/i);
    }
    await rm(filler);
    expect((await syncFleet(fleet.config(), { env: fleet.env, ...FAST })).outcome).toBe('ok');
    expect(copiesOf(fleet).filter((copy) => copy.state === 'verified')).toHaveLength(12);
  });
});
