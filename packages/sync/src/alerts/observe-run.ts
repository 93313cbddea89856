import { formatBytes } from '../format-bytes.js';
import type { TargetOutcome } from '../offsite-copies.js';
import { silentText } from '../report-verdict.js';
import { isRefusedLoginCode } from '../refused-login.js';
import type { SyncSummary } from '../sync-fleet.js';
import type { VerifyProblem } from '../verify.js';
import type { AlertKind, Observation } from './alert-kinds.js';
import type { AlertPolicy } from './monitoring-config.js';

const LEDGER_CODES = new Set(['ERR_SYNC_LEDGER', 'ERR_SYNC_SQLITE_UNAVAILABLE']);

/** What the off-site events of one run said about a target (the first of each; never a secret). */
export interface TargetTrouble {
  /** The target could not take uploads (its check or a target-wide error). */
  down?: { message: string; code: string | undefined } | undefined;
  /** Uploads that failed on the target's side, and the first of them. */
  failures: number;
  failed?: { error: string; code: string | undefined } | undefined;
  /** The key of the first object camdl never put there. */
  conflict?: string | undefined;
}

/** What to do about a failing target, by the error code of its failure. */
function targetAction(target: string, code: string | undefined, configFile: string): string {
  const where = `the target ${target} in ${configFile}`;
  const fix =
    code === 'ERR_OFFSITE_AUTH'
      ? `Check the credentials of ${where} (the key files or variables it names, the rclone remote's login)`
      : code === 'ERR_OFFSITE_NOT_FOUND'
        ? `Check that the bucket, remote or folder of ${where} exists`
        : code === 'ERR_OFFSITE_UNREACHABLE'
          ? `Check the network to ${where} and that its endpoint or mount is up`
          : code === 'ERR_OFFSITE_QUOTA'
            ? `Free space or raise the quota on ${where}`
            : code === 'ERR_OFFSITE_CLOCK_SKEW'
              ? "Set this machine's clock right (NTP); the store refuses requests signed at a skewed time"
              : `Check ${where} (credentials, network, space, permissions)`;
  return `${fix}; the local archive is complete, and the next camdl sync makes the pending copies once the target works.`;
}

/** The `target-failing` condition of one target of the run, or undefined when its copies went well. */
function targetFailing(copy: TargetOutcome, trouble: TargetTrouble | undefined, configFile: string): Observation | undefined {
  const target = copy.target;
  const pending = `${copy.pending} cop${copy.pending === 1 ? 'y' : 'ies'} pending`;
  if (copy.down !== undefined) {
    const reason = copy.down.startsWith(`target "${target}": `) ? copy.down.slice(target.length + 11) : copy.down;
    return { kind: 'target-failing', subject: target, message: `off-site target ${target} took no copies: ${reason} (${pending})`, action: targetAction(target, trouble?.down?.code, configFile) };
  }
  if (trouble?.failed !== undefined && trouble.failures > 0) {
    return {
      kind: 'target-failing',
      subject: target,
      message: `off-site target ${target}: ${trouble.failures} upload(s) failed, the first: ${trouble.failed.error} (${pending})`,
      action: targetAction(target, trouble.failed.code, configFile),
    };
  }
  if (copy.conflicts > 0) {
    return {
      kind: 'target-failing',
      subject: target,
      message: `off-site target ${target}: ${copy.conflicts} key(s) hold objects camdl never put there${trouble?.conflict === undefined ? '' : `, the first: ${trouble.conflict}`}`,
      action: `Compare each with the local file and move it away on ${target}; camdl never overwrites what it did not put there, and copies it on the next camdl sync.`,
    };
  }
  return undefined;
}

