import { describe, expect, it } from 'vitest';
import type { Holdings, PendingRecording } from './ledger-horizon.js';
import { deriveHorizon, isWrapping, overwritePriority, retentionOf } from './overwrite-horizon.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T0 = Date.UTC(2026, 0, 10);

function holdings(observedMs: number, oldestMs: number | null, newestMs: number | null, extra: Partial<Holdings> = {}): Holdings {
  return { channel: 1, observedMs, count: oldestMs === null ? 0 : 10, oldestMs, newestMs, windowStartMs: null, totalBytes: null, usedBytes: null, retentionMs: null, ...extra };
}

function pending(startMs: number, size: number | null = 1_000_000, key = `r${startMs}`): PendingRecording {
  return { remoteKey: key, startMs, endMs: startMs + HOUR, size };
}

describe('the overwrite horizon', () => {
  it('sees a camera wrap when its oldest moves forward between listings, not when it stays', () => {
    const still = [holdings(T0, T0 - 5 * DAY, T0), holdings(T0 + DAY, T0 - 5 * DAY, T0 + DAY)];
    expect(isWrapping(still)).toBe(false);
    const moving = [holdings(T0, T0 - 5 * DAY, T0), holdings(T0 + DAY, T0 - 4 * DAY, T0 + DAY)];
    expect(isWrapping(moving)).toBe(true);
    expect(retentionOf(moving)).toEqual({ ms: 5 * DAY, source: 'observed' });
  });

  it('sees a full card wrap in one listing and projects a part-full card to its capacity', () => {
    const full = [holdings(T0, T0 - 3 * DAY, T0, { totalBytes: 1000, usedBytes: 990 })];
    expect(isWrapping(full)).toBe(true);
    expect(retentionOf(full)).toEqual({ ms: 3 * DAY, source: 'observed' });
    const quarter = [holdings(T0, T0 - 3 * DAY, T0, { totalBytes: 1000, usedBytes: 250 })];
    expect(isWrapping(quarter)).toBe(false);
    expect(retentionOf(quarter)).toEqual({ ms: 12 * DAY, source: 'capacity' });
  });

  it('prefers a reported retention and knows none without figures or at a window edge', () => {
    expect(retentionOf([holdings(T0, T0 - DAY, T0, { retentionMs: 30 * DAY })])).toEqual({ ms: 30 * DAY, source: 'reported' });
    expect(retentionOf([holdings(T0, T0 - DAY, T0)])).toBeUndefined();
    const edge = [holdings(T0, T0 - 5 * DAY, T0, { windowStartMs: T0 - 5 * DAY }), holdings(T0 + DAY, T0 - 4 * DAY, T0 + DAY, { windowStartMs: T0 - 4 * DAY })];
    expect(isWrapping(edge)).toBe(false);
    expect(retentionOf([])).toBeUndefined();
  });

  it('gives each pending recording its overwrite at start + retention and the ETA of the oldest', () => {
    const history = [holdings(T0 - DAY, T0 - 8 * DAY, T0 - DAY), holdings(T0, T0 - 7 * DAY, T0)];
    const horizon = deriveHorizon(1, history, [pending(T0 - 5 * DAY), pending(T0 - 2 * DAY)], { now: T0 });
    expect(horizon.wrapping).toBe(true);
    expect(horizon.retentionMs).toBe(7 * DAY);
    expect(horizon.oldestPendingMs).toBe(T0 - 5 * DAY);
    expect(horizon.overwriteAtMs).toBe(T0 + 2 * DAY);
    expect(horizon.etaMs).toBe(2 * DAY);
    expect(horizon.atRisk).toBe(false);
    expect(horizon.pendingCount).toBe(2);
  });

  it('is at risk inside the margin, naming the at-risk recordings oldest first', () => {
    const history = [holdings(T0, T0 - 7 * DAY, T0, { totalBytes: 100, usedBytes: 100 })];
    const horizon = deriveHorizon(1, history, [pending(T0 - 7 * DAY + HOUR, 1, 'a'), pending(T0 - 6 * DAY - 12 * HOUR, 1, 'b'), pending(T0 - 3 * DAY, 1, 'c')], { now: T0 });
    expect(horizon.etaMs).toBe(HOUR);
    expect(horizon.atRisk).toBe(true);
    expect(horizon.atRiskKeys).toEqual(['a', 'b']);
    expect(horizon.atRiskThroughMs).toBe(T0 - 6 * DAY - 12 * HOUR);
    const wider = deriveHorizon(1, history, [pending(T0 - 3 * DAY)], { now: T0, riskMarginMs: 5 * DAY });
    expect(wider.atRisk).toBe(true);
  });

  it('is at risk when fetching everything older takes longer than the overwrite, and says when the camera cap is why', () => {
    const history = [holdings(T0, T0 - 7 * DAY, T0, { totalBytes: 100, usedBytes: 100 })];
    // 10 GB each, 3 days left for the oldest: at 10 kB/s a file takes ~11.6 days.
    const items = [pending(T0 - 4 * DAY, 10e9, 'x'), pending(T0 - 3 * DAY, 10e9, 'y')];
    const capped = deriveHorizon(1, history, items, { now: T0, bytesPerSecond: 10_000, fleetBytesPerSecond: 0 });
    expect(capped.atRisk).toBe(true);
    expect(capped.atRiskKeys).toEqual(['x', 'y']);
    expect(capped.rateBound).toBe(true);
    const free = deriveHorizon(1, history, items, { now: T0, bytesPerSecond: 0 });
    expect(free.atRisk).toBe(false);
    expect(free.rateBound).toBe(false);
    // An unknown size counts as the average known one.
    const unknown = deriveHorizon(1, history, [pending(T0 - 4 * DAY, 10e9, 'x'), pending(T0 - 3 * DAY, null, 'z')], { now: T0, bytesPerSecond: 40_000, fleetBytesPerSecond: 40_000 });
    expect(unknown.atRiskKeys).toEqual(['x', 'z']);
    expect(unknown.rateBound).toBe(false);
  });

  it('knows no ETA without a retention, and orders cameras by their soonest overwrite', () => {
    const none = deriveHorizon(1, [holdings(T0, T0 - DAY, T0)], [pending(T0 - DAY)], { now: T0 });
    expect(none.etaMs).toBeUndefined();
    expect(none.atRisk).toBe(false);
    const soon = deriveHorizon(1, [holdings(T0, T0 - 2 * DAY, T0, { totalBytes: 1, usedBytes: 1 })], [pending(T0 - 2 * DAY)], { now: T0 });
    expect(overwritePriority([none, soon])).toBe(T0);
    expect(overwritePriority([none])).toBe(Number.POSITIVE_INFINITY);
  });
});
