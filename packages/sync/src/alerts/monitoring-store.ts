import type { SqliteDatabase, SqliteRow } from '../sqlite.js';
import type { AlertKind, AlertRow, Notice } from './alert-kinds.js';

/**
 * The ledger's alert tables: the conditions seen (pending below their threshold, or open), the
 * notices each channel has still to deliver, and each channel's delivery counters.
 */
export const ALERT_STATE_MIGRATION = `CREATE TABLE alerts (
     kind TEXT NOT NULL,
     subject TEXT NOT NULL,
     camera TEXT,
     state TEXT NOT NULL CHECK (state IN ('pending', 'open')),
     since_ms INTEGER NOT NULL,
     runs INTEGER NOT NULL DEFAULT 1,
     opened_ms INTEGER,
     last_sent_ms INTEGER,
     updated_ms INTEGER NOT NULL,
     message TEXT NOT NULL,
     action TEXT NOT NULL,
     items TEXT NOT NULL DEFAULT '[]',
     PRIMARY KEY (kind, subject)
   );
   CREATE TABLE notify_outbox (
     id INTEGER PRIMARY KEY,
     channel TEXT NOT NULL,
     created_ms INTEGER NOT NULL,
     notice TEXT NOT NULL
   );
   CREATE INDEX notify_outbox_channel ON notify_outbox (channel, id);
   CREATE TABLE notify_counters (
     channel TEXT PRIMARY KEY,
     kind TEXT NOT NULL,
     sent INTEGER NOT NULL DEFAULT 0,
     failures INTEGER NOT NULL DEFAULT 0,
     last_failure_ms INTEGER,
     last_success_ms INTEGER
   );`;

/** Most notices kept for one channel that keeps failing (the newest are kept). */
export const OUTBOX_LIMIT = 200;

export interface ChannelCounters {
  channel: string;
  kind: string;
  sent: number;
  failures: number;
  lastFailureMs: number | undefined;
  lastSuccessMs: number | undefined;
}

function text(row: SqliteRow, column: string): string {
  const value = row[column];
  return value === null || value === undefined ? '' : String(value);
}

function integer(row: SqliteRow, column: string): number | undefined {
  const value = row[column];
  return value === null || value === undefined ? undefined : Number(value);
}

function alertFrom(row: SqliteRow): AlertRow {
  let items: string[] = [];
  try {
    const parsed = JSON.parse(text(row, 'items')) as unknown;
    if (Array.isArray(parsed)) items = parsed.filter((item): item is string => typeof item === 'string');
  } catch {
    items = [];
  }
  return {
    kind: text(row, 'kind') as AlertKind,
    subject: text(row, 'subject'),
    camera: row['camera'] === null || row['camera'] === undefined ? undefined : String(row['camera']),
    state: text(row, 'state') as AlertRow['state'],
    sinceMs: integer(row, 'since_ms') ?? 0,
    runs: integer(row, 'runs') ?? 1,
    openedMs: integer(row, 'opened_ms'),
    lastSentMs: integer(row, 'last_sent_ms'),
    updatedMs: integer(row, 'updated_ms') ?? 0,
    message: text(row, 'message'),
    action: text(row, 'action'),
    items,
  };
}

/** True when the error says the alert tables are not there (a ledger of an older camdl, opened read-only). */
function missingTable(error: unknown): boolean {
  return error instanceof Error && /no such table/i.test(error.message);
}

/** The alert tables of one open ledger connection, and the figures the metrics read from the ledger. */
export class MonitoringStore {
  readonly #db: SqliteDatabase;

  constructor(db: SqliteDatabase) {
    this.#db = db;
  }

  /** Every condition seen (pending and open), by kind and subject. Empty on a ledger without the tables. */
  all(): AlertRow[] {
    try {
      return this.#db.prepare(`SELECT * FROM alerts ORDER BY kind, subject`).all().map(alertFrom);
    } catch (error) {
      if (missingTable(error)) return [];
      throw error;
    }
  }

