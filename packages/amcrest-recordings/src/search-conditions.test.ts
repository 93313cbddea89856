import { describe, expect, it } from 'vitest';
import { isAmcrestError } from './errors.js';
import { conditionParams, matchConditions, normalizeEvents, normalizeRecordFlags, normalizeVideoStream } from './search-conditions.js';

const item = (raw: Record<string, string>, events: string[], flags: string[]) => ({ raw, events, flags });

describe('search conditions', () => {
  it('spells flags, events and streams the firmware way whatever the case typed', () => {
    expect(normalizeRecordFlags(['event', 'TIMING', 'Event'])).toEqual(['Event', 'Timing']);
    expect(normalizeEvents(['videomotion', 'alarmlocal', 'MyVendorEvent2'])).toEqual(['VideoMotion', 'AlarmLocal', 'MyVendorEvent2']);
    expect(normalizeVideoStream('extra1')).toBe('Extra1');
    expect(normalizeVideoStream(' MAIN ')).toBe('Main');
  });

  it('refuses what no device understands', () => {
    for (const bad of [() => normalizeRecordFlags(['Motion']), () => normalizeEvents(['Video Motion']), () => normalizeEvents(['a&b=1']), () => normalizeVideoStream('sub')]) {
      let caught: unknown;
      try {
        bad();
      } catch (error) {
        caught = error;
      }
      expect(isAmcrestError(caught, 'ERR_AMCREST_INVALID_OPTIONS')).toBe(true);
    }
  });

  it('builds the condition parameters as the Dahua API names them', () => {
    expect(conditionParams({ types: ['dav', 'mp4'], flags: ['Event'], events: ['VideoMotion', 'AlarmLocal'], videoStream: 'Main' })).toEqual([
      ['condition.Types[0]', 'dav'],
      ['condition.Types[1]', 'mp4'],
      ['condition.Flags[0]', 'Event'],
      ['condition.Events[0]', 'VideoMotion'],
      ['condition.Events[1]', 'AlarmLocal'],
      ['condition.VideoStream', 'Main'],
    ]);
    expect(conditionParams({ types: [], flags: [], events: [], videoStream: undefined })).toEqual([]);
  });

  it('keeps one stream, and items carrying any flag/event asked', () => {
    const wanted = { flags: ['Event'] as const, events: ['VideoMotion'], videoStream: 'Main' as const };
    expect(matchConditions(item({ VideoStream: 'Main' }, ['VideoMotion'], ['Event']), wanted, true)).toBe('match');
    expect(matchConditions(item({ VideoStream: 'Extra1' }, ['VideoMotion'], ['Event']), wanted, true)).toBe('other-stream');
    expect(matchConditions(item({ VideoStream: 'Main' }, ['AlarmLocal'], ['Event']), wanted, true)).toBe('not-matching');
    expect(matchConditions(item({ VideoStream: 'Main' }, ['videomotion'], ['Timing', 'event']), wanted, true)).toBe('match');
    // No VideoStream field: nothing says it is another stream.
    expect(matchConditions(item({}, ['VideoMotion'], ['Event']), wanted, false)).toBe('match');
    // No Events field: kept when the device filtered, left out when it could not.
    expect(matchConditions(item({}, [], ['Event']), wanted, true)).toBe('match');
    expect(matchConditions(item({}, [], ['Event']), wanted, false)).toBe('not-matching');
    expect(matchConditions(item({ VideoStream: 'Extra1' }, [], []), { flags: [], events: [], videoStream: undefined }, false)).toBe('match');
  });
});
