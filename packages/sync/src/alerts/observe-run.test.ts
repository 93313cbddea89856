import { describe, expect, it } from 'vitest';
import type { TargetOutcome } from '../offsite-copies.js';
import { silentText } from '../report-verdict.js';
import type { CameraOutcome } from '../sync-fleet.js';
import { DEFAULT_ALERT_POLICY } from './monitoring-config.js';
import { observeSyncRun, type RunFacts, type TargetTrouble } from './observe-run.js';

const NOW = Date.parse('2026-03-10T00:00:00Z');
const DAY = 86_400_000;

function outcome(camera: string, fields: Partial<CameraOutcome> = {}): CameraOutcome {
  return { camera, status: 'ok', listed: 1, downloaded: 0, bytes: 0, failed: 0, lost: 0, deleted: 0, pending: 0, error: undefined, errorCode: undefined, ...fields };
}

function facts(fields: Partial<RunFacts>): RunFacts {
  return { configFile: '/etc/camdl/camdl.yaml', archive: '/srv/camdl', summary: { cameras: [], copies: [], interrupted: false }, runError: undefined, lost: new Map(), disk: undefined, diskFull: undefined, recency: new Map(), now: NOW, ...fields };
}

describe('observeSyncRun', () => {
  it('tells an unreachable camera from a refused login and a full disk, and looks only at what the run saw', () => {
    const { observations, covers } = observeSyncRun(
      facts({
        summary: {
          interrupted: false,
          copies: [],
          cameras: [
            outcome('gate', { status: 'failed', listed: 0, error: 'connection refused', errorCode: 'ERR_TIMELAPSE_NETWORK' }),
            outcome('porch', { status: 'failed', listed: 0, error: 'wrong password', errorCode: 'ERR_DIGEST_BAD_CREDENTIALS' }),
            outcome('yard', { status: 'failed', listed: 3, errorCode: 'ERR_SYNC_DISK_FULL' }),
            outcome('shed', { status: 'busy', listed: 0 }),
          ],
        },
      }),
      DEFAULT_ALERT_POLICY,
    );
    expect(observations.map((o) => `${o.kind} ${o.subject}`)).toEqual(['camera-unreachable gate', 'login-refused porch']);
    expect(covers('camera-unreachable', 'porch')).toBe(true);
    expect(covers('camera-unreachable', 'yard')).toBe(true);
    expect(covers('camera-unreachable', 'shed')).toBe(false);
    expect(covers('camera-silent', 'gate')).toBe(false);
  });

  it('a camera that answers with nothing new for longer than camera-silent-after is silent', () => {
    const { observations } = observeSyncRun(
      facts({ summary: { interrupted: false, copies: [], cameras: [outcome('gate'), outcome('crane')] }, recency: new Map([['gate', { newestMs: NOW - 3 * DAY, firstRunMs: NOW - 9 * DAY }], ['crane', { newestMs: NOW - DAY, firstRunMs: NOW - 9 * DAY }]]) }),
      DEFAULT_ALERT_POLICY,
    );
    expect(observations).toEqual([expect.objectContaining({ kind: 'camera-silent', subject: 'gate', message: 'gate: silent for 3 days' })]);
    // Any kind of camera: the Timelapse app's job is named as what it is, one case among others.
    expect(observations[0]?.action).toBe("Check that recording is enabled on gate (its schedule and storage card, and on a Timelapse camera the app's job) and that its clock is right.");
  });

  it('words a silent camera as camdl status and the report do; one that never recorded counts from its first run', () => {
    const { observations } = observeSyncRun(
      facts({ summary: { interrupted: false, copies: [], cameras: [outcome('gate'), outcome('crane')] }, recency: new Map([['gate', { newestMs: NOW - 3 * DAY, firstRunMs: NOW - 9 * DAY }], ['crane', { newestMs: undefined, firstRunMs: NOW - 9 * DAY }]]) }),
      DEFAULT_ALERT_POLICY,
    );
    expect(observations.map((observation) => observation.message)).toEqual(['gate: silent for 3 days', 'crane: silent for 9 days (nothing recorded yet)']);
    expect(observations.map((observation) => observation.message)).toEqual([
      `gate: ${silentText({ sinceMs: NOW - 3 * DAY, newestMs: NOW - 3 * DAY }, NOW)}`,
      `crane: ${silentText({ sinceMs: NOW - 9 * DAY, newestMs: undefined }, NOW)}`,
    ]);
  });

  it('a run that could not complete is run-failed, or ledger-error when the ledger is the cause', () => {
    expect(observeSyncRun(facts({ summary: undefined, runError: { message: 'boom', code: undefined } }), DEFAULT_ALERT_POLICY).observations.map((o) => o.kind)).toEqual(['run-failed']);
    const ledger = observeSyncRun(facts({ summary: undefined, runError: { message: 'newer schema', code: 'ERR_SYNC_LEDGER' } }), DEFAULT_ALERT_POLICY);
    expect(ledger.observations.map((o) => o.kind)).toEqual(['ledger-error']);
    expect(ledger.covers('run-failed', '')).toBe(true);
    expect(ledger.covers('camera-unreachable', 'gate')).toBe(false);
  });

  it('judges every target of the run from its outcome: down, failed uploads, conflicts; a quiet target is covered', () => {
    const copy = (target: string, fields: Partial<TargetOutcome> = {}): TargetOutcome => ({ target, uploaded: 0, repaired: 0, failed: 0, conflicts: 0, pending: 0, down: undefined, ...fields });
    const { observations, covers } = observeSyncRun(
      facts({
        summary: {
          interrupted: false,
          cameras: [],
          copies: [
            copy('s3-offsite', { down: 'target "s3-offsite": the store refused the credentials (HTTP 403)', pending: 4 }),
            copy('nas', { failed: 2, pending: 2 }),
            copy('usb', { conflicts: 1 }),
            copy('quiet'),
            copy('local-only', { failed: 1, pending: 1 }),
          ],
        },
        targets: new Map<string, TargetTrouble>([
          ['s3-offsite', { failures: 0, down: { message: 'refused', code: 'ERR_OFFSITE_AUTH' } }],
          ['nas', { failures: 2, failed: { error: 'connection reset', code: 'ERR_OFFSITE_UNREACHABLE' } }],
          ['usb', { failures: 0, conflict: 'gate/2026-03-02/a.mkv' }],
        ]),
        atRisk: [{ camera: 'gate', items: ['a.mp4'], message: 'gate overwrites a.mp4 in 3 h' }],
      }),
      DEFAULT_ALERT_POLICY,
    );
    expect(observations.map((o) => `${o.kind} ${o.subject}`)).toEqual(['recordings-at-risk gate', 'target-failing s3-offsite', 'target-failing nas', 'target-failing usb']);
    const [, down, failed, conflict] = observations;
    expect(down!.message).toBe('off-site target s3-offsite took no copies: the store refused the credentials (HTTP 403) (4 copies pending)');
    expect(down!.action).toMatch(/^Check the credentials of the target s3-offsite in \/etc\/camdl\/camdl.yaml/);
    expect(failed!.message).toBe('off-site target nas: 2 upload(s) failed, the first: connection reset (2 copies pending)');
    expect(failed!.action).toMatch(/^Check the network to the target nas/);
    expect(conflict!.message).toBe('off-site target usb: 1 key(s) hold objects camdl never put there, the first: gate/2026-03-02/a.mkv');
    // A target with nothing to do, and one whose only failure was a local file, are judged and found well.
    for (const target of ['quiet', 'local-only', 'usb']) expect(covers('target-failing', target)).toBe(true);
    expect(covers('target-failing', 'elsewhere')).toBe(false);
  });

  it('disk-low under a percentage or a size', () => {
    const disk = { freeBytes: 5 * 1024 ** 3, totalBytes: 100 * 1024 ** 3 };
    expect(observeSyncRun(facts({ disk }), DEFAULT_ALERT_POLICY).observations.map((o) => o.message)).toEqual(["the archive's disk is low: 5.0 GiB free of 100.0 GiB at /srv/camdl"]);
    expect(observeSyncRun(facts({ disk }), { ...DEFAULT_ALERT_POLICY, minFree: { bytes: 1024 ** 3 } }).observations).toEqual([]);
  });
});
