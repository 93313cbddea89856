import type { AlertPolicy } from './monitoring-config.js';
import type { AlertKind, AlertRow, Notice, Observation } from './alert-kinds.js';

/** Most names an alert keeps (a camera that lost 5000 recordings names the first ones and counts the rest). */
export const MAX_ALERT_ITEMS = 50;

export interface AdvanceAlertsInput {
  /** The conditions as the ledger holds them. */
  previous: readonly AlertRow[];
  /** What this run found true. */
  observations: readonly Observation[];
  /** Whether this run looked at a condition at all: one it looked at and did not find has recovered. */
  covers: (kind: AlertKind, subject: string) => boolean;
  policy: AlertPolicy;
  now: number;
}

/** Whether a condition seen `runs` times since `sinceMs` is due to open. */
function thresholdMet(kind: AlertKind, runs: number, sinceMs: number, policy: AlertPolicy, now: number): boolean {
  // A camera's own failure, and a target's, wait for the threshold: one blip of a link sends nothing.
  if (kind !== 'camera-unreachable' && kind !== 'target-failing') return true;
  const after = policy.cameraUnreachableAfter;
  return 'runs' in after ? runs >= after.runs : now - sinceMs >= after.ms;
}

/**
 * How much before `repeat` a run may re-send: a timer's runs come a few minutes early or late (its
 * randomised delay, runs of varying length), and a run that is 3 minutes short of 24 h must not push
 * the reminder to the next run, 25 h, drifting an hour a day.
 */
function repeatSlackMs(repeatMs: number): number {
  return Math.min(repeatMs / 20, 15 * 60_000);
}

function notice(event: Notice['event'], row: AlertRow, now: number, items: string[] = row.items): Notice {
  return { event, kind: row.kind, subject: row.subject, camera: row.camera, sinceMs: row.sinceMs, atMs: now, message: row.message, action: row.action, items };
}

/**
 * The state machine of conditions, pure: each opens once (after its threshold), is sent again after
 * `repeat` while it lasts (or when it names something new), and closes with `recovered` the first
 * time a run looks at it and does not find it. Conditions the run did not look at (a camera left out
 * with `--camera`, a run that failed before the cameras) stay as they were.
 */
export function advanceAlerts(input: AdvanceAlertsInput): { rows: AlertRow[]; notices: Notice[] } {
  const { policy, now } = input;
  const key = (kind: string, subject: string): string => `${kind}\u0000${subject}`;
  const previous = new Map(input.previous.map((row) => [key(row.kind, row.subject), row]));
  const rows: AlertRow[] = [];
  const notices: Notice[] = [];
  const seen = new Set<string>();
  for (const observation of input.observations) {
    const id = key(observation.kind, observation.subject);
    if (seen.has(id)) continue;
    seen.add(id);
    const before = previous.get(id);
    const observedItems = [...new Set(observation.items ?? [])];
    const newItems = before ? observedItems.filter((item) => !before.items.includes(item)) : observedItems;
    const row: AlertRow = {
      kind: observation.kind,
      subject: observation.subject,
      camera: observation.camera,
      state: before?.state ?? 'pending',
      sinceMs: before?.sinceMs ?? now,
      runs: (before?.runs ?? 0) + 1,
      openedMs: before?.openedMs,
      lastSentMs: before?.lastSentMs,
      updatedMs: now,
      message: observation.message,
      action: observation.action,
      items: [...(before?.items ?? []), ...newItems].slice(0, MAX_ALERT_ITEMS),
    };
    if (row.state === 'open') {
      if (newItems.length > 0) {
        row.lastSentMs = now;
        notices.push(notice('updated', row, now, newItems.slice(0, MAX_ALERT_ITEMS)));
      } else if (row.lastSentMs === undefined || now - row.lastSentMs >= policy.repeatMs - repeatSlackMs(policy.repeatMs)) {
        row.lastSentMs = now;
        notices.push(notice('repeated', row, now));
      }
    } else if (thresholdMet(row.kind, row.runs, row.sinceMs, policy, now)) {
      row.state = 'open';
      row.openedMs = now;
      row.lastSentMs = now;
      notices.push(notice('opened', row, now));
    }
    rows.push(row);
  }
  for (const [id, row] of previous) {
    if (seen.has(id)) continue;
    if (!input.covers(row.kind, row.subject)) {
      rows.push(row);
      continue;
    }
    if (row.state === 'open') notices.push(notice('recovered', row, now));
  }
  return { rows, notices };
}
