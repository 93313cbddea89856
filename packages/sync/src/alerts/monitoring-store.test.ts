import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { closeAfterEach, makeTempDir } from '@camdl/test-utils';
import { Ledger, LEDGER_SCHEMA_VERSION } from '../ledger.js';
import { openSqlite, sqliteAvailable } from '../sqlite.js';
import type { AlertRow, Notice } from './alert-kinds.js';

const row: AlertRow = { kind: 'camera-unreachable', subject: 'gate', camera: 'gate', state: 'open', sinceMs: 1000, runs: 2, openedMs: 2000, lastSentMs: 2000, updatedMs: 2000, message: 'gate could not be reached', action: 'check it', items: [] };
const notice: Notice = { event: 'opened', kind: 'camera-unreachable', subject: 'gate', camera: 'gate', sinceMs: 1000, atMs: 2000, message: 'gate could not be reached', action: 'check it', items: [] };

describe.skipIf(!sqliteAvailable())('the alert state in the ledger', () => {
  const track = closeAfterEach();

  it('migrates a ledger of the previous schema, keeps its rows, and adds the alert tables', async () => {
    const dir = track(await makeTempDir('camdl-alert-store-'));
    const path = join(dir.path, 'ledger.sqlite');
    Ledger.open(path).close();
    // Back to the schema before the alert tables, with one run recorded.
    const db = openSqlite(path, { timeout: 1000 });
    db.exec(`DROP TABLE camera_holdings; ALTER TABLE recordings DROP COLUMN lost_reason; ALTER TABLE run_cameras DROP COLUMN kind; DROP TABLE alerts; DROP TABLE notify_outbox; DROP TABLE notify_counters; PRAGMA user_version = 2`);
    db.exec(`INSERT INTO runs (started_ms, finished_ms, status, pid, host) VALUES (1, 2, 'ok', 1, 'h')`);
    db.close();
    const ledger = track(Ledger.open(path));
    expect(ledger.schemaVersion).toBe(LEDGER_SCHEMA_VERSION);
    expect(ledger.runs()).toHaveLength(1);
    expect(ledger.monitoring().all()).toEqual([]);
  });

  it('holds conditions, queues notices per channel until delivered, and counts deliveries', async () => {
    const dir = track(await makeTempDir('camdl-alert-store-'));
    const ledger = track(Ledger.open(join(dir.path, 'ledger.sqlite')));
    const store = ledger.monitoring();
    expect(store.advance((previous) => ({ rows: [...previous, row], notices: [notice] }), ['webhook', 'ntfy'], 2000)).toEqual({ rows: [row], notices: [notice] });
    expect(store.all()).toEqual([row]);
    const batch = store.pending('webhook');
    expect(batch.notices).toEqual([notice]);
    store.recordDelivery('webhook', 'webhook', { ok: true, deliveredUpTo: batch.lastId }, 3000);
    store.recordDelivery('ntfy', 'ntfy', { ok: false }, 3000);
    expect(store.pending('webhook').notices).toEqual([]);
    expect(store.pending('ntfy').notices).toEqual([notice]);
    expect(store.counters()).toEqual([
      { channel: 'ntfy', kind: 'ntfy', sent: 0, failures: 1, lastFailureMs: 3000, lastSuccessMs: undefined },
      { channel: 'webhook', kind: 'webhook', sent: 1, failures: 0, lastFailureMs: undefined, lastSuccessMs: 3000 },
    ]);
    // A channel removed from the config: its queue goes.
    store.advance(() => ({ rows: [], notices: [] }), ['webhook'], 4000);
    expect(store.pending('ntfy').notices).toEqual([]);
    expect(store.all()).toEqual([]);
  });
});
