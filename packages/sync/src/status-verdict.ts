import type { CameraStatus, CameraVerdict } from './status.js';

/** One reason a camera is not ✓, with what a person needs to act on it. */
export type CameraConcern =
  /** The latest runs failed: nothing is being archived. */
  | { kind: 'failed-runs'; runs: number; error: string | undefined }
  /** In the config, never synced. */
  | { kind: 'never-synced' }
  /** Answers, but recorded nothing new since `sinceMs`: the end of its newest recording (`newestMs`), or camdl's first run when it has none. */
  | { kind: 'silent'; sinceMs: number; newestMs: number | undefined }
  /** Recordings lost, ever; `days`: the strip's days (`YYYY-MM-DD`) with a lost one. */
  | { kind: 'lost'; recordings: number; days: string[] }
  /** Pending recordings the camera may overwrite before camdl fetches them. */
  | { kind: 'at-risk'; recordings: number }
  /** Strip days a Timelapse camera's cadence expected an archive for and none was listed. */
  | { kind: 'missing'; days: string[] }
  /** Listed, not archived yet; `failing` of them failed at least once. */
  | { kind: 'pending'; recordings: number; failing: number }
  /** Copies on a target not verified yet (`failing` of them failed at least once), or in conflict with a file already there. */
  | { kind: 'copies'; target: string; pending: number; failing: number; conflict: number };

/**
 * The one verdict on a camera (`camdl status` and the report page both show it) and its concerns, worst
 * first: `fail` (✗) when its latest runs failed, it is silent or recordings are at risk (footage is being
 * or about to be lost); `warn` (⚠) for lost, missed or pending recordings, copies behind and a camera
 * without a successful run that is not failing either (never synced, or only interrupted runs).
 */
export function cameraVerdict(camera: Omit<CameraStatus, 'verdict' | 'concerns'>): { verdict: CameraVerdict; concerns: CameraConcern[] } {
  const concerns: CameraConcern[] = [];
  const runsFail = camera.failedRuns > 0 && camera.lastRun?.status !== 'ok';
  if (runsFail) concerns.push({ kind: 'failed-runs', runs: camera.failedRuns, error: camera.lastRun?.error });
  if (camera.silent) concerns.push({ kind: 'silent', sinceMs: camera.silent.sinceMs, newestMs: camera.silent.newestMs });
  const atRisk = camera.channels.reduce((sum, channel) => sum + (channel.atRisk ?? 0), 0);
  if (atRisk > 0) concerns.push({ kind: 'at-risk', recordings: atRisk });
  const fail = concerns.length > 0;
  if (camera.lastSuccessMs === undefined && !runsFail) concerns.push({ kind: 'never-synced' });
  const stripDays = (state: 'lost' | 'missing') => camera.strip.filter((day) => day.state === state).map((day) => day.day);
  const lost = camera.channels.reduce((sum, channel) => sum + channel.lost, 0);
  if (lost > 0) concerns.push({ kind: 'lost', recordings: lost, days: stripDays('lost') });
  const missing = stripDays('missing');
  if (missing.length > 0) concerns.push({ kind: 'missing', days: missing });
  const pending = camera.channels.reduce((sum, channel) => sum + channel.pending, 0);
  if (pending > 0) concerns.push({ kind: 'pending', recordings: pending, failing: camera.channels.reduce((sum, channel) => sum + channel.failing, 0) });
  for (const copy of camera.copies) {
    if (copy.pending > 0 || copy.conflict > 0) concerns.push({ kind: 'copies', target: copy.target, pending: copy.pending, failing: copy.failing, conflict: copy.conflict });
  }
  return { verdict: fail ? 'fail' : concerns.length > 0 ? 'warn' : 'ok', concerns };
}