/** What one `camdl sync` run found, as the conditions need it. */
export interface RunFacts {
  /** The config file (named in actions). */
  configFile: string;
  archive: string;
  /** The run's summary; undefined when the run itself did not complete. */
  summary: SyncSummary | undefined;
  /** Why the run did not complete (config, ledger, crash). */
  runError: { message: string; code: string | undefined } | undefined;
  /** Remote names of the recordings each camera lost in this run (overwritten, or of unknown reason). */
  lost: ReadonlyMap<string, readonly string[]>;
  /** Remote names of the recordings that vanished from the middle of what each camera holds (someone deleted them). */
  deleted?: ReadonlyMap<string, readonly string[]> | undefined;
  /** The archive's disk: free and total bytes, when it could be measured. */
  disk: { freeBytes: number; totalBytes: number } | undefined;
  /** The run found the disk full. */
  diskFull: string | undefined;
  /** Per camera: the end of its newest recording the ledger knows, and when it was first synced. */
  recency: ReadonlyMap<string, { newestMs: number | undefined; firstRunMs: number | undefined }>;
  /**
   * `camdl status`'s verdict on silence (with the camera's cadence: a Timelapse camera that delivers
   * once a week is not silent after two days) for the cameras `recency` finds older than
   * `camera-silent-after`; undefined where the status says it is not silent. A camera not in the map
   * is decided by `recency` alone. @default none
   */
  silent?: ReadonlyMap<string, { sinceMs: number; newestMs: number | undefined } | undefined> | undefined;
  /** Recordings the camera will overwrite before they are fetched (filled in by the overwrite horizon). */
  atRisk?: ReadonlyArray<{ camera: string; items: readonly string[]; message: string }> | undefined;
  /** What the run's off-site events said per target (the targets themselves are the summary's `copies`). */
  targets?: ReadonlyMap<string, TargetTrouble> | undefined;
  now: number;
}

/** Whether the archive's free space is under `min-free`. */
export function diskIsLow(disk: { freeBytes: number; totalBytes: number }, minFree: AlertPolicy['minFree']): boolean {
  const threshold = 'percent' in minFree ? (disk.totalBytes * minFree.percent) / 100 : minFree.bytes;
  return disk.freeBytes < threshold;
}

/**
 * The conditions one sync run found, and which conditions it looked at (those it looked at and did
 * not find have recovered). A camera that was busy or interrupted says nothing either way.
 */
