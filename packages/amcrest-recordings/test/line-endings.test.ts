import { startCameraSim } from '@camdl/camera-sim';
import { closeAfterEach } from '@camdl/test-utils';
import { describe, expect, it } from 'vitest';
import { createAmcrestClient, findRecordings, getChannelCount, isAmcrestError } from '../src/index.js';

const RANGE = { start: '2026-01-16T20:00:00', end: '2026-01-16T22:00:00', cameraTimeZone: 'America/New_York' } as const;
const track = closeAfterEach();

describe('firmware answering with bare LF line endings', () => {
  it('search pages (items, found=0), the clock and the channel count read as with CRLF', async () => {
    const sim = track(await startCameraSim({ profile: 'amcrest', content: 'demo', amcrest: { lineEnding: 'lf' }, now: () => Date.UTC(2026, 0, 7, 8, 5, 9) }));
    const client = track(createAmcrestClient({ url: sim.url, username: sim.username, password: sim.password }));
    expect(await client.getCurrentTime()).toBe('2026-01-07 03:05:09');
    expect(await getChannelCount(client)).toBe(1);
    const found = await findRecordings(client, RANGE);
    const expected = sim.recordings.filter((recording) => recording.type === 'mp4');
    expect(found.recordings.map((recording) => recording.filePath)).toEqual(expected.map((recording) => recording.filePath));
    expect(found.recordings.map((recording) => recording.size)).toEqual(expected.map((recording) => recording.size));
    expect(sim.counters.searchesLeaked).toBe(0);
  });

  it('an "Error\\nBad Request!" page ends the search; an Error body answered 200 is still an error', async () => {
    const ending = track(await startCameraSim({ profile: 'amcrest', content: 'tiny', amcrest: { lineEnding: 'lf', endOfResults: 'error-body' } }));
    const found = await findRecordings(track(createAmcrestClient({ url: ending.url, username: ending.username, password: ending.password })), RANGE);
    expect(found.recordings.length).toBe(ending.recordings.filter((recording) => recording.type === 'mp4').length);
    expect(ending.counters.searchesLeaked).toBe(0);

    const refusing = track(await startCameraSim({ profile: 'amcrest', content: 'tiny', amcrest: { lineEnding: 'lf', errorsAs200: true }, faults: [{ route: 'global', kind: 'status', status: 200, body: 'Error\nBad Request!\n' }] }));
    const error = await track(createAmcrestClient({ url: refusing.url, username: refusing.username, password: refusing.password }))
      .getCurrentTime()
      .catch((caught: unknown) => caught);
    expect(isAmcrestError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'ERR_AMCREST_BAD_REQUEST', status: 200 });
  });
});
