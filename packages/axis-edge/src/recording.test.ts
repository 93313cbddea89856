import { parseXml } from '@camdl/internal';
import { describe, expect, it } from 'vitest';
import { parseEdgeTime, toEdgeRecording } from './recording.js';

const element = (attributes: string) => parseXml(`<recording ${attributes}><video mimetype="video/x-h264" width="320" height="240" framerate="10:1"/></recording>`)!;
const REAL = 'diskid="SD_DISK" recordingid="20260116_200000_AE24_ACCC8EF7DE6B" starttime="2026-01-16T20:00:00.000000Z" starttimelocal="2026-01-16T12:00:00.000000-08:00" stoptime="2026-01-16T20:00:04.076983Z" stoptimelocal="2026-01-16T12:00:04.076983-08:00" recordingtype="continuous" eventid="continuous" eventtrigger="continuous" recordingstatus="completed" source="1"';

describe('edge storage recordings', () => {
  it('reads the list.cgi attributes: UTC with microseconds, the local wall clock, the video', () => {
    const recording = toEdgeRecording(element(REAL));
    if (typeof recording === 'string') throw new Error(recording);
    expect(recording).toMatchObject({ recordingId: '20260116_200000_AE24_ACCC8EF7DE6B', diskId: 'SD_DISK', startWallClock: '2026-01-16 12:00:00', status: 'completed', inProgress: false });
    expect(recording.stop?.toISOString()).toBe('2026-01-16T20:00:04.076Z');
    expect(recording.video).toEqual({ mimeType: 'video/x-h264', width: 320, height: 240, frameRate: '10:1' });
  });

  it('an empty stop time is a recording in progress; unsafe ids and bad times are refused', () => {
    const live = toEdgeRecording(element(REAL.replace(/stoptime="[^"]*"/, 'stoptime=""').replace('completed', 'recording')));
    expect(live).toMatchObject({ inProgress: true, stop: undefined });
    expect(toEdgeRecording(element(REAL.replace('20260116_200000_AE24_ACCC8EF7DE6B', '../../etc/passwd')))).toMatch(/recordingid/);
    expect(toEdgeRecording(element(REAL.replace('2026-01-16T20:00:00.000000Z', '2026-01-16 08:00:00')))).toMatch(/start time/);
    expect(parseEdgeTime('2026-02-30T00:00:00Z')).toBeUndefined();
  });
});
