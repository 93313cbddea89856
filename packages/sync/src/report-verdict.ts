import type { CameraStatus } from './status.js';

/** How a camera stands: `ok` ✓, `warn` ⚠ (pending, lost, copies behind, never synced), `fail` ✗ (failing, silent, at risk). */
export type VerdictMark = 'ok' | 'warn' | 'fail';

export const MARK_SYMBOL: Record<VerdictMark, string> = { ok: '✓', warn: '⚠', fail: '✗' };

/** One camera's line of the fleet verdict. */
export interface CameraVerdict {
  mark: VerdictMark;
  /** What needs attention, worst first, each a short phrase (`last 2 runs failed`, `silent for 7 days`). */
  problems: string[];
  /** Pending recordings not at risk. */
  pending: number;
  lost: number;
  atRisk: number;
}

/** Facts about a camera the status does not hold. */
export interface VerdictFacts {
  /** End of the newest recording the ledger knows of. */
  newestMs: number | undefined;
  /** Start of the camera's first successful run. */
  firstRunMs: number | undefined;
  /** Pending recordings at risk of being overwritten. */
  atRisk: number;
  /** A reachable camera with nothing new for this long is silent. */
  silentAfterMs: number;
  now: number;
}

/** `3 h ago`, `2 days ago`: how long ago an instant was, in one unit. */
export function describeAgo(ms: number, now: number): string {
  return `${describeSpan(Math.max(0, now - ms))} ago`;
}

/** `45 min`, `3 h`, `7 days`. */
export function describeSpan(span: number): string {
  if (span < 60_000) return 'under a minute';
  if (span < 3_600_000) return `${Math.floor(span / 60_000)} min`;
  if (span < 2 * 86_400_000) return `${Math.floor(span / 3_600_000)} h`;
  return `${Math.floor(span / 86_400_000)} days`;
}

/**
 * The verdict on one camera: failing (its latest runs failed), silent (its last run reached it and it
 * has recorded nothing new for longer than `camera-silent-after`) and at-risk recordings are ✗;
 * lost or pending recordings, copies behind on a target and a camera never synced are ⚠.
 */
export function cameraVerdict(camera: CameraStatus, facts: VerdictFacts): CameraVerdict {
  const pending = camera.channels.reduce((sum, channel) => sum + channel.pending, 0);
  const waiting = Math.max(0, pending - facts.atRisk);
  const lost = camera.channels.reduce((sum, channel) => sum + channel.lost, 0);
  const failures: string[] = [];
  const warnings: string[] = [];
  if (camera.failedRuns > 0) failures.push(camera.failedRuns === 1 ? 'last run failed' : `last ${camera.failedRuns} runs failed`);
  const since = facts.newestMs ?? facts.firstRunMs;
  const reached = camera.lastRun?.status === 'ok';
  if (reached && since !== undefined && facts.now - since > facts.silentAfterMs) {
    failures.push(`silent for ${describeSpan(facts.now - since)}${facts.newestMs === undefined ? ' (nothing recorded yet)' : ''}`);
  }
  if (facts.atRisk > 0) failures.push(`${facts.atRisk} at risk of being overwritten`);
  if (lost > 0) warnings.push(`${lost} lost`);
  if (waiting > 0) warnings.push(`${waiting} pending`);
  if (camera.lastSuccessMs === undefined && camera.failedRuns === 0) warnings.push('never synced');
  for (const copy of camera.copies) {
    if (copy.failing > 0) warnings.push(`${copy.failing} copies failing on ${copy.target}`);
    else if (copy.pending > 0) warnings.push(`${copy.pending} copies pending on ${copy.target}`);
  }
  return { mark: failures.length > 0 ? 'fail' : warnings.length > 0 ? 'warn' : 'ok', problems: [...failures, ...warnings], pending: waiting, lost, atRisk: facts.atRisk };
}
