import { startCameraSim } from '@camdl/camera-sim';
import { closeAfterEach, makeTempDir } from '@camdl/test-utils';
import { describe, expect, it } from 'vitest';
import { createHikvisionClient, downloadRecordings, recordingFileName, searchRecordings, type HikvisionRecording } from '../src/index.js';

const track = closeAfterEach();

function item(startTime: string, endTime: string, uri: string, name = 'hostile'): string {
  return `<searchMatchItem>\n<trackID>101</trackID>\n<timeSpan><startTime>${startTime}</startTime><endTime>${endTime}</endTime></timeSpan>\n<mediaSegmentDescriptor><contentType>video</contentType><playbackURI>${uri}</playbackURI><name>${name}</name></mediaSegmentDescriptor>\n</searchMatchItem>\n`;
}

const uri = (tag: string, size: string): string => `rtsp://127.0.0.1/Streaming/tracks/101/?starttime=20260117T090000Z&amp;endtime=20260117T091000Z&amp;name=${tag}&amp;size=${size}`;

describe('Hikvision search items with implausible numbers', () => {
  it('skips items with impossible or implausible times, ignores implausible sizes, warns, and still downloads the rest', async () => {
    const hostile = [
      item('2026-01-17T09:00:00Z', '9999-99-99T00:00:00Z', uri('bad-date', '100')),
      item('2026-01-17T09:00:00Z', '9999-12-31T23:59:59Z', uri('far-end', '100')),
      item('1970-01-01T00:00:00Z', '1970-01-01T00:10:00Z', uri('epoch', '100')),
      item('2026-01-17T09:00:00Z', '2026-02-17T09:00:00Z', uri('month-long', '100')),
      item('2026-01-17T09:00:00Z', '2026-01-17T09:10:00Z', uri('huge-exp', '1e300'), '../\u0001evil'),
      item('2026-01-17T09:10:00Z', '2026-01-17T09:20:00Z', uri('huge', '99999999999999')),
    ].join('');
    const sim = track(await startCameraSim({ profile: 'hikvision', timeZone: 'America/Los_Angeles', hikvision: { recordingsPerChannel: 2, extraSearchItems: hostile } }));
    const client = track(createHikvisionClient({ url: sim.url, username: sim.username, password: sim.password }));
    const warnings: string[] = [];
    const found: HikvisionRecording[] = [];
    for await (const each of searchRecordings(client, { channel: 1, start: '2026-01-16 23:00:00', end: '2026-01-17 02:00:00', onWarning: (message) => warnings.push(message) })) found.push(each);

    const real = sim.hikvision!.recordings;
    expect(found.map((each) => each.playbackUri)).toEqual([...real.map((each) => each.playbackUri), uri('huge-exp', '1e300').replace(/&amp;/g, '&'), uri('huge', '99999999999999').replace(/&amp;/g, '&')]);
    // The kept hostile items have no expected size: a 1e300 or 91 TiB size is not believed.
    expect(found.slice(2).map((each) => each.size)).toEqual([undefined, undefined]);
    expect(found.slice(2).map((each) => each.name)).toEqual([undefined, 'hostile']);
    for (const each of found) expect(recordingFileName(each)).toMatch(/^ch01_\d{8}_\d{6}-\d{8}_\d{6}\.mp4$/);
    expect(warnings.filter((message) => /9999-12-31|1970-01-01/.test(message) && /not plausible/.test(message))).toHaveLength(2);
    expect(warnings.some((message) => /longer than/.test(message) && /2026-02-17/.test(message))).toBe(true);
    expect(warnings.filter((message) => /size=.*not plausible/.test(message))).toHaveLength(2);
    expect(warnings.some((message) => /9999-99-99/.test(message))).toBe(true);
    // eslint-disable-next-line no-control-regex -- no raw control character reaches a message
    for (const message of warnings) expect(message).not.toMatch(/[\u0000-\u001f\u007f]/);

    const dir = track(await makeTempDir());
    const outcomes = await downloadRecordings(client, found.slice(0, 2), { directory: dir.path, retryDelay: 1 });
    expect(outcomes.map((each) => each.status)).toEqual(['downloaded', 'downloaded']);
  });
});
