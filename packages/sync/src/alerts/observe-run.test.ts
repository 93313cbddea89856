import { describe, expect, it } from 'vitest';
import type { CameraOutcome } from '../sync-fleet.js';
import { DEFAULT_ALERT_POLICY } from './monitoring-config.js';
import { observeSyncRun, type RunFacts } from './observe-run.js';

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
    expect(observations).toEqual([expect.objectContaining({ kind: 'camera-silent', subject: 'gate', message: expect.stringContaining('recorded nothing new for 3 days') })]);
  });

  it('a run that could not complete is run-failed, or ledger-error when the ledger is the cause', () => {
    expect(observeSyncRun(facts({ summary: undefined, runError: { message: 'boom', code: undefined } }), DEFAULT_ALERT_POLICY).observations.map((o) => o.kind)).toEqual(['run-failed']);
    const ledger = observeSyncRun(facts({ summary: undefined, runError: { message: 'newer schema', code: 'ERR_SYNC_LEDGER' } }), DEFAULT_ALERT_POLICY);
    expect(ledger.observations.map((o) => o.kind)).toEqual(['ledger-error']);
    expect(ledger.covers('run-failed', '')).toBe(true);
    expect(ledger.covers('camera-unreachable', 'gate')).toBe(false);
  });

  it('reports failing off-site targets and recordings at risk handed in by their producers', () => {
    const { observations, covers } = observeSyncRun(
      facts({
        targets: new Map([
          ['s3-offsite', 'HTTP 403 from the bucket'],
          ['usb', undefined],
        ]),
        atRisk: [{ camera: 'gate', items: ['a.mp4'], message: 'gate overwrites a.mp4 in 3 h' }],
      }),
      DEFAULT_ALERT_POLICY,
    );
    expect(observations.map((o) => `${o.kind} ${o.subject}`)).toEqual(['recordings-at-risk gate', 'target-failing s3-offsite']);
    expect(covers('target-failing', 'usb')).toBe(true);
  });

  it('disk-low under a percentage or a size', () => {
    const disk = { freeBytes: 5 * 1024 ** 3, totalBytes: 100 * 1024 ** 3 };
    expect(observeSyncRun(facts({ disk }), DEFAULT_ALERT_POLICY).observations.map((o) => o.message)).toEqual(["the archive's disk is low: 5.0 GiB free of 100.0 GiB at /srv/camdl"]);
    expect(observeSyncRun(facts({ disk }), { ...DEFAULT_ALERT_POLICY, minFree: { bytes: 1024 ** 3 } }).observations).toEqual([]);
  });
});
