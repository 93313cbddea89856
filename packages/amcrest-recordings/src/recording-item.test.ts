import { describe, expect, it } from 'vitest';
import { toRecordingItem } from './recording-item.js';

const now = Date.UTC(2026, 0, 16);
const item = (fields: Record<string, string>) => ({
  FilePath: '/mnt/sd/2026-01-16/001/dav/10/a.mp4',
  StartTime: '2026-01-16 10:00:00',
  EndTime: '2026-01-16 10:08:00',
  ...fields,
});

describe('toRecordingItem', () => {
  it('keeps plausible numbers', () => {
    expect(toRecordingItem(item({ Duration: '480', Length: '1099511627776', Channel: '3' }), { now })).toMatchObject({ duration: 480, length: 2 ** 40, channel: 3 });
  });

  it('ignores an implausible Duration, Length or Channel with a warning, keeping the item', () => {
    const warnings: string[] = [];
    const parsed = toRecordingItem(item({ Duration: '99999999999999', Length: '1099511627777', Channel: '123456', Type: 'dav' }), { now, onWarning: (message) => warnings.push(message) });
    expect(parsed).toMatchObject({ duration: undefined, length: undefined, channel: undefined, startTime: '2026-01-16 10:00:00' });
    expect(warnings).toEqual([
      '"/mnt/sd/2026-01-16/001/dav/10/a.mp4": Channel "123456" is not plausible (at most 9999): ignored',
      '"/mnt/sd/2026-01-16/001/dav/10/a.mp4": Length "1099511627777" is not plausible (at most 1099511627776): ignored',
      '"/mnt/sd/2026-01-16/001/dav/10/a.mp4": Duration "99999999999999" is not plausible (at most 604800): ignored',
    ]);
  });

  it.each([
    ['StartTime', '1989-12-30 10:00:00'],
    ['EndTime', '9999-12-31 23:59:59'],
    ['EndTime', '2036-02-01 00:00:00'],
  ])('skips an item whose %s is %s, with a warning', (field, value) => {
    const warnings: string[] = [];
    expect(toRecordingItem(item({ [field]: value }), { now, onWarning: (message) => warnings.push(message) })).toBeUndefined();
    expect(warnings).toEqual([`"/mnt/sd/2026-01-16/001/dav/10/a.mp4": ${field} ${value} is not plausible (1990 to 10 years from now): the item is skipped`]);
  });

  it('warns about a Length that is not a number', () => {
    const warnings: string[] = [];
    expect(toRecordingItem(item({ Length: '-5' }), { now, onWarning: (message) => warnings.push(message) })?.length).toBeUndefined();
    expect(warnings).toEqual(['"/mnt/sd/2026-01-16/001/dav/10/a.mp4": Length "-5" is not a number: ignored']);
  });
});
