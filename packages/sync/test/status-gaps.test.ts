import { DatabaseSync } from 'node:sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import { fleetStatus, sqliteAvailable, STATUS_JSON_VERSION } from '@camdl/sync';
import { dailyTimelapse, DAY, HOUR, recording, StatusFleet, type StatusCameraSpec } from './status-ledger.js';

const FIRST = Date.parse('2025-01-01T00:00:00Z');
/** The 400th day, 20:00: the last archive (06:00–18:00) is in, synced an hour later. */
const NOW = FIRST + 399 * DAY + 20 * HOUR;
const dayOf = (index: number) => new Date(FIRST + index * DAY).toISOString().slice(0, 10);

describe.skipIf(!sqliteAvailable())('camdl status: gaps that mean something', () => {
  let fleet: StatusFleet | undefined;
  afterEach(async () => {
    await fleet?.cleanup();
    fleet = undefined;
  });
  const statusOf = async (cameras: StatusCameraSpec[], now = NOW) => {
    fleet = await StatusFleet.create(cameras);
    return fleetStatus(fleet.config(), { now });
  };
  const okRun = [{ atMs: NOW - HOUR, status: 'ok' as const }];

  it('a daily Timelapse camera with every archive has no gap (the nights are not gaps), a full strip and ✓', async () => {
    const status = await statusOf([{ name: 'garden', kind: 'timelapse', recordings: dailyTimelapse(FIRST, 400), runs: okRun }]);
    expect(status.version).toBe(STATUS_JSON_VERSION);
    const camera = status.cameras[0]!;
    expect(camera.channels[0]).toMatchObject({ files: 400, pending: 0, lost: 0, gaps: [], periodDays: 1 });
    expect(camera.strip).toHaveLength(30);
    expect(camera.strip.at(-1)).toEqual({ day: dayOf(399), state: 'archived' });
    expect(camera.strip.every((day) => day.state === 'archived')).toBe(true);
    expect(camera).toMatchObject({ verdict: 'ok', concerns: [] });
  });

  it('names each lost day and each day the camera never delivered, and nothing else', async () => {
    const lost = new Set([17, 120, 250, 388, 395]);
    const recordings = dailyTimelapse(FIRST, 400, (index) => (lost.has(index) ? 'lost' : index === 391 || index === 392 ? 'absent' : 'archived'));
    const camera = (await statusOf([{ name: 'garden', kind: 'timelapse', recordings, runs: okRun }])).cameras[0]!;
    const channel = camera.channels[0]!;
    expect(channel.lost).toBe(5);
    expect(channel.gaps.map((gap) => [gap.reason, gap.firstDay, gap.lastDay])).toEqual([
      ['lost', dayOf(17), dayOf(17)],
      ['lost', dayOf(120), dayOf(120)],
      ['lost', dayOf(250), dayOf(250)],
      ['lost', dayOf(388), dayOf(388)],
      ['missing', dayOf(391), dayOf(392)],
      ['lost', dayOf(395), dayOf(395)],
    ]);
    expect(channel.gaps.find((gap) => gap.reason === 'missing')).toMatchObject({ days: 2, recordings: 0 });
    const states = Object.fromEntries(camera.strip.map((day) => [day.day, day.state]));
    expect([states[dayOf(388)], states[dayOf(391)], states[dayOf(392)], states[dayOf(395)], states[dayOf(396)]]).toEqual(['lost', 'missing', 'missing', 'lost', 'archived']);
    expect(camera.verdict).toBe('warn');
    expect(camera.concerns).toEqual([
      { kind: 'lost', recordings: 5, days: [dayOf(388), dayOf(395)] },
      { kind: 'missing', days: [dayOf(391), dayOf(392)] },
    ]);
  });

  it('infers a weekly cadence: the six days between archives are no gap, a missed week is', async () => {
    const weekly = dailyTimelapse(FIRST, 400, (index) => (index % 7 !== 0 ? 'absent' : index === 350 ? 'absent' : 'archived'));
    const channel = (await statusOf([{ name: 'site', kind: 'timelapse', recordings: weekly, runs: okRun }])).cameras[0]!.channels[0]!;
    expect(channel.periodDays).toBe(7);
    expect(channel.gaps).toEqual([{ reason: 'missing', firstDay: dayOf(344), lastDay: dayOf(356), days: 13, recordings: 0 }]);
  });

  it('a continuous recorder: hours it did not record are no gap; what it listed and camdl does not hold is, named by day', async () => {
    // Hourly recordings on channel 1, none between 00:00 and 08:00 (the camera records by schedule).
    const start = NOW - 3 * DAY - 20 * HOUR;
    const fates = new Map<number, 'lost' | 'failing' | 'pending'>([[34, 'lost'], [35, 'lost'], [40, 'failing'], [60, 'pending']]);
    const recordings = Array.from({ length: 72 }, (_, hour) => hour)
      .filter((hour) => hour % 24 >= 8)
      .map((hour) => ({ recording: recording(1, start + hour * HOUR, 1), fate: fates.get(hour) ?? ('archived' as const) }));
    const camera = (await statusOf([{ name: 'nvr', kind: 'amcrest', recordings, runs: okRun }])).cameras[0]!;
    const channel = camera.channels[0]!;
    expect(channel).toMatchObject({ pending: 2, failing: 1, lost: 2, periodDays: undefined });
    // Named by camera day: the day with a lost hour is lost (its pending hour waits behind it), the next day pending.
    expect(channel.gaps).toEqual([
      { reason: 'lost', firstDay: dayOf(397), lastDay: dayOf(397), days: 1, recordings: 2 },
      { reason: 'pending', firstDay: dayOf(398), lastDay: dayOf(398), days: 1, recordings: 1 },
    ]);
    expect(camera.strip.slice(-4).map((day) => day.state)).toEqual(['archived', 'lost', 'pending', 'not-recorded']);
    expect(camera.strip.slice(0, -4).every((day) => day.state === 'before-known')).toBe(true);
    expect(camera.concerns).toContainEqual({ kind: 'pending', recordings: 2, failing: 1 });
  });

  it('a camera whose last run failed and a silent one are ✗, one never synced ⚠, never ✓', async () => {
    const status = await statusOf([
      { name: 'failing', kind: 'timelapse', recordings: dailyTimelapse(FIRST, 400), runs: [{ atMs: NOW - 2 * DAY, status: 'ok' }, { atMs: NOW - DAY, status: 'failed', error: 'ECONNREFUSED' }, { atMs: NOW - HOUR, status: 'failed', error: 'ECONNREFUSED' }] },
      { name: 'silent', kind: 'timelapse', recordings: dailyTimelapse(FIRST, 393), runs: okRun },
      { name: 'new', kind: 'timelapse', recordings: [], runs: [] },
    ]);
    const [failing, silent, fresh] = status.cameras;
    expect(failing).toMatchObject({ verdict: 'fail', failedRuns: 2, concerns: [{ kind: 'failed-runs', runs: 2, error: 'ECONNREFUSED' }] });
    expect(silent).toMatchObject({ verdict: 'fail', silent: { newestMs: FIRST + 392 * DAY + 18 * HOUR - 1000 }, concerns: [{ kind: 'silent' }] });
    // The days after the last archive are not recorded, not a gap: the silence says it.
    expect(silent!.strip.slice(-7).map((day) => day.state)).toEqual(Array(7).fill('not-recorded'));
    expect(silent!.channels[0]!.gaps).toEqual([]);
    expect(fresh).toMatchObject({ verdict: 'warn', concerns: [{ kind: 'never-synced' }], channels: [] });
    expect(fresh!.strip.every((day) => day.state === 'before-known')).toBe(true);
  });

  it('a row an older camdl stored with an impossible end keeps no camera from being silent', async () => {
    fleet = await StatusFleet.create([{ name: 'silent', kind: 'timelapse', recordings: dailyTimelapse(FIRST, 393), runs: okRun }]);
    const db = new DatabaseSync(fleet.config().ledger);
    db.prepare(`UPDATE recordings SET end_ms = ? WHERE id = (SELECT MIN(id) FROM recordings)`).run(1e15);
    db.close();
    const [silent] = fleetStatus(fleet.config(), { now: NOW }).cameras;
    expect(silent).toMatchObject({ verdict: 'fail', silent: { newestMs: FIRST + 392 * DAY + 18 * HOUR - 1000 }, concerns: [{ kind: 'silent', newestMs: FIRST + 392 * DAY + 18 * HOUR - 1000 }] });
  });

  it('--camera selects cameras by name; an unknown one is a config error', async () => {
    fleet = await StatusFleet.create([
      { name: 'a', kind: 'timelapse', recordings: [], runs: [] },
      { name: 'b', kind: 'timelapse', recordings: [], runs: [] },
    ]);
    expect(fleetStatus(fleet.config(), { cameras: ['b'], now: NOW }).cameras.map((camera) => camera.name)).toEqual(['b']);
    expect(() => fleetStatus(fleet!.config(), { cameras: ['c'] })).toThrow(/no camera named "c" \(known: a, b\)/);
  });
});
