import { describe, expect, it } from 'vitest';
import { fromIsapiTime, instantOfWallClock, posixZoneOffsetMinutes, toIsapiTime, wallClockAt, deviceTimeFrom } from './device-clock.js';
import { downloadRequestBody } from './download-recording.js';
import { recordingFileName, sizeFromPlaybackUri, toRecording } from './recording.js';
import { parseSearchPage, searchDescription, newSearchId } from './search-page.js';
import { parseUserCheck } from './user-check.js';
import { parseXml } from '@camdl/internal';

const NVR_ANSWER = `<?xml version="1.0" encoding="UTF-8"?>
<CMSearchResult version="2.0" xmlns="http://www.isapi.org/ver20/XMLSchema">
<searchID>{88c2cd4d-d3fa-4ad4-bd80-555c18205dcc}</searchID>
<responseStatus>true</responseStatus>
<responseStatusStrg>OK</responseStatusStrg>
<numOfMatches>1</numOfMatches>
<matchList><searchMatchItem>
  <sourceID>{00000000-0000-0000-0000-000000000000}</sourceID><trackID>101</trackID>
  <timeSpan><startTime>2021-08-18T15:18:15Z</startTime><endTime>2021-08-18T15:19:08Z</endTime></timeSpan>
  <mediaSegmentDescriptor><contentType>video</contentType><codecType>H.264-BP</codecType>
    <playbackURI>rtsp://10.14.97.40/Streaming/tracks/101/?starttime=20210818T151815Z&amp;endtime=20210818T151908Z&amp;name=00000004667000100&amp;size=1400788</playbackURI>
    <lockStatus>unlock</lockStatus><name>00000004667000100</name></mediaSegmentDescriptor>
  <metadataMatches><metadataDescriptor>recordType.meta.hikvision.com/timing</metadataDescriptor></metadataMatches>
</searchMatchItem></matchList></CMSearchResult>`;

