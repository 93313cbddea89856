import { closeSync, openSync, readdirSync, readSync, statSync, writeSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createTimelapseClient } from '@camdl/axis-timelapse2';
import { sha256, sha256File } from '@camdl/test-utils';
import { sqliteAvailable, syncFleet, type SyncEvent } from '@camdl/sync';
import { Ledger } from '@camdl/sync/testing';
import { collect, dailyArchives, fleetsClosedAfterEach, type TestFleet } from './fleet-helpers.js';

/** The staged copy of `localPath` (a file under `incoming/<camera>/<id>/`), found by its name. */
function stagedCopy(fleet: TestFleet, camera: string, localPath: string): string | undefined {
  const root = join(dirname(fleet.config().ledger), 'incoming', camera);
  for (const entry of readdirSync(root, { recursive: true, withFileTypes: true })) {
    if (entry.isFile() && entry.name === basename(localPath) && !entry.parentPath.includes('.camdl-tmp')) return join(entry.parentPath, entry.name);
  }
  return undefined;
}

/** Flips the byte in the middle of `path`, in place (same size, same file). */
function flipMiddleByte(path: string): void {
  const fd = openSync(path, 'r+');
  try {
    const at = Math.floor(statSync(path).size / 2);
    const byte = Buffer.alloc(1);
    readSync(fd, byte, 0, 1, at);
    byte[0] = (byte[0] ?? 0) ^ 0xff;
    writeSync(fd, byte, 0, 1, at);
  } finally {
    closeSync(fd);
  }
}

describe.skipIf(!sqliteAvailable())('camdl sync records the hash the download computed while writing', () => {
  const startFleet = fleetsClosedAfterEach();

  it('does not read the staged file again: bytes changed after the download leave the recorded hash that of the bytes received', async () => {
    // The probe: the moment the download reports its last byte (its final progress), the staged file's
    // middle byte is flipped in place. A sync that hashed the staged file after downloading it would
    // record the flipped file's hash; one that records the hash computed while writing records the
    // hash of what the camera sent. Nothing but this probe writes to staging (the camera's lock).
    const fleet = await startFleet(
      [
        { name: 'gate', sim: { profile: 'timelapse3', content: { archives: dailyArchives('Gate', 2) } }, extra: ['time-zone: UTC'] },
        { name: 'kitchen', sim: { profile: 'amcrest', content: 'tiny' }, extra: ['since: 2026-01-16T00:00:00', 'until: 2026-01-17T00:00:00', 'time-zone: America/New_York'] },
        { name: 'dock', sim: { profile: 'axis-edge', axisEdge: { firstStart: '2026-01-16T22:35:00Z', inProgress: false } } },
        { name: 'lobby', sim: { profile: 'hikvision', timeZone: 'America/New_York' }, extra: ['since: 2026-01-16T00:00:00', 'until: 2026-01-18T00:00:00'] },
      ],
      { top: ['bandwidth: 0'] },
    );
    const run = collect();
    const flipped = new Set<string>();
    const onEvent = (event: SyncEvent): void => {
      run.onEvent(event);
      if (event.type !== 'file-progress' || event.bytes !== event.total || flipped.has(event.path)) return;
      const staged = stagedCopy(fleet, event.camera, event.path);
      if (staged === undefined) return;
      flipMiddleByte(staged);
      flipped.add(event.path);
    };
    const result = await syncFleet(fleet.config(), { env: fleet.env, onEvent });
    expect(run.ofType('file-failed')).toEqual([]);
    expect(result.outcome).toBe('ok');

    const served = new Map<string, string | undefined>();
    for (const sim of fleet.sims.values()) {
      for (const file of [...sim.archives, ...sim.recordings, ...(sim.hikvision?.recordings ?? [])]) served.set(file.sha256 ?? '', file.sha256);
      for (const recording of sim.axisEdge?.recordings ?? []) served.set(recording.exports.matroska.sha256 ?? '', recording.exports.matroska.sha256);
    }
    const done = run.ofType('file-done');
    expect(new Set(done.map((event) => event.camera))).toEqual(new Set(['gate', 'kitchen', 'dock', 'lobby']));
    expect(done.every((event) => event.status === 'downloaded')).toBe(true);
    const ledger = Ledger.open(fleet.config().ledger);
    try {
      const rows = ledger.allRecordings();
      expect(rows).toHaveLength(done.length);
      for (const row of rows) {
        expect(flipped.has(row.localPath ?? ''), row.localPath ?? '').toBe(true);
        // The hash of what the camera served, though the archived file now differs from it.
        expect(served.has(row.sha256 ?? ''), row.localPath ?? '').toBe(true);
        expect(await sha256File(join(fleet.archive, row.localPath ?? ''))).not.toBe(row.sha256);
        expect(done.find((event) => event.path === row.localPath)?.sha256).toBe(row.sha256);
      }
    } finally {
      ledger.close();
    }
  });

  it('hashes from disk a file already complete in staging (reused, nothing written)', async () => {
    const fleet = await startFleet([{ name: 'gate', sim: { profile: 'timelapse3', content: { archives: dailyArchives('Gate', 1) } }, extra: ['time-zone: UTC'] }], {
      top: ['bandwidth: 0'],
    });
    const sim = fleet.sims.get('gate')!;
    // What an earlier run left in the first recording's staging folder: the complete file, one byte of
    // its middle flipped so that only a hash read from this file matches.
    const client = createTimelapseClient({ baseUrl: sim.url, username: sim.username, password: sim.password });
    const { archives } = await client.listArchives();
    const stagedPath = join(dirname(fleet.config().ledger), 'incoming', 'gate', '1', archives[0]!.filename);
    await mkdir(dirname(stagedPath), { recursive: true });
    await client.downloadArchive(archives[0]!, stagedPath);
    await client.close();
    flipMiddleByte(stagedPath);
    const staged = await readFile(stagedPath);
    expect(sha256(staged)).not.toBe(sim.archives[0]!.sha256);
    const run = collect();
    const result = await syncFleet(fleet.config(), { env: fleet.env, onEvent: run.onEvent });
    expect(result.outcome).toBe('ok');
    expect(run.ofType('file-done').map((event) => [event.status, event.sha256])).toEqual([['reused', sha256(staged)]]);
    const ledger = Ledger.open(fleet.config().ledger);
    try {
      expect(ledger.allRecordings().map((row) => row.sha256)).toEqual([sha256(staged)]);
    } finally {
      ledger.close();
    }
  });
});
