import { describe, expect, it } from 'vitest';
import { advanceAlerts } from './advance-alerts.js';
import type { AlertRow, Observation } from './alert-kinds.js';
import { DEFAULT_ALERT_POLICY, type AlertPolicy } from './monitoring-config.js';

const HOUR = 3_600_000;
const down = (camera: string): Observation => ({ kind: 'camera-unreachable', subject: camera, camera, message: `${camera} could not be reached`, action: 'check it' });
const everything = (): boolean => true;

/** Runs the state machine over a sequence of runs, an hour apart; returns each run's notices. */
function runs(sequence: Observation[][], policy: AlertPolicy = DEFAULT_ALERT_POLICY, covers: (kind: string, subject: string) => boolean = everything): { notices: string[][]; rows: AlertRow[] } {
  let rows: AlertRow[] = [];
  const notices: string[][] = [];
  sequence.forEach((observations, index) => {
    const next = advanceAlerts({ previous: rows, observations, covers, policy, now: 1_800_000_000_000 + index * HOUR });
    rows = next.rows;
    notices.push(next.notices.map((notice) => `${notice.event} ${notice.kind} ${notice.subject}`));
  });
  return { notices, rows };
}

describe('advanceAlerts', () => {
  it('holds a camera failure back until two runs in a row, sends it once, repeats after 24 h, recovers once', () => {
    const sequence = [[down('gate')], [down('gate')], ...Array.from({ length: 23 }, () => [down('gate')]), [down('gate')], []];
    const { notices, rows } = runs(sequence);
    expect(notices[0]).toEqual([]);
    expect(notices[1]).toEqual(['opened camera-unreachable gate']);
    expect(notices.slice(2, 25).flat()).toEqual([]);
    expect(notices[25]).toEqual(['repeated camera-unreachable gate']);
    expect(notices[26]).toEqual(['recovered camera-unreachable gate']);
    expect(rows).toEqual([]);
  });

  it('forgets a single blip without a message', () => {
    expect(runs([[down('gate')], [], [down('gate')], []]).notices.flat()).toEqual([]);
  });

  it('opens after a duration instead of a count when configured so', () => {
    const policy: AlertPolicy = { ...DEFAULT_ALERT_POLICY, cameraUnreachableAfter: { ms: 3 * HOUR } };
    const { notices } = runs([[down('gate')], [down('gate')], [down('gate')], [down('gate')]], policy);
    expect(notices.map((list) => list.length)).toEqual([0, 0, 0, 1]);
  });

  it('sends other kinds at once, and new names of an open condition as an update', () => {
    const lost = (items: string[]): Observation => ({ kind: 'recordings-lost', subject: 'gate', camera: 'gate', message: 'lost', action: 'sync more often', items });
    const { notices, rows } = runs([[lost(['a.mp4'])], [lost(['a.mp4'])], [lost(['a.mp4', 'b.mp4'])]]);
    expect(notices).toEqual([['opened recordings-lost gate'], [], ['updated recordings-lost gate']]);
    expect(rows[0]?.items).toEqual(['a.mp4', 'b.mp4']);
  });

  it('holds a failing target back like a camera: one failed run sends nothing, two in a row open it', () => {
    const failing: Observation = { kind: 'target-failing', subject: 'offsite', message: 'off-site target offsite took no copies', action: 'check it' };
    expect(runs([[failing], [], [failing], [failing], []]).notices).toEqual([[], [], [], ['opened target-failing offsite'], ['recovered target-failing offsite']]);
  });

  it('repeats at its cadence when the runs of a timer come a few minutes early or late (every 24 h, not every 25)', () => {
    const lost: Observation = { kind: 'disk-low', subject: '/srv/cams', message: 'low', action: 'free space' };
    // Hourly runs, each starting up to 5 minutes after the hour (a timer's RandomizedDelaySec, runs of varying length).
    const start = 1_800_000_000_000;
    const jitter = [4, 0, 3, 1, 5, 2, 6];
    let rows: AlertRow[] = [];
    const sent: number[] = [];
    for (let hour = 0; hour <= 72; hour += 1) {
      const now = start + hour * HOUR + jitter[hour % jitter.length]! * 60_000;
      const next = advanceAlerts({ previous: rows, observations: [lost], covers: everything, policy: DEFAULT_ALERT_POLICY, now });
      rows = next.rows;
      if (next.notices.length > 0) sent.push(hour);
    }
    expect(sent).toEqual([0, 24, 48, 72]);
    // Never well before its time: an hour early is not due.
    const early = advanceAlerts({ previous: rows, observations: [lost], covers: everything, policy: DEFAULT_ALERT_POLICY, now: rows[0]!.lastSentMs! + 23 * HOUR });
    expect(early.notices).toEqual([]);
  });

  it('keeps what a run did not look at (a camera left out), open and unsent', () => {
    const { notices, rows } = runs([[down('gate')], [down('gate')], [], []], DEFAULT_ALERT_POLICY, () => false);
    expect(notices.flat()).toEqual(['opened camera-unreachable gate']);
    expect(rows.map((row) => `${row.state} ${row.subject}`)).toEqual(['open gate']);
  });
});
