import { describe, expect, it } from 'vitest';
import { cameraVerdict, describeAgo, type VerdictFacts } from './report-verdict.js';
import type { CameraStatus, ChannelStatus } from './status.js';

const NOW = Date.parse('2026-12-07T09:00:00Z');
const DAY = 86_400_000;

function camera(overrides: Partial<CameraStatus> = {}, channel: Partial<ChannelStatus> = {}): CameraStatus {
  return {
    name: 'gate',
    kind: 'timelapse',
    timeZone: 'UTC',
    verdict: 'ok',
    concerns: [],
    silent: undefined,
    strip: [],
    lastSuccessMs: NOW - 3_600_000,
    lastRun: { status: 'ok', finishedMs: NOW - 3_600_000, error: undefined },
    failedRuns: 0,
    channels: [{ channel: 0, files: 10, bytes: 1, days: [], pending: 0, lost: 0, failing: 0, firstMs: NOW - 10 * DAY, lastMs: NOW - DAY, periodDays: undefined, gaps: [], horizon: undefined, ...channel }],
    copies: [],
    offsiteOnly: 0,
    lostReasons: { overwritten: 0, deleted: 0, unknown: 0 },
    ...overrides,
  };
}

const facts: VerdictFacts = { newestMs: NOW - DAY / 2, firstRunMs: NOW - 10 * DAY, atRisk: 0, silentAfterMs: 2 * DAY, now: NOW };

describe('cameraVerdict', () => {
  it('a camera with everything archived and recent recordings is ✓ with nothing to say', () => {
    expect(cameraVerdict(camera(), facts)).toEqual({ mark: 'ok', problems: [], pending: 0, lost: 0, atRisk: 0 });
  });

  it('failing runs are ✗ even when every recording it knows is archived', () => {
    const failing = camera({ failedRuns: 2, lastRun: { status: 'failed', finishedMs: NOW, error: 'ECONNREFUSED' } });
    expect(cameraVerdict(failing, facts)).toMatchObject({ mark: 'fail', problems: ['last 2 runs failed'] });
  });

  it('a reachable camera with nothing new for longer than camera-silent-after is ✗ silent; an unreachable one is failing, not silent', () => {
    expect(cameraVerdict(camera(), { ...facts, newestMs: NOW - 7 * DAY })).toMatchObject({ mark: 'fail', problems: ['silent for 7 days'] });
    expect(cameraVerdict(camera(), { ...facts, newestMs: undefined, firstRunMs: NOW - 3 * DAY })).toMatchObject({ problems: ['silent for 3 days (nothing recorded yet)'] });
    expect(cameraVerdict(camera({ failedRuns: 1, lastRun: { status: 'failed', finishedMs: NOW, error: 'x' } }), { ...facts, newestMs: NOW - 7 * DAY }).problems).toEqual(['last run failed']);
  });

  it('at risk is ✗ and counted apart from pending; lost, pending, copies behind and never synced are ⚠', () => {
    expect(cameraVerdict(camera({}, { pending: 5 }), { ...facts, atRisk: 2 })).toEqual({ mark: 'fail', problems: ['2 at risk of being overwritten', '3 pending'], pending: 3, lost: 0, atRisk: 2 });
    expect(cameraVerdict(camera({}, { lost: 4 }), facts)).toMatchObject({ mark: 'warn', problems: ['4 lost'] });
    const behind = camera({ copies: [{ target: 'nas', verified: 3, pending: 2, failing: 0, conflict: 0, oldestPendingMs: NOW, oldestPendingAgeMs: 0 }] });
    expect(cameraVerdict(behind, facts)).toMatchObject({ mark: 'warn', problems: ['2 copies pending on nas'] });
    expect(cameraVerdict(camera({ lastSuccessMs: undefined, lastRun: undefined }, { files: 0 }), { ...facts, newestMs: undefined, firstRunMs: undefined })).toMatchObject({ mark: 'warn', problems: ['never synced'] });
  });

  it('says how long ago in one unit', () => {
    expect([30_000, 45 * 60_000, 5 * 3_600_000, 9 * DAY].map((ago) => describeAgo(NOW - ago, NOW))).toEqual(['under a minute ago', '45 min ago', '5 h ago', '9 days ago']);
  });
});
