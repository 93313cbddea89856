import { describe, expect, it } from 'vitest';
import { apiFromAppInfo, retentionMonthsFromAppInfo } from './api.js';
import { parseArchiveList } from './archive.js';
import { filterArchives, parseTimeBound, toNamePattern } from './filters.js';

const context = { api: 'timelapse3' as const, url: 'http://cam/local/timelapse2/archive' };

describe('parseArchiveList', () => {
  it('reads a bare array, tolerates unknown fields', () => {
    const body = JSON.stringify([{ id: 'Q', filename: 'a.mp4', size: 10, frames: 2, fps: 10, first: 1727560800123, last: 1727647140456, container: 'mp4', extra: { x: 1 } }]);
    const { archives, warnings } = parseArchiveList(body, context);
    expect(archives).toMatchObject([{ id: 'Q', filename: 'a.mp4', size: 10, frames: 2, fps: 10, first: 1727560800123, last: 1727647140456, raw: { container: 'mp4' } }]);
    expect(warnings).toEqual([]);
  });

  it('ignores implausible times, sizes, frame counts and rates with a warning, keeping the archive', () => {
    const now = Date.UTC(2026, 0, 1);
    const body = JSON.stringify([
      { id: 'Q', filename: 'far.mp4', size: 1e300, frames: 1e300, fps: 1e9, first: 1e15, last: 1e300 },
      { id: 'Q', filename: 'early.mp4', size: 2 ** 40 + 1, first: 86_400_000, last: '631152000000' },
      { id: 'Q', filename: 'edge.mp4', size: 2 ** 40, first: Date.UTC(1990, 0, 1), last: now + 86_400_000 },
    ]);
    const { archives, warnings } = parseArchiveList(body, { ...context, now });
    expect(archives.map((a) => [a.filename, a.size, a.frames, a.fps, a.first, a.last])).toEqual([
      ['far.mp4', undefined, undefined, undefined, undefined, undefined],
      ['early.mp4', undefined, undefined, undefined, undefined, 631152000000],
      ['edge.mp4', 2 ** 40, undefined, undefined, Date.UTC(1990, 0, 1), now + 86_400_000],
    ]);
    expect(warnings).toHaveLength(7);
    expect(warnings[0]).toBe('archive "far.mp4": size 1e+300 is not plausible (bytes, at most 1099511627776 (1 TiB)): ignored');
    expect(warnings.filter((warning) => /last 1e\+300 is not plausible \(a time from 1990/.test(warning))).toHaveLength(1);
    expect(warnings.filter((warning) => /"early\.mp4": first 86400000 is not plausible/.test(warning))).toHaveLength(1);
  });

  it('accepts []', () => {
    expect(parseArchiveList('[]', context).archives).toEqual([]);
  });

  it.each([
    ['<html><body>Login</body></html>', /HTML page/],
    ['<!DOCTYPE html><html>', /HTML page/],
    ['[{"id":', /invalid JSON/],
    ['', /invalid JSON.*empty body/],
    ['{"archives":[]}', /JSON array.*an object/],
    ['{"error":"x"} trailing', /invalid JSON/],
    ['"x"', /JSON array.*a string/],
  ])('refuses %j', (body, message) => {
    expect(() => parseArchiveList(body, context)).toThrow(expect.objectContaining({ code: 'ERR_TIMELAPSE_BAD_RESPONSE', message: expect.stringMatching(message) }));
  });

  it('tolerates a byte order mark, trailing NULs and blanks', () => {
    const { archives, warnings } = parseArchiveList('\uFEFF[{"id":"Q","filename":"a.mp4"}]\n\u0000', context);
    expect(archives.map((a) => a.filename)).toEqual(['a.mp4']);
    expect(warnings).toEqual([]);
  });

  it('keeps a complete array followed by garbage, with a warning', () => {
    const { archives, warnings } = parseArchiveList('[{"id":"Q","filename":"a]{.mp4"}]\nDEBUG: 1 archive', context);
    expect(archives.map((a) => a.filename)).toEqual(['a]{.mp4']);
    expect(warnings).toEqual([expect.stringMatching(/followed by 17 unexpected characters/)]);
  });

  it('takes {} as no archives, with a warning', () => {
    const { archives, warnings } = parseArchiveList('{}', context);
    expect(archives).toEqual([]);
    expect(warnings).toEqual([expect.stringMatching(/\{\} instead of a list/)]);
  });

  it('refuses an HTML content type even with a JSON-looking body', () => {
    expect(() => parseArchiveList('[]', { ...context, contentType: 'text/html' })).toThrow(expect.objectContaining({ code: 'ERR_TIMELAPSE_BAD_RESPONSE' }));
  });

  it('drops entries without filename (and on TimelapseMe without id) with warnings', () => {
    const body = JSON.stringify([{ id: 'Q' }, 5, { filename: 'b.avi' }, { id: 'Q', filename: 'a.avi', size: 'big' }, { id: 'Q', filename: 'a.avi' }]);
    const v3 = parseArchiveList(body, context);
    expect(v3.archives.map((a) => a.filename)).toEqual(['b.avi', 'a.avi']);
    expect(v3.archives[1]!.size).toBeUndefined();
    expect(v3.warnings.length).toBe(4);
    const me = parseArchiveList(body, { ...context, api: 'timelapseme' });
    expect(me.archives.map((a) => a.filename)).toEqual(['a.avi']);
  });

  it.each([['["a.mp4","b.mp4"]'], ['[{"size":1},{"filename":""}]'], ['[null]']])('refuses a list of only unusable entries %s (not an empty camera)', (body) => {
    expect(() => parseArchiveList(body, context)).toThrow(expect.objectContaining({ code: 'ERR_TIMELAPSE_BAD_RESPONSE', message: expect.stringMatching(/none of the \d+ entries/) }));
  });

  it('on TimelapseMe, a list whose entries all lack an id is refused too', () => {
    expect(() => parseArchiveList('[{"filename":"a.avi"}]', { ...context, api: 'timelapseme' })).toThrow(expect.objectContaining({ code: 'ERR_TIMELAPSE_BAD_RESPONSE' }));
  });
});

describe('apiFromAppInfo', () => {
  const app = (version: unknown) => ({ manifest: { acapPackageConf: { setup: { version } } } });
  it.each([
    ['1.2.3', 'timelapse2-v1'],
    ['3.1.0', 'timelapse3'],
    ['4.0', 'timelapse3'],
  ])('%s → %s', (version, api) => {
    expect(apiFromAppInfo(app(version))?.api).toBe(api);
  });
  it('is undefined without a version', () => {
    expect(apiFromAppInfo({ settings: {} })).toBeUndefined();
    expect(apiFromAppInfo(app('abc'))).toBeUndefined();
  });
});

describe('filters', () => {
  const a = (filename: string, first?: number, last?: number) => ({ id: '', filename, size: undefined, frames: undefined, fps: undefined, first, last, raw: {} });
  const list = [a('North_1.avi', 100, 200), a('North_2.avi', 300, 400), a('South.avi', 500, 600), a('Unknown.avi')];
  it('since/until on first/last; unknown times only without bounds', () => {
    expect(filterArchives(list, { since: 250 }).map((x) => x.filename)).toEqual(['North_2.avi', 'South.avi']);
    expect(filterArchives(list, { until: 350 }).map((x) => x.filename)).toEqual(['North_1.avi', 'North_2.avi']);
    expect(filterArchives(list, {}).length).toBe(4);
  });
  it('glob and /regex/', () => {
    expect(filterArchives(list, { match: 'North_*' }).length).toBe(2);
    expect(filterArchives(list, { match: 'North_[!1].avi' }).map((x) => x.filename)).toEqual(['North_2.avi']);
    expect(filterArchives(list, { match: '/^s/i' }).map((x) => x.filename)).toEqual(['South.avi']);
    expect(() => toNamePattern('/(/')).toThrow(expect.objectContaining({ code: 'ERR_TIMELAPSE_INVALID_OPTIONS' }));
  });
  it('parses time bounds', () => {
    const now = Date.UTC(2025, 9, 10);
    expect(parseTimeBound('7d', now).getTime()).toBe(now - 7 * 86_400_000);
    expect(parseTimeBound('2025-09-30T12:00:00Z').getTime()).toBe(Date.UTC(2025, 8, 30, 12));
    expect(parseTimeBound('2025-09-30').getDate()).toBe(30);
    expect(parseTimeBound('1727560800123').getTime()).toBe(1727560800123);
    expect(() => parseTimeBound('someday')).toThrow(expect.objectContaining({ code: 'ERR_TIMELAPSE_INVALID_OPTIONS' }));
  });
  it('today / yesterday are local midnights; now is now', () => {
    const now = new Date(2025, 9, 10, 15, 30).getTime();
    expect(parseTimeBound('today', now).getTime()).toBe(new Date(2025, 9, 10).getTime());
    expect(parseTimeBound('Yesterday', now).getTime()).toBe(new Date(2025, 9, 9).getTime());
    expect(parseTimeBound('now', now).getTime()).toBe(now);
  });
  it('refuses impossible dates instead of rolling them over', () => {
    for (const text of ['2026-13-45', '2025-02-30', '2025-02-29', '2025-04-31', '2025-09-30T24:00:00', '2025-09-30T12:61']) {
      expect(() => parseTimeBound(text), text).toThrow(expect.objectContaining({ code: 'ERR_TIMELAPSE_INVALID_OPTIONS' }));
    }
    expect(parseTimeBound('2024-02-29').getDate()).toBe(29);
  });
  it('refuses a --since after --until', async () => {
    const { assertTimeBoundsOrder } = await import('./filters.js');
    expect(() => assertTimeBoundsOrder(new Date(2025, 9, 1), new Date(2025, 8, 1))).toThrow(/after --until/);
    expect(() => assertTimeBoundsOrder(new Date(2025, 8, 1), new Date(2025, 9, 1))).not.toThrow();
    expect(() => assertTimeBoundsOrder(undefined, new Date(2025, 9, 1))).not.toThrow();
  });
});

describe('retentionMonthsFromAppInfo', () => {
  it('reads the whole months the app is set to keep archives, 1 to 120', () => {
    expect(retentionMonthsFromAppInfo({ settings: { retentionMonths: 1 } })).toBe(1);
    expect(retentionMonthsFromAppInfo({ settings: { retentionMonths: '6' } })).toBe(6);
    expect(retentionMonthsFromAppInfo({ settings: { retentionMonths: 120 } })).toBe(120);
  });
  it('is undefined when the app does not say, or says what no real setting is', () => {
    for (const months of [undefined, 0, -1, 1.5, 121, 1e300, Number.NaN, '6 months', '', null, [6], { months: 6 }]) {
      expect(retentionMonthsFromAppInfo({ settings: { retentionMonths: months } }), String(months)).toBeUndefined();
    }
    expect(retentionMonthsFromAppInfo({})).toBeUndefined();
    expect(retentionMonthsFromAppInfo('retentionMonths=6')).toBeUndefined();
  });
});
