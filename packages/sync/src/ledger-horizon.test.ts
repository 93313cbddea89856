import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { closeAfterEach, makeTempDir } from '@camdl/test-utils';
import { Ledger, LEDGER_SCHEMA_VERSION } from './ledger.js';
import { holdingsChannels, holdingsHistory, lostByReason, pendingRecordings, recordHoldings, type CameraStorage } from './ledger-horizon.js';
import { deriveHorizon } from './overwrite-horizon.js';
import type { RemoteRecording } from './sources/camera-source.js';
import { openSqlite, sqliteAvailable } from './sqlite.js';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 0, 16);

function remote(channel: number, hour: number): RemoteRecording {
  const startMs = T0 + hour * HOUR;
  return { channel, remoteKey: `c${channel}h${hour}`, remoteName: `c${channel}h${hour}`, fileName: `c${channel}h${hour}.mp4`, startMs, endMs: startMs + HOUR, cameraStart: '2026-01-16 00:00:00', size: 100 };
}

describe.skipIf(!sqliteAvailable())('the horizon in the ledger', () => {
  const track = closeAfterEach();

  it('migrates a schema-3 ledger in place: its rows stay, holdings and lost reasons are added', async () => {
    const dir = track(await makeTempDir('camdl-horizon-'));
    const path = join(dir.path, 'ledger.sqlite');
    Ledger.open(path).close();
    const db = openSqlite(path, { timeout: 1000 });
    db.exec(`DROP TABLE camera_holdings; ALTER TABLE recordings DROP COLUMN lost_reason; ALTER TABLE run_cameras DROP COLUMN kind; PRAGMA user_version = 3`);
    db.exec(`INSERT INTO recordings (camera, channel, remote_key, start_ms, end_ms, camera_start, state, first_seen_ms, last_seen_ms, lost_ms) VALUES ('gate', 1, 'a', 1, 2, 'x', 'lost', 1, 1, 5)`);
    db.close();
    const ledger = track(Ledger.open(path));
    expect(LEDGER_SCHEMA_VERSION).toBe(4);
    expect(ledger.schemaVersion).toBe(4);
    expect(ledger.allRecordings()).toMatchObject([{ remoteKey: 'a', state: 'lost', lostReason: null }]);
    expect(lostByReason(ledger, 'gate')).toEqual({ overwritten: 0, deleted: 0, unknown: 1 });
    expect(holdingsChannels(ledger, 'gate')).toEqual([]);
  });

  it('records what each channel holds per run and names why a vanished recording was lost', async () => {
    const dir = track(await makeTempDir('camdl-horizon-'));
    let now = T0 + 10 * HOUR;
    const ledger = track(Ledger.open(join(dir.path, 'ledger.sqlite'), { now: () => now }));
    const coverage = new Map([
      [1, { startMs: Number.NEGATIVE_INFINITY, endMs: Number.POSITIVE_INFINITY }],
      [2, { startMs: T0 - HOUR, endMs: Number.POSITIVE_INFINITY }],
    ]);
    const first = ledger.startRun({ dryRun: false });
    ledger.stageListing('gate', [0, 1, 2, 3, 4].map((hour) => remote(1, hour)).concat([remote(2, 0)]), coverage);
    ledger.recordListing('gate');
    recordHoldings(ledger, first, 'gate', { totalBytes: 1000, usedBytes: 600 });
    now += HOUR;
    const second = ledger.startRun({ dryRun: false });
    // Channel 1: hours 0-1 overwritten (the oldest), hour 3 deleted from the middle; channel 2 lists nothing.
    ledger.stageListing('gate', [2, 4, 5].map((hour) => remote(1, hour)), coverage);
    const vanished = [...ledger.vanished('gate')].map((row) => [row.remoteKey, row.lostReason]);
    expect(vanished).toEqual([
      ['c1h0', 'overwritten'],
      ['c2h0', 'deleted'],
      ['c1h1', 'overwritten'],
      ['c1h3', 'deleted'],
    ]);
    ledger.recordListing('gate');
    expect(ledger.markVanishedLost('gate', 'gone')).toBe(4);
    recordHoldings(ledger, second, 'gate', {});
    expect(Object.fromEntries(ledger.allRecordings().filter((row) => row.state === 'lost').map((row) => [row.remoteKey, row.lostReason]))).toEqual({ c1h0: 'overwritten', c1h1: 'overwritten', c1h3: 'deleted', c2h0: 'deleted' });
    expect(lostByReason(ledger, 'gate')).toEqual({ overwritten: 2, deleted: 2, unknown: 0 });
    expect(holdingsChannels(ledger, 'gate')).toEqual([1, 2]);
    expect(holdingsHistory(ledger, 'gate', 1)).toEqual([
      { channel: 1, observedMs: T0 + 10 * HOUR, count: 5, oldestMs: T0, newestMs: T0 + 5 * HOUR, windowStartMs: null, totalBytes: 1000, usedBytes: 600, retentionMs: null },
      { channel: 1, observedMs: T0 + 11 * HOUR, count: 3, oldestMs: T0 + 2 * HOUR, newestMs: T0 + 6 * HOUR, windowStartMs: null, totalBytes: null, usedBytes: null, retentionMs: null },
    ]);
    expect(holdingsHistory(ledger, 'gate', 2).at(-1)).toMatchObject({ count: 0, oldestMs: null, windowStartMs: T0 - HOUR });
    expect(pendingRecordings(ledger, 'gate', 1).map((row) => row.remoteKey)).toEqual(['c1h2', 'c1h4', 'c1h5']);
  });

  it('keeps no storage figure a real card cannot have: the horizon of such a camera is that of one that says nothing', async () => {
    const dir = track(await makeTempDir('camdl-horizon-'));
    let now = T0 + 10 * HOUR;
    const ledger = track(Ledger.open(join(dir.path, 'ledger.sqlite'), { now: () => now }));
    const coverage = new Map([[1, { startMs: Number.NEGATIVE_INFINITY, endMs: Number.POSITIVE_INFINITY }]]);
    const absurd: CameraStorage[] = [
      { totalBytes: -1000, usedBytes: -10 },
      { totalBytes: 1e20, usedBytes: 1e20 },
      { totalBytes: 1000, usedBytes: 5000 },
      { totalBytes: 0, usedBytes: 0 },
      { totalBytes: 1000.5, usedBytes: Number.NaN },
      { retentionMs: 0 },
      { retentionMs: -86_400_000 },
      { retentionMs: 1e20 },
      { retentionMs: Number.POSITIVE_INFINITY },
    ];
    for (const storage of absurd) {
      const run = ledger.startRun({ dryRun: false });
      ledger.stageListing('gate', [0, 1, 2].map((hour) => remote(1, hour)), coverage);
      ledger.recordListing('gate');
      recordHoldings(ledger, run, 'gate', storage);
      now += HOUR;
    }
    const history = holdingsHistory(ledger, 'gate', 1);
    expect(history).toHaveLength(absurd.length);
    for (const holdings of history) expect(holdings).toMatchObject({ totalBytes: null, usedBytes: null, retentionMs: null });
    const horizon = deriveHorizon(1, history, pendingRecordings(ledger, 'gate', 1), { now });
    expect(horizon).toMatchObject({ wrapping: false, retentionMs: undefined, etaMs: undefined, atRisk: false, pendingCount: 3 });
    const run = ledger.startRun({ dryRun: false });
    recordHoldings(ledger, run, 'gate', { totalBytes: 2 ** 40, usedBytes: 2 ** 40, retentionMs: 30 * 86_400_000 });
    expect(holdingsHistory(ledger, 'gate', 1).at(-1)).toMatchObject({ totalBytes: 2 ** 40, usedBytes: 2 ** 40, retentionMs: 30 * 86_400_000 });
  });
});
