import type { CameraConcern } from './status-verdict.js';
import type { CameraStatus, CameraVerdict } from './status.js';

export const MARK_SYMBOL: Record<CameraVerdict, string> = { ok: '✓', warn: '⚠', fail: '✗' };

/** One camera's line of the page's fleet verdict: the status's verdict and concerns, worded. */
export interface CameraVerdictLine {
  mark: CameraVerdict;
  /** What needs attention, worst first, each a short phrase (`last 2 runs failed`, `silent for 7 days`). */
  problems: string[];
  /** Pending recordings not at risk. */
  pending: number;
  lost: number;
  atRisk: number;
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
 * The one wording of a silent camera, for the status, the report and the `camera-silent` alert alike:
 * `silent for 7 days`, or `silent for 3 days (nothing recorded yet)` when it never recorded anything
 * (counted from camdl's first run).
 */
export function silentText(silence: { sinceMs: number; newestMs: number | undefined }, now: number): string {
  return `silent for ${describeSpan(now - silence.sinceMs)}${silence.newestMs === undefined ? ' (nothing recorded yet)' : ''}`;
}

/** A concern as the page words it (plain text: the caller escapes it); nothing for pending ones that are all at risk (the at-risk phrase says them). */
function problemText(concern: CameraConcern, atRisk: number, now: number): string[] {
  switch (concern.kind) {
    case 'failed-runs':
      return [concern.runs === 1 ? 'last run failed' : `last ${concern.runs} runs failed`];
    case 'silent':
      return [silentText(concern, now)];
    case 'at-risk':
      return [`${concern.recordings} at risk of being overwritten`];
    case 'never-synced':
      return ['never synced'];
    case 'lost':
      return [`${concern.recordings} lost`];
    case 'missing':
      return [`no archive on ${concern.days.length} day(s)`];
    case 'pending':
      return concern.recordings > atRisk ? [`${concern.recordings - atRisk} pending`] : [];
    case 'copies':
      return [
        concern.failing > 0 ? `${concern.failing} copies failing on ${concern.target}` : concern.pending > 0 ? `${concern.pending} copies pending on ${concern.target}` : '',
        concern.conflict > 0 ? `${concern.conflict} copies in conflict on ${concern.target}` : '',
      ].filter(Boolean);
  }
}

/**
 * A camera's line of the page: the verdict `ledgerStatus` decided (the same as `camdl status`), its
 * concerns worded as short phrases, and the pending (at risk apart), lost and at-risk counts.
 */
export function verdictLine(camera: CameraStatus, now: number): CameraVerdictLine {
  const atRisk = camera.concerns.reduce((sum, concern) => sum + (concern.kind === 'at-risk' ? concern.recordings : 0), 0);
  const pending = camera.concerns.reduce((sum, concern) => sum + (concern.kind === 'pending' ? concern.recordings : 0), 0);
  const lost = camera.concerns.reduce((sum, concern) => sum + (concern.kind === 'lost' ? concern.recordings : 0), 0);
  return {
    mark: camera.verdict,
    problems: camera.concerns.flatMap((concern) => problemText(concern, atRisk, now)),
    pending: Math.max(0, pending - atRisk),
    lost,
    atRisk,
  };
}