describe('ISAPI answers', () => {
  it('reads a real NVR search answer by local names, the playbackURI decoded once', () => {
    const page = parseSearchPage(parseXml(NVR_ANSWER));
    expect(page).toMatchObject({ version: '2.0', status: 'OK', numOfMatches: 1 });
    const recording = toRecording(page!.items[0]!, 1, { z: 'local', timeZone: 'America/Los_Angeles' });
    if (typeof recording === 'string') throw new Error(recording);
    expect(recording.playbackUri).toBe('rtsp://10.14.97.40/Streaming/tracks/101/?starttime=20210818T151815Z&endtime=20210818T151908Z&name=00000004667000100&size=1400788');
    expect(recording.size).toBe(1_400_788);
    // Local-with-Z: the digits are the recorder's wall clock (PDT, UTC−7 in August).
    expect(recording.startWallClock).toBe('2021-08-18 15:18:15');
    expect(recording.start.toISOString()).toBe('2021-08-18T22:18:15.000Z');
    expect(recording.codec).toBe('H.264-BP');
    expect(recordingFileName(recording)).toBe('ch01_20210818_151815-20210818_151908.mp4');
  });

  it('a prefixed namespace, a single item without matchList and NO MATCHES with whitespace', () => {
    const single = parseSearchPage(parseXml('<h:CMSearchResult xmlns:h="http://www.std-cgi.org/ver20/XMLSchema" version="1.0"><h:responseStatusStrg>MORE</h:responseStatusStrg><h:searchMatchItem><h:trackID>201</h:trackID></h:searchMatchItem></h:CMSearchResult>'));
    expect(single).toMatchObject({ version: '1.0', status: 'MORE' });
    expect(single!.items).toHaveLength(1);
    const empty = parseSearchPage(parseXml('<CMSearchResult><responseStatusStrg>NO MATCHES</responseStatusStrg><numOfMatches>0</numOfMatches><matchList>\n  </matchList></CMSearchResult>'));
    expect(empty).toMatchObject({ status: 'NO MATCHES', items: [] });
    expect(parseXml('<a><b></a>')).toBeUndefined();
  });

  it('refuses items a device should not send: control characters, end before start, no URI', () => {
    const item = (uri: string, start = '2026-01-16T00:00:00Z', end = '2026-01-16T00:01:00Z') =>
      parseXml(`<searchMatchItem><timeSpan><startTime>${start}</startTime><endTime>${end}</endTime></timeSpan><mediaSegmentDescriptor><playbackURI>${uri}</playbackURI></mediaSegmentDescriptor></searchMatchItem>`)!;
    expect(toRecording(item('rtsp://x/a&#10;b'), 1, { z: 'utc', offsetMinutes: 0 })).toMatch(/control/);
    expect(toRecording(item('rtsp://x/a', '2026-01-16T00:01:00Z', '2026-01-16T00:00:00Z'), 1, { z: 'utc', offsetMinutes: 0 })).toMatch(/ends before/);
    expect(toRecording(item(''), 1, { z: 'utc', offsetMinutes: 0 })).toMatch(/without playbackURI/);
    expect(sizeFromPlaybackUri('rtsp://x/?name=a&size=99999999999999999')).toBeUndefined();
    expect(sizeFromPlaybackUri('rtsp://x/?name=a&size=12&x=1')).toBe(12);
  });

  it('writes the request with the device spelling, a UUID and exact times; escapes the URI once', () => {
    const id = newSearchId();
    expect(id).toMatch(/^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/);
    const body = searchDescription({ searchId: id, trackId: 201, startTime: '2026-01-16T00:00:00Z', endTime: '2026-01-16T23:59:59Z', maxResults: 40, position: 25 });
    expect(body).toContain('<searchResultPostion>25</searchResultPostion>');
    expect(body).toContain('<trackList><trackID>201</trackID></trackList>');
    expect(downloadRequestBody('rtsp://h/?a=1&b=2')).toContain('<playbackURI>rtsp://h/?a=1&amp;b=2</playbackURI>');
  });

  it('reads a userCheck, and the recorder clock from /ISAPI/System/time', () => {
    expect(parseUserCheck('<userCheck><statusValue>401</statusValue><lockStatus>lock</lockStatus><unlockTime>1780</unlockTime><retryLoginTime>0</retryLoginTime></userCheck>')).toEqual({ lockStatus: 'lock', unlockTime: 1780, retryLoginTime: 0 });
    expect(parseUserCheck('<html>Document Error: Unauthorized</html>')).toBeUndefined();
    // A lock of 31 years or a billion attempts left is a broken answer: not quoted to the user.
    expect(parseUserCheck('<userCheck><lockStatus>lock</lockStatus><unlockTime>999999999</unlockTime><retryLoginTime>999999999</retryLoginTime></userCheck>')).toEqual({ lockStatus: 'lock', unlockTime: undefined, retryLoginTime: undefined });
    expect(posixZoneOffsetMinutes('CST+8:00:00')).toBe(-480);
    expect(posixZoneOffsetMinutes('CST-8:00:00')).toBe(480);
    expect(deviceTimeFrom({ localTime: '2026-01-16T12:00:00-08:00', timeZone: 'CST+8:00:00' })).toMatchObject({ wallClock: '2026-01-16 12:00:00', offsetMinutes: -480 });
    // A clock in the year 9999 or 1970 is no wall clock; the offset it states is still read.
    expect(deviceTimeFrom({ localTime: '9999-12-31T23:59:59-08:00' }, Date.UTC(2026, 0, 16))).toMatchObject({ wallClock: undefined, offsetMinutes: -480 });
    expect(deviceTimeFrom({ localTime: '1970-01-01T00:00:00Z' }, Date.UTC(2026, 0, 16)).wallClock).toBeUndefined();
  });
});

describe('recorder clocks', () => {
  const la = { z: 'local' as const, timeZone: 'America/Los_Angeles' };
  it('local-with-Z writes and reads the wall clock; utc writes the instant', () => {
    const instant = Date.UTC(2026, 0, 16, 20, 0, 0);
    expect(toIsapiTime(instant, la)).toBe('2026-01-16T12:00:00Z');
    expect(toIsapiTime(instant, { z: 'utc', timeZone: 'America/Los_Angeles' })).toBe('2026-01-16T20:00:00Z');
    expect(fromIsapiTime('2026-01-16T12:00:00Z', la)?.ms).toBe(instant);
    expect(fromIsapiTime('2026-01-16T20:00:00Z', { z: 'utc', offsetMinutes: -480 })?.wallClock).toBe('2026-01-16 12:00:00');
    expect(fromIsapiTime('2026-01-16T12:00:00-08:00', la)?.ms).toBe(instant);
  });
  it('DST: wall clocks around the spring-forward and fall-back changes', () => {
    expect(new Date(instantOfWallClock('2026-03-08 01:59:59', la)).toISOString()).toBe('2026-03-08T09:59:59.000Z');
    expect(new Date(instantOfWallClock('2026-03-08 03:00:00', la)).toISOString()).toBe('2026-03-08T10:00:00.000Z');
    expect(new Date(instantOfWallClock('2026-11-01 01:30:00', la)).toISOString()).toBe('2026-11-01T08:30:00.000Z');
    expect(wallClockAt(Date.UTC(2026, 10, 1, 9, 30), la)).toBe('2026-11-01 01:30:00');
    expect(() => instantOfWallClock('2026-02-30 00:00:00', la)).toThrow(/wall-clock/);
  });
});
