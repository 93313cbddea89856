import { describe, expect, it } from 'vitest';
import { describeAgo, verdictLine } from './report-verdict.js';
import type { CameraStatus, ChannelStatus } from './status.js';
import { cameraVerdict } from './status-verdict.js';

const NOW = Date.parse('2026-12-07T09:00:00Z');
const DAY = 86_400_000;

/** A camera as ledgerStatus hands it to the page: the verdict and concerns decided by status-verdict. */
function camera(overrides: Partial<Omit<CameraStatus, 'verdict' | 'concerns'>> = {}, channel: Partial<ChannelStatus> = {}): CameraStatus {
  const status: Omit<CameraStatus, 'verdict' | 'concerns'> = {
    name: 'gate',
    kind: 'timelapse',
    timeZone: 'UTC',
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
  return { ...status, ...cameraVerdict(status) };
}

const copy = { target: 'nas', verified: 3, pending: 0, failing: 0, conflict: 0, oldestPendingMs: NOW, oldestPendingAgeMs: 0 };

describe('verdictLine', () => {
  it('a camera with everything archived and recent recordings is ✓ with nothing to say', () => {
    expect(verdictLine(camera(), NOW)).toEqual({ mark: 'ok', problems: [], pending: 0, lost: 0, atRisk: 0 });
  });

  it('failing runs are ✗ even when every recording it knows is archived', () => {
    const failing = camera({ failedRuns: 2, lastRun: { status: 'failed', finishedMs: NOW, error: 'ECONNREFUSED' } });
    expect(verdictLine(failing, NOW)).toMatchObject({ mark: 'fail', problems: ['last 2 runs failed'] });
    expect(verdictLine(camera({ failedRuns: 1, lastRun: { status: 'failed', finishedMs: NOW, error: 'x' } }), NOW).problems).toEqual(['last run failed']);
  });

  it('a silent camera is ✗ for as long as it has recorded nothing new, or since the first run when it never recorded', () => {
    expect(verdictLine(camera({ silent: { newestMs: NOW - 7 * DAY, sinceMs: NOW - 7 * DAY } }), NOW)).toMatchObject({ mark: 'fail', problems: ['silent for 7 days'] });
    expect(verdictLine(camera({ silent: { newestMs: undefined, sinceMs: NOW - 3 * DAY } }), NOW)).toMatchObject({ mark: 'fail', problems: ['silent for 3 days (nothing recorded yet)'] });
  });

  it('at risk is ✗ and counted apart from pending; lost, pending, missed days, copies behind and never synced are ⚠', () => {
    expect(verdictLine(camera({}, { pending: 5, atRisk: 2 }), NOW)).toEqual({ mark: 'fail', problems: ['2 at risk of being overwritten', '3 pending'], pending: 3, lost: 0, atRisk: 2 });
    expect(verdictLine(camera({}, { pending: 2, atRisk: 2 }), NOW)).toEqual({ mark: 'fail', problems: ['2 at risk of being overwritten'], pending: 0, lost: 0, atRisk: 2 });
    expect(verdictLine(camera({}, { lost: 4 }), NOW)).toMatchObject({ mark: 'warn', problems: ['4 lost'], lost: 4 });
    expect(verdictLine(camera({ strip: [{ day: '2026-12-05', state: 'missing' }, { day: '2026-12-06', state: 'missing' }] }), NOW)).toMatchObject({ mark: 'warn', problems: ['no archive on 2 day(s)'] });
    expect(verdictLine(camera({ copies: [{ ...copy, pending: 2 }] }), NOW)).toMatchObject({ mark: 'warn', problems: ['2 copies pending on nas'] });
    expect(verdictLine(camera({ copies: [{ ...copy, pending: 2, failing: 1, conflict: 1 }] }), NOW)).toMatchObject({ mark: 'warn', problems: ['1 copies failing on nas', '1 copies in conflict on nas'] });
    expect(verdictLine(camera({ lastSuccessMs: undefined, lastRun: undefined }, { files: 0 }), NOW)).toMatchObject({ mark: 'warn', problems: ['never synced'] });
  });

  it('says how long ago in one unit', () => {
    expect([30_000, 45 * 60_000, 5 * 3_600_000, 9 * DAY].map((ago) => describeAgo(NOW - ago, NOW))).toEqual(['under a minute ago', '45 min ago', '5 h ago', '9 days ago']);
  });
});