export function observeSyncRun(facts: RunFacts, policy: AlertPolicy): { observations: Observation[]; covers: (kind: AlertKind, subject: string) => boolean } {
  const observations: Observation[] = [];
  const covered = new Set<string>();
  const cover = (kind: AlertKind, subject: string): void => {
    covered.add(`${kind}\u0000${subject}`);
  };
  if (facts.runError) {
    const ledger = facts.runError.code !== undefined && LEDGER_CODES.has(facts.runError.code);
    observations.push({
      kind: ledger ? 'ledger-error' : 'run-failed',
      subject: '',
      message: `camdl sync could not complete: ${facts.runError.message}`,
      action: ledger
        ? `Check the ledger (disk, permissions, a newer camdl wrote it); nothing was archived in this run. camdl status --config ${facts.configFile} shows what it holds.`
        : `Run camdl sync --config ${facts.configFile} by hand to see the error; nothing was archived in this run.`,
    });
    cover(ledger ? 'run-failed' : 'ledger-error', '');
  } else {
    cover('run-failed', '');
    cover('ledger-error', '');
  }
  for (const outcome of facts.summary?.cameras ?? []) {
    const camera = outcome.camera;
    if (outcome.status === 'busy' || outcome.status === 'interrupted') continue;
    const code = outcome.errorCode;
    const answered = outcome.status === 'ok' || outcome.listed > 0;
    // A refused login, or a password camdl could not read to try one.
    if (outcome.status === 'failed' && (isRefusedLoginCode(code) || code === 'ERR_SYNC_PASSWORD')) {
      observations.push({
        kind: 'login-refused',
        subject: camera,
        camera,
        message: `${camera} refused the login: ${outcome.error ?? code}`,
        action: `Check the user name and the password (password-file or password-env) of ${camera} in ${facts.configFile}; camdl tries once per run, so the camera does not lock the account.`,
      });
      cover('camera-unreachable', camera);
    } else if (outcome.status === 'failed' && code !== 'ERR_SYNC_DISK_FULL' && !answered) {
      observations.push({
        kind: 'camera-unreachable',
        subject: camera,
        camera,
        message: `${camera} could not be reached: ${outcome.error ?? code ?? 'failed'}`,
        action: `Check that ${camera} has power and network and that its host in ${facts.configFile} is right; its recordings wait on the camera (which overwrites the oldest when full).`,
      });
      cover('login-refused', camera);
    } else if (answered) {
      cover('camera-unreachable', camera);
      cover('login-refused', camera);
    }
    if (outcome.status === 'ok') {
      cover('camera-silent', camera);
      const recency = facts.recency.get(camera);
      const since = recency?.newestMs ?? recency?.firstRunMs;
      const silence = since === undefined || facts.now - since <= policy.cameraSilentAfterMs ? undefined : facts.silent?.has(camera) ? facts.silent.get(camera) : { sinceMs: since, newestMs: recency?.newestMs };
      if (silence !== undefined) {
        observations.push({
          kind: 'camera-silent',
          subject: camera,
          camera,
          message: `${camera}: ${silentText(silence, facts.now)}`,
          action: `Check that recording is enabled on ${camera} (its schedule and storage card, and on a Timelapse camera the app's job) and that its clock is right.`,
        });
      }
    }
    if (answered) {
      cover('recordings-lost', camera);
      cover('recordings-deleted', camera);
      const lost = facts.lost.get(camera) ?? [];
      const deleted = facts.deleted?.get(camera) ?? [];
      const named = (names: readonly string[]): string => `${names.slice(0, 5).join(', ')}${names.length > 5 ? ` and ${names.length - 5} more` : ''}`;
      if (outcome.lost > deleted.length || lost.length > 0) {
        observations.push({
          kind: 'recordings-lost',
          subject: camera,
          camera,
          message: `${camera} overwrote ${Math.max(outcome.lost - deleted.length, lost.length)} recording(s) before camdl could archive them: ${named(lost)}`,
          action: `Run camdl sync more often, raise the bandwidth or the camera's storage, so ${camera} does not overwrite what is not archived yet.`,
          items: lost,
        });
      }
      if (deleted.length > 0) {
        observations.push({
          kind: 'recordings-deleted',
          subject: camera,
          camera,
          message: `${deleted.length} recording(s) vanished from the middle of what ${camera} holds before camdl could archive them (deleted, not overwritten): ${named(deleted)}`,
          action: `Find out who or what deleted recordings on ${camera} (its users, a card swapped or formatted); they were not archived and are gone.`,
          items: deleted,
        });
      }
      cover('recordings-at-risk', camera);
    }
  }
  for (const risk of facts.atRisk ?? []) {
    observations.push({
      kind: 'recordings-at-risk',
      subject: risk.camera,
      camera: risk.camera,
      message: risk.message,
      action: `Run camdl sync now and more often; ${risk.camera} is about to overwrite recordings that are not archived.`,
      items: risk.items,
    });
  }
  // Every target of the run's cameras was checked (even one with nothing to upload): each is judged.
  for (const copy of facts.summary?.copies ?? []) {
    cover('target-failing', copy.target);
    const failing = targetFailing(copy, facts.targets?.get(copy.target), facts.configFile);
    if (failing) observations.push(failing);
  }
  if (facts.disk !== undefined || facts.diskFull !== undefined) {
    cover('disk-low', facts.archive);
    const low = facts.disk !== undefined && diskIsLow(facts.disk, policy.minFree);
    if (low || facts.diskFull !== undefined) {
      const free = facts.disk ? `${formatBytes(facts.disk.freeBytes)} free of ${formatBytes(facts.disk.totalBytes)}` : `full (${facts.diskFull})`;
      observations.push({
        kind: 'disk-low',
        subject: facts.archive,
        message: `the archive's disk is low: ${free} at ${facts.archive}`,
        action: 'Free space or move the archive to a larger disk; when it is full camdl starts no new downloads and the cameras keep overwriting.',
      });
    }
  }
  return { observations, covers: (kind, subject) => covered.has(`${kind}\u0000${subject}`) };
}

/** The conditions one `camdl verify` found: a missing or changed file per camera. */
export function observeVerify(cameras: readonly string[], problems: readonly VerifyProblem[], configFile: string): { observations: Observation[]; covers: (kind: AlertKind, subject: string) => boolean } {
  const byCamera = new Map<string, VerifyProblem[]>();
  for (const problem of problems) byCamera.set(problem.camera, [...(byCamera.get(problem.camera) ?? []), problem]);
  const observations = [...byCamera].map(([camera, found]): Observation => ({
    kind: 'verify-failed',
    subject: camera,
    camera,
    message: `verify found ${found.length} archived file(s) of ${camera} missing or changed: ${found
      .slice(0, 5)
      .map((problem) => `${problem.path} (${problem.problem})`)
      .join(', ')}${found.length > 5 ? ` and ${found.length - 5} more` : ''}`,
    action: `Check the archive's disk; camdl sync --config ${configFile} fetches again what the camera still has, the rest is lost.`,
    items: found.map((problem) => problem.path),
  }));
  const names = new Set(cameras);
  return { observations, covers: (kind, subject) => kind === 'verify-failed' && names.has(subject) };
}
