import { closeAfterEach } from '@camdl/test-utils';
import { startCameraSim, type CameraSim } from '@camdl/camera-sim';
import { describe, expect, it } from 'vitest';
import { createAmcrestClient, findRecordings, isAmcrestError, type AmcrestClient } from '../src/index.js';

/** Dahua/Amcrest behaviours seen on real devices and in the API document. */
describe('real-device quirks (simulator in the failing configuration)', () => {
  const track = closeAfterEach();
  let sim: CameraSim | undefined;
  let client: AmcrestClient | undefined;
  const connect = (camera: CameraSim): AmcrestClient => {
    client = track(createAmcrestClient({ url: camera.url, username: camera.username, password: camera.password }));
    return client;
  };

  it('times that are not zero-padded (2011-7-3 21:02:32) are read in getCurrentTime and in search items', async () => {
    sim = track(await startCameraSim({ profile: 'amcrest', content: 'demo', amcrest: { unpaddedTimes: true }, now: () => Date.UTC(2026, 0, 7, 8, 5, 9) }));
    expect(await connect(sim).getCurrentTime()).toBe('2026-01-07 03:05:09');
    const found = await findRecordings(client!, { start: '2026-01-16T20:00:00', end: '2026-01-16T22:00:00', cameraTimeZone: 'America/New_York' });
    const expected = sim.recordings.filter((recording) => recording.type === 'mp4');
    expect(found.recordings.map((recording) => recording.startTime)).toEqual(expected.map((recording) => recording.startTime));
    expect(found.recordings.map((recording) => recording.start.getTime())).toEqual(expected.map((recording) => recording.startMs));
  });

  it('a 200 body "Error: Error -1 getting param in name=Lighting[0][0]" is an error, not a key=value record', async () => {
    const body = 'Error: Error -1 getting param in name=Lighting[0][0]\r\n';
    sim = track(await startCameraSim({ profile: 'amcrest', content: 'tiny', faults: [{ route: 'global', kind: 'status', status: 200, body }] }));
    const error = await connect(sim).getCurrentTime().catch((caught: unknown) => caught);
    expect(isAmcrestError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'ERR_AMCREST_BAD_RESPONSE', status: 200 });
    expect((error as Error).message).toContain('Error -1 getting param in name=Lighting[0][0]');
  });

  it('a findNextFile page that is neither found= nor items nor an Error body fails the search (it is not "no more recordings")', async () => {
    sim = track(await startCameraSim({ profile: 'amcrest', content: 'tiny', faults: [{ route: 'mediaFileFind', match: 'findNextFile', kind: 'status', status: 200, body: '<html>proxy</html>\r\n' }] }));
    const error = await findRecordings(connect(sim), { start: '2026-01-16T20:00:00', end: '2026-01-16T22:00:00', cameraTimeZone: 'America/New_York' }).catch((caught: unknown) => caught);
    expect(isAmcrestError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'ERR_AMCREST_BAD_RESPONSE' });
    expect((error as Error).message).toMatch(/neither found= nor items/);
    // found=0 still ends a search normally.
    sim.setFaults([{ route: 'mediaFileFind', match: 'findNextFile', kind: 'status', status: 200, body: 'found=0\r\n' }]);
    expect((await findRecordings(client!, { start: '2026-01-16T20:00:00', end: '2026-01-16T22:00:00', cameraTimeZone: 'America/New_York' })).recordings).toEqual([]);
  });

  it('findFile answered 400 for a window with nothing recorded is "0 recordings" (after the Types-less retry), search destroyed', async () => {
    sim = track(await startCameraSim({ profile: 'amcrest', content: 'tiny', amcrest: { emptyWindow: '400' } }));
    const warnings: string[] = [];
    const found = await findRecordings(connect(sim), {
      start: '2026-03-01T00:00:00',
      end: '2026-03-01T01:00:00',
      cameraTimeZone: 'America/New_York',
      onWarning: (text) => warnings.push(text),
    });
    expect(found.recordings).toEqual([]);
    // One warning: the conditions dropped on the way are not "refused" when nothing is there at all.
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/no recordings/i);
    expect(sim.counters.searchesDestroyed).toBe(1);
    expect(sim.counters.searchesLeaked).toBe(0);
  });

  it('FileState=Temporary items are still being recorded: not downloaded', async () => {
    sim = track(await startCameraSim({
      profile: 'amcrest',
      content: {
        recordings: [
          { start: '2026-01-16 20:00:00', end: '2026-01-16 20:08:00', content: 'synthetic' },
          { start: '2026-01-16 20:08:00', end: '2026-01-16 20:16:00', content: 'synthetic', fileState: 'Temporary' },
        ],
      },
    }));
    const found = await findRecordings(connect(sim), { start: '2026-01-16T20:00:00', end: '2026-01-16T21:00:00', cameraTimeZone: 'America/New_York' });
    expect(found.recordings.map((recording) => recording.startTime)).toEqual(['2026-01-16 20:00:00']);
    expect(found.skipped).toEqual([expect.objectContaining({ reason: 'in-progress', item: expect.objectContaining({ startTime: '2026-01-16 20:08:00' }) })]);
  });

  it("an item's UTCOffset wins over the offset measured from a wrong camera clock", async () => {
    // The camera clock is an hour ahead: the measured offset is off by an hour, the items' UTCOffset is not.
    sim = track(await startCameraSim({ profile: 'amcrest', content: 'tiny', amcrest: { itemUtcOffset: true, clockOffsetMs: 3_600_000 } }));
    const found = await findRecordings(connect(sim), { start: '2026-01-16T20:00:00', end: '2026-01-16T22:00:00' });
    expect(found.timeModel).toMatchObject({ kind: 'offset', offsetMinutes: -240 });
    const expected = sim.recordings.filter((recording) => recording.type === 'mp4');
    expect(found.recordings.length).toBe(expected.length);
    expect(found.recordings.map((recording) => recording.start.getTime())).toEqual(expected.map((recording) => recording.startMs));
    expect(found.recordings.map((recording) => recording.end.getTime())).toEqual(expected.map((recording) => recording.endMs));
  });
});
