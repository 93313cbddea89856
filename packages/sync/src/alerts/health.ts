import type { FleetConfig } from '../config.js';
import { Ledger } from '../ledger.js';
import type { AlertRow } from './alert-kinds.js';

/** The `/healthz` document of `camdl serve`. */
export interface HealthReport {
  /** `ok` (200); `stale`, `failing` or `no-run` (503). */
  status: 'ok' | 'stale' | 'failing' | 'no-run';
  healthy: boolean;
  /** End of the last finished run, and of the last one that completed (ISO 8601), or null. */
  lastRun: string | null;
  lastRunStatus: string | null;
  lastSuccess: string | null;
  /** How old the last completed run may be, in seconds. */
  maxAgeSeconds: number;
  openAlerts: Array<{ kind: string; subject: string; since: string }>;
  /** Why it is not healthy (null when it is). */
  reason: string | null;
}

/** Default `max-age` without `--every`: a daily timer may run a little late. */
export const DEFAULT_HEALTH_MAX_AGE_MS = 26 * 3_600_000;

/**
 * Whether the archive is looked after: the last run that completed (every camera tried; `ok`, or
 * `failed` with cameras failing, which are alerts of their own) ended within `maxAgeMs`, and no
 * alert is open. Reads the ledger read-only.
 */
export function healthReport(config: FleetConfig, options: { now: number; maxAgeMs: number }): HealthReport {
  const maxAgeSeconds = Math.round(options.maxAgeMs / 1000);
  const empty = { lastRun: null, lastRunStatus: null, lastSuccess: null, maxAgeSeconds, openAlerts: [] };
  let ledger: Ledger;
  try {
    ledger = Ledger.open(config.ledger, { readOnly: true });
  } catch (error) {
    return { status: 'no-run', healthy: false, ...empty, reason: error instanceof Error ? error.message : String(error) };
  }
  try {
    const runs = ledger.runs(50);
    const last = runs.find((run) => run.finishedMs !== null);
    const completed = runs.find((run) => run.finishedMs !== null && (run.status === 'ok' || run.status === 'failed'));
    const open: AlertRow[] = ledger.monitoring().all().filter((row) => row.state === 'open');
    const report = {
      lastRun: last ? new Date(last.finishedMs!).toISOString() : null,
      lastRunStatus: last?.status ?? null,
      lastSuccess: completed ? new Date(completed.finishedMs!).toISOString() : null,
      maxAgeSeconds,
      openAlerts: open.map((row) => ({ kind: row.kind, subject: row.subject, since: new Date(row.sinceMs).toISOString() })),
    };
    if (!completed) return { status: 'no-run', healthy: false, ...report, reason: 'no run has completed yet' };
    const age = options.now - completed.finishedMs!;
    if (age > options.maxAgeMs) return { status: 'stale', healthy: false, ...report, reason: `the last completed run ended ${Math.round(age / 60_000)} min ago (max-age ${Math.round(options.maxAgeMs / 60_000)} min)` };
    if (open.length > 0) return { status: 'failing', healthy: false, ...report, reason: `${open.length} alert(s) open: ${open.map((row) => row.kind).join(', ')}` };
    return { status: 'ok', healthy: true, ...report, reason: null };
  } finally {
    ledger.close();
  }
}

/** The open conditions (`camdl alerts`), from the ledger opened read-only. */
export function openAlerts(config: FleetConfig): AlertRow[] {
  const ledger = Ledger.open(config.ledger, { readOnly: true });
  try {
    return ledger.monitoring().all().filter((row) => row.state === 'open');
  } finally {
    ledger.close();
  }
}
