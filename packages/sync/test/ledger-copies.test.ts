import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { closeAfterEach, makeTempDir, type TempDir } from '@camdl/test-utils';
import { Ledger, LEDGER_SCHEMA_VERSION } from '../src/ledger.js';
import { sqliteAvailable } from '../src/sqlite.js';
import { CopyLedger } from '../src/ledger-copies.js';

/** A ledger written by camdl before off-site copies existed (schema 1): two recordings verified, one listed. */
const V1_LEDGER = new URL('./fixtures/ledger-v1.sqlite', import.meta.url);

describe.skipIf(!sqliteAvailable())('the ledger of off-site copies', () => {
  const track = closeAfterEach();
  let dir: TempDir | undefined;

  async function v1Ledger(): Promise<string> {
    dir = track(await makeTempDir('camdl-ledger-'));
    const path = join(dir.path, 'ledger.sqlite');
    await copyFile(V1_LEDGER, path);
    return path;
  }

  it('migrates a ledger of the previous schema in place, keeping every row, and backfills a pending copy per archived recording and target', async () => {
    const path = await v1Ledger();
    let now = Date.parse('2026-04-01T00:00:00Z');
    const ledger = Ledger.open(path, { now: () => now });
    try {
      expect(LEDGER_SCHEMA_VERSION).toBeGreaterThanOrEqual(2);
      expect(ledger.schemaVersion).toBe(LEDGER_SCHEMA_VERSION);
      const rows = ledger.allRecordings();
      expect(rows.map((row) => [row.remoteKey, row.state, row.localPath])).toEqual([
        ['gate_2026_03_02_0000', 'verified', 'gate/2026-03-01/gate_2026_03_02_0000.avi'],
        ['gate_2026_03_03_0000', 'verified', 'gate/2026-03-02/gate_2026_03_03_0000.avi'],
        ['gate_2026_03_04_0000', 'listed', null],
      ]);
      expect(ledger.runs()).toHaveLength(1);
      const copies = new CopyLedger(ledger);
      expect(copies.addPending('gate', ['offsite', 'usb'])).toBe(4);
      expect(copies.addPending('gate', ['offsite', 'usb'])).toBe(0);
      const first = rows[0]!;
      expect(copies.copy(first.id, 'offsite')).toMatchObject({ state: 'pending', key: first.localPath, size: 1000, sha256: 'ab'.repeat(32), attempts: 0, uploadId: null, everVerified: false });
      copies.setUploadId(first.id, 'offsite', 'upload-1');
      expect(copies.copy(first.id, 'offsite')).toMatchObject({ state: 'uploading', uploadId: 'upload-1' });
      now += 1000;
      copies.markFailed(first.id, 'offsite', 'target "offsite": unreachable');
      expect(copies.copy(first.id, 'offsite')).toMatchObject({ state: 'failed', uploadId: 'upload-1', attempts: 1, lastError: 'target "offsite": unreachable' });
      expect(copies.heldEverywhere(first.id, ['offsite'])).toBe(false);
      copies.markVerified(first.id, 'offsite', { key: first.localPath!, size: 1000, sha256: 'ab'.repeat(32) });
      expect(copies.copy(first.id, 'offsite')).toMatchObject({ state: 'verified', uploadId: null, everVerified: true, verifiedMs: now });
      expect(copies.heldEverywhere(first.id, ['offsite'])).toBe(true);
      expect(copies.heldEverywhere(first.id, ['offsite', 'usb'])).toBe(false);
      // A copy confirmed with other content than the ledger's does not count.
      copies.markVerified(first.id, 'usb', { key: first.localPath!, size: 1000, sha256: 'cd'.repeat(32) });
      expect(copies.heldEverywhere(first.id, ['offsite', 'usb'])).toBe(false);
      expect(copies.summary('gate')).toEqual([
        { target: 'offsite', verified: 1, pending: 1, failing: 0, conflict: 0, oldestPendingMs: Date.parse('2026-04-01T00:00:00Z') },
        { target: 'usb', verified: 1, pending: 1, failing: 0, conflict: 0, oldestPendingMs: Date.parse('2026-04-01T00:00:00Z') },
      ]);
      // The recording fetched again with other content: the verified copy of the old content is made again.
      ledger.markVerified(first.id, { localPath: first.localPath!, size: 1000, sha256: 'ef'.repeat(32) });
      expect(copies.addPending('gate', ['offsite', 'usb'], first.id)).toBe(0);
      expect(copies.copy(first.id, 'offsite')).toMatchObject({ state: 'pending', everVerified: true, lastError: 'the archived recording changed since this copy was made' });
      copies.markVerified(first.id, 'offsite', { key: first.localPath!, size: 1000, sha256: 'ef'.repeat(32) });
      copies.markDamaged(first.id, 'offsite', 'verify: missing');
      expect(copies.copy(first.id, 'offsite')).toMatchObject({ state: 'failed', everVerified: true, verifiedMs: null });
    } finally {
      ledger.close();
    }
    // Opened again: nothing to migrate, the copies are still there.
    const again = Ledger.open(path);
    try {
      expect(again.schemaVersion).toBe(LEDGER_SCHEMA_VERSION);
      // usb held other content than the recording's: pending again too.
      expect(new CopyLedger(again).unfinished('gate', ['offsite', 'usb'])).toEqual({ pending: 4, conflict: 0 });
    } finally {
      again.close();
    }
  });
  it('knows each camera\'s kind from its runs (a snapshot is read without its config); older ledgers fall back to the channels', async () => {
    dir = track(await makeTempDir('camdl-ledger-kinds-'));
    const ledger = Ledger.open(join(dir.path, 'ledger.sqlite'));
    try {
      const recording = (channel: number, key: string) => ({ channel, remoteKey: key, remoteName: key, fileName: `${key}.mp4`, startMs: 0, endMs: 1000, cameraStart: '1970-01-01 00:00:00', size: 10 });
      const everything = new Map([[0, { startMs: 0, endMs: 10_000 }], [1, { startMs: 0, endMs: 10_000 }]]);
      for (const [camera, channel] of [['dock', 0], ['lobby', 1], ['gate', 0], ['kitchen', 1]] as const) {
        ledger.stageListing(camera, [recording(channel, `${camera}-a`)], everything);
        ledger.recordListing(camera);
        ledger.dropListing(camera);
      }
      const run = ledger.startRun({ dryRun: false });
      ledger.startCameraRun(run, 'dock', 'axis-edge');
      ledger.startCameraRun(run, 'lobby', 'hikvision');
      ledger.startCameraRun(run, 'gate');
      expect(new CopyLedger(ledger).cameras()).toEqual([
        { name: 'dock', kind: 'axis-edge' },
        { name: 'gate', kind: 'timelapse' },
        { name: 'kitchen', kind: 'amcrest' },
        { name: 'lobby', kind: 'hikvision' },
      ]);
    } finally {
      ledger.close();
    }
  });
});
