import type { CameraStatus, CameraVerdict } from './status.js';

/** One reason a camera is not ✓, with what a person needs to act on it. */
export type CameraConcern =
  /** The latest runs failed: nothing is being archived. */
  | { kind: 'failed-runs'; runs: number; error: string | undefined }
  /** In the config, never synced. */
  | { kind: 'never-synced' }
  /** Answers, but recorded nothing new since `sinceMs`. */
  | { kind: 'silent'; sinceMs: number }
  /** Strip days (`YYYY-MM-DD`) with a lost recording. */
  | { kind: 'lost'; days: string[] }
  /** Strip days a Timelapse camera's cadence expected an archive for and none was listed. */
  | { kind: 'missing'; days: string[] }
  /** Listed, not archived yet; `failing` of them failed at least once. */
  | { kind: 'pending'; recordings: number; failing: number }
  /** Copies on a target not verified yet, or in conflict with a file already there. */
  | { kind: 'copies'; target: string; pending: number; conflict: number };

/** The verdict of a camera and its concerns, worst first: ✗ when its runs fail, ⚠ for anything else to look at. */
export function cameraVerdict(camera: Omit<CameraStatus, 'verdict' | 'concerns'>): { verdict: CameraVerdict; concerns: CameraConcern[] } {
  const concerns: CameraConcern[] = [];
  const failing = camera.failedRuns > 0 && camera.lastRun?.status !== 'ok';
  if (failing) concerns.push({ kind: 'failed-runs', runs: camera.failedRuns, error: camera.lastRun?.error });
  if (camera.lastRun === undefined) concerns.push({ kind: 'never-synced' });
  if (camera.silent) concerns.push({ kind: 'silent', sinceMs: camera.silent.sinceMs });
  const stripDays = (state: 'lost' | 'missing') => camera.strip.filter((day) => day.state === state).map((day) => day.day);
  const lost = stripDays('lost');
  if (lost.length > 0) concerns.push({ kind: 'lost', days: lost });
  const missing = stripDays('missing');
  if (missing.length > 0) concerns.push({ kind: 'missing', days: missing });
  const pending = camera.channels.reduce((sum, channel) => sum + channel.pending, 0);
  if (pending > 0) concerns.push({ kind: 'pending', recordings: pending, failing: camera.channels.reduce((sum, channel) => sum + channel.failing, 0) });
  for (const copy of camera.copies) if (copy.pending > 0 || copy.conflict > 0) concerns.push({ kind: 'copies', target: copy.target, pending: copy.pending, conflict: copy.conflict });
  return { verdict: failing ? 'failing' : concerns.length > 0 ? 'attention' : 'ok', concerns };
}