  /**
   * Advances the conditions in one write transaction: `advance` gets the rows as they are now (another
   * run that finished meanwhile included), its rows replace them and its notices are queued for every
   * channel.
   */
  advance(advance: (previous: AlertRow[]) => { rows: AlertRow[]; notices: Notice[] }, channels: readonly string[], now: number): { rows: AlertRow[]; notices: Notice[] } {
    let result: { rows: AlertRow[]; notices: Notice[] } = { rows: [], notices: [] };
    this.#transaction(() => {
      result = advance(this.all());
      this.#db.exec('DELETE FROM alerts');
      const insert = this.#db.prepare(
        `INSERT INTO alerts (kind, subject, camera, state, since_ms, runs, opened_ms, last_sent_ms, updated_ms, message, action, items) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      );
      for (const row of result.rows) {
        insert.run(row.kind, row.subject, row.camera ?? null, row.state, row.sinceMs, row.runs, row.openedMs ?? null, row.lastSentMs ?? null, row.updatedMs, row.message, row.action, JSON.stringify(row.items));
      }
      const queue = this.#db.prepare(`INSERT INTO notify_outbox (channel, created_ms, notice) VALUES (?, ?, ?)`);
      for (const channel of channels) {
        for (const notice of result.notices) queue.run(channel, now, JSON.stringify(notice));
        this.#db
          .prepare(`DELETE FROM notify_outbox WHERE channel = ? AND id NOT IN (SELECT id FROM notify_outbox WHERE channel = ? ORDER BY id DESC LIMIT ?)`)
          .run(channel, channel, OUTBOX_LIMIT);
      }
      // A channel removed from the config has nobody to deliver to.
      this.#db.prepare(`DELETE FROM notify_outbox WHERE channel NOT IN (SELECT value FROM json_each(?))`).run(JSON.stringify(channels));
    });
    return result;
  }

  /** The notices a channel has still to deliver, oldest first, with the id of the last one. */
  pending(channel: string): { notices: Notice[]; lastId: number } {
    const rows = this.#db.prepare(`SELECT id, notice FROM notify_outbox WHERE channel = ? ORDER BY id`).all(channel);
    const notices: Notice[] = [];
    let lastId = 0;
    for (const row of rows) {
      lastId = integer(row, 'id') ?? lastId;
      try {
        notices.push(JSON.parse(text(row, 'notice')) as Notice);
      } catch {
        // A row this build cannot read is dropped with the delivered ones.
      }
    }
    return { notices, lastId };
  }

  /** Records one delivery attempt; a delivered batch leaves the outbox. */
  recordDelivery(channel: string, kind: string, result: { ok: boolean; deliveredUpTo?: number | undefined }, now: number): void {
    this.#transaction(() => {
      this.#db.prepare(`INSERT INTO notify_counters (channel, kind) VALUES (?, ?) ON CONFLICT (channel) DO UPDATE SET kind = excluded.kind`).run(channel, kind);
      if (result.ok) {
        this.#db.prepare(`UPDATE notify_counters SET sent = sent + 1, last_success_ms = ? WHERE channel = ?`).run(now, channel);
        if (result.deliveredUpTo !== undefined) this.#db.prepare(`DELETE FROM notify_outbox WHERE channel = ? AND id <= ?`).run(channel, result.deliveredUpTo);
      } else {
        this.#db.prepare(`UPDATE notify_counters SET failures = failures + 1, last_failure_ms = ? WHERE channel = ?`).run(now, channel);
      }
    });
  }

  /** Delivery counters of every channel that ever sent. Empty on a ledger without the tables. */
  counters(): ChannelCounters[] {
    try {
      return this.#db
        .prepare(`SELECT * FROM notify_counters ORDER BY channel`)
        .all()
        .map((row) => ({
          channel: text(row, 'channel'),
          kind: text(row, 'kind'),
          sent: integer(row, 'sent') ?? 0,
          failures: integer(row, 'failures') ?? 0,
          lastFailureMs: integer(row, 'last_failure_ms'),
          lastSuccessMs: integer(row, 'last_success_ms'),
        }));
    } catch (error) {
      if (missingTable(error)) return [];
      throw error;
    }
  }

  /** Per camera and state: how many recordings, and the bytes archived. */
  recordingFigures(): Array<{ camera: string; state: string; count: number; bytes: number }> {
    return this.#db
      .prepare(`SELECT camera, state, COUNT(*) AS count, COALESCE(SUM(local_size), 0) AS bytes FROM recordings GROUP BY camera, state ORDER BY camera, state`)
      .all()
      .map((row) => ({ camera: text(row, 'camera'), state: text(row, 'state'), count: integer(row, 'count') ?? 0, bytes: integer(row, 'bytes') ?? 0 }));
  }

  /** Per camera: the start of its oldest recording not archived yet, the end of its newest, its first run. */
  cameraRecency(): Map<string, { oldestPendingMs: number | undefined; newestMs: number | undefined; firstRunMs: number | undefined }> {
    const result = new Map<string, { oldestPendingMs: number | undefined; newestMs: number | undefined; firstRunMs: number | undefined }>();
    const entry = (camera: string): { oldestPendingMs: number | undefined; newestMs: number | undefined; firstRunMs: number | undefined } => {
      let found = result.get(camera);
      if (!found) {
        found = { oldestPendingMs: undefined, newestMs: undefined, firstRunMs: undefined };
        result.set(camera, found);
      }
      return found;
    };
    for (const row of this.#db
      .prepare(`SELECT camera, MIN(CASE WHEN state IN ('listed', 'downloaded') THEN start_ms END) AS oldest_pending, MAX(end_ms) AS newest FROM recordings GROUP BY camera`)
      .all()) {
      const camera = entry(text(row, 'camera'));
      camera.oldestPendingMs = integer(row, 'oldest_pending');
      camera.newestMs = integer(row, 'newest');
    }
    for (const row of this.#db.prepare(`SELECT camera, MIN(started_ms) AS first FROM run_cameras WHERE status = 'ok' GROUP BY camera`).all()) {
      entry(text(row, 'camera')).firstRunMs = integer(row, 'first');
    }
    return result;
  }

  #transaction(work: () => void): void {
    this.#db.exec('BEGIN IMMEDIATE');
    try {
      work();
      this.#db.exec('COMMIT');
    } catch (error) {
      this.#db.exec('ROLLBACK');
      throw error;
    }
  }
}
