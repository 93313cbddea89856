import { isPlausibleStorageBytes } from '@camdl/internal';
import { ledgerInternals, mapRow, type Ledger } from './ledger.js';
import type { LostReason } from './ledger-horizon-schema.js';

export type { LostReason } from './ledger-horizon-schema.js';

/** What a camera held on one channel when a run listed it. */
export interface Holdings {
  channel: number;
  observedMs: number;
  /** Recordings listed. */
  count: number;
  /** Start of the oldest and end of the newest listed; null when none. */
  oldestMs: number | null;
  newestMs: number | null;
  /** The listing's window start, when it had one: an oldest at or before it is the window's edge, not the camera's. */
  windowStartMs: number | null;
  /** The card's size and use (Dahua storage device call), when the camera says. */
  totalBytes: number | null;
  usedBytes: number | null;
  /** The retention the camera's app reports, when it does. */
  retentionMs: number | null;
}

/** What the camera says about itself beside its listing (any part may be unknown). */
export interface CameraStorage {
  totalBytes?: number | undefined;
  usedBytes?: number | undefined;
  retentionMs?: number | undefined;
}

const HOLDINGS_COLUMNS = {
  channel: ['channel', 'integer'],
  observedMs: ['observed_ms', 'integer'],
  count: ['count', 'integer'],
  oldestMs: ['oldest_ms', 'integer?'],
  newestMs: ['newest_ms', 'integer?'],
  windowStartMs: ['window_start_ms', 'integer?'],
  totalBytes: ['total_bytes', 'integer?'],
  usedBytes: ['used_bytes', 'integer?'],
  retentionMs: ['retention_ms', 'integer?'],
} as const;

/**
 * Records what the camera's staged listing holds, per channel of its coverage (a channel that
 * listed nothing counts 0), with the card's figures. One transaction.
 */
export function recordHoldings(ledger: Ledger, runId: number, camera: string, storage: CameraStorage): void {
  const db = ledgerInternals(ledger);
  const now = db.now();
  const figures = plausibleStorage(storage);
  const known = (value: number | undefined): number | null => (value === undefined ? null : value);
  db.transaction(() => {
    db.statement(
      `INSERT OR REPLACE INTO camera_holdings (run_id, camera, channel, observed_ms, count, oldest_ms, newest_ms, window_start_ms, total_bytes, used_bytes, retention_ms)
       SELECT ?, c.camera, c.channel, ?, COUNT(l.remote_key), MIN(l.start_ms), MAX(l.end_ms), c.start_ms, ?, ?, ?
       FROM temp.coverage c LEFT JOIN temp.listing l ON l.camera = c.camera AND l.channel = c.channel
       WHERE c.camera = ? GROUP BY c.channel`,
    ).run(runId, now, known(figures.totalBytes), known(figures.usedBytes), known(figures.retentionMs), camera);
  });
}

/** The longest retention taken as said: ten years (Timelapse keeps at most 120 months). */
const MAX_RETENTION_MS = 10 * 366 * 86_400_000;

/**
 * What the camera said of its storage, kept only where a real card could say it: whole bytes from 0 to 1 PiB with
 * the used ones within the total (else neither), a retention over 0 and at most ten years. Anything else is unknown,
 * so an absurd answer never makes a card look full, nor footage look safe or at risk.
 */
function plausibleStorage(storage: CameraStorage): CameraStorage {
  const { totalBytes: total, usedBytes: used, retentionMs: retention } = storage;
  const bytes = (value: number | undefined): value is number => value !== undefined && Number.isSafeInteger(value) && isPlausibleStorageBytes(value);
  const card = bytes(total) && bytes(used) && total > 0 && used <= total ? { totalBytes: total, usedBytes: used } : {};
  const kept = retention !== undefined && Number.isSafeInteger(retention) && retention > 0 && retention <= MAX_RETENTION_MS ? { retentionMs: retention } : {};
  return { ...card, ...kept };
}

/** A channel's holdings, newest run last (at most `limit` runs). */
export function holdingsHistory(ledger: Ledger, camera: string, channel: number, limit = 20): Holdings[] {
  return ledgerInternals(ledger)
    .statement(`SELECT * FROM camera_holdings WHERE camera = ? AND channel = ? ORDER BY observed_ms DESC, run_id DESC LIMIT ?`)
    .all(camera, channel, limit)
    .map((row) => mapRow(row, HOLDINGS_COLUMNS))
    .reverse();
}

/** The channels a camera's holdings were ever recorded for. */
export function holdingsChannels(ledger: Ledger, camera: string): number[] {
  return ledgerInternals(ledger)
    .statement(`SELECT DISTINCT channel FROM camera_holdings WHERE camera = ? ORDER BY channel`)
    .all(camera)
    .map((row) => mapRow(row, { channel: ['channel', 'integer'] }).channel);
}

/** A recording not archived yet, as the horizon needs it. */
export interface PendingRecording {
  remoteKey: string;
  startMs: number;
  endMs: number;
  size: number | null;
}

/** A channel's pending recordings (`listed`, `downloaded`), oldest first, at most `limit`. */
export function pendingRecordings(ledger: Ledger, camera: string, channel: number, limit = 100_000): PendingRecording[] {
  return ledgerInternals(ledger)
    .statement(`SELECT remote_key, start_ms, end_ms, remote_size FROM recordings WHERE camera = ? AND channel = ? AND state IN ('listed', 'downloaded') ORDER BY start_ms, remote_key LIMIT ?`)
    .all(camera, channel, limit)
    .map((row) => mapRow(row, { remoteKey: ['remote_key', 'text'], startMs: ['start_ms', 'integer'], endMs: ['end_ms', 'integer'], size: ['remote_size', 'integer?'] }));
}

/** Lost recordings of a camera by reason (null: lost before reasons were recorded, or by verify). */
export function lostByReason(ledger: Ledger, camera: string): Record<LostReason | 'unknown', number> {
  const counts: Record<LostReason | 'unknown', number> = { overwritten: 0, deleted: 0, unknown: 0 };
  for (const row of ledgerInternals(ledger).statement(`SELECT lost_reason, COUNT(*) AS n FROM recordings WHERE camera = ? AND state = 'lost' GROUP BY lost_reason`).all(camera)) {
    const { reason, n } = mapRow(row, { reason: ['lost_reason', 'text?'], n: ['n', 'integer'] });
    counts[reason === 'overwritten' || reason === 'deleted' ? reason : 'unknown'] += n;
  }
  return counts;
}
