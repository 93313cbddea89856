import { describe, expect, it } from 'vitest';
import type { CameraStatus, ChannelStatus } from './status.js';
import { cameraVerdict } from './status-verdict.js';

const channel = (fields: Partial<ChannelStatus> = {}): ChannelStatus => ({
  channel: 0,
  files: 10,
  bytes: 10_000,
  days: [],
  pending: 0,
  lost: 0,
  failing: 0,
  firstMs: 0,
  lastMs: 0,
  periodDays: 1,
  gaps: [],
  horizon: undefined,
  ...fields,
});

const camera = (fields: Partial<Omit<CameraStatus, 'verdict' | 'concerns'>> = {}): Omit<CameraStatus, 'verdict' | 'concerns'> => ({
  name: 'gate',
  kind: 'timelapse',
  timeZone: 'UTC',
  lastSuccessMs: 1,
  lastRun: { status: 'ok', finishedMs: 1, error: undefined },
  failedRuns: 0,
  silent: undefined,
  strip: [{ day: '2026-03-01', state: 'archived' }],
  channels: [channel()],
  copies: [],
  offsiteOnly: 0,
  lostReasons: { overwritten: 0, deleted: 0, unknown: 0 },
  ...fields,
});

describe('cameraVerdict', () => {
  it('✓ only when nothing is failing, silent, at risk, lost, missed, pending or behind', () => {
    expect(cameraVerdict(camera())).toEqual({ verdict: 'ok', concerns: [] });
  });

  it('✗ for recordings at risk of being overwritten, where the horizon is known', () => {
    expect(cameraVerdict(camera({ channels: [channel({ pending: 3, atRisk: 2 })] }))).toEqual({
      verdict: 'fail',
      concerns: [
        { kind: 'at-risk', recordings: 2 },
        { kind: 'pending', recordings: 3, failing: 0 },
      ],
    });
  });

  it('⚠ for recordings lost before the strip (no day of the strip named) and for copies behind', () => {
    const copies = [{ target: 'nas', verified: 9, pending: 1, failing: 0, conflict: 0, oldestPendingMs: 1, oldestPendingAgeMs: 5 }];
    expect(cameraVerdict(camera({ channels: [channel({ lost: 2 })], copies }))).toEqual({
      verdict: 'warn',
      concerns: [
        { kind: 'lost', recordings: 2, days: [] },
        { kind: 'copies', target: 'nas', pending: 1, failing: 0, conflict: 0 },
      ],
    });
  });

  it('an interrupted run after failed ones is still failing; a camera never synced is ⚠', () => {
    const interrupted = camera({ lastRun: { status: 'interrupted', finishedMs: 2, error: undefined }, failedRuns: 2 });
    expect(cameraVerdict(interrupted)).toMatchObject({ verdict: 'fail', concerns: [{ kind: 'failed-runs', runs: 2 }] });
    expect(cameraVerdict(camera({ lastRun: undefined, lastSuccessMs: undefined, channels: [] }))).toEqual({ verdict: 'warn', concerns: [{ kind: 'never-synced' }] });
  });

  it('a camera whose only runs were interrupted has no successful run: never synced, not ✓', () => {
    expect(cameraVerdict(camera({ lastRun: { status: 'interrupted', finishedMs: 2, error: undefined }, lastSuccessMs: undefined, channels: [] }))).toEqual({ verdict: 'warn', concerns: [{ kind: 'never-synced' }] });
  });

  it('copies failing on a target are a concern with how many fail', () => {
    const copies = [{ target: 'nas', verified: 9, pending: 2, failing: 2, conflict: 0, oldestPendingMs: 1, oldestPendingAgeMs: 5 }];
    expect(cameraVerdict(camera({ copies }))).toEqual({ verdict: 'warn', concerns: [{ kind: 'copies', target: 'nas', pending: 2, failing: 2, conflict: 0 }] });
  });
});
