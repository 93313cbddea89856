import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { startCameraSim, type HikvisionBehaviour } from '@camdl/camera-sim';
import { closeAfterEach, makeTempDir, sha256File } from '@camdl/test-utils';
import { describe, expect, it } from 'vitest';
import { createHikvisionClient, isHikvisionError, searchRecordings, type HikvisionRecording } from '../src/index.js';

const track = closeAfterEach();

async function start(hikvision: HikvisionBehaviour, password?: string) {
  const sim = track(await startCameraSim({ profile: 'hikvision', timeZone: 'America/Los_Angeles', hikvision }));
  const client = track(createHikvisionClient({ url: sim.url, username: sim.username, password: password ?? sim.password }));
  const search = async (): Promise<HikvisionRecording[]> => {
    const out: HikvisionRecording[] = [];
    for await (const each of searchRecordings(client, { channel: 1, start: '2026-01-16 23:00:00', end: '2026-01-17 03:00:00' })) out.push(each);
    return out;
  };
  return { sim, client, search };
}

describe('ISAPI answers as firmware variants write them', () => {
  it.each([
    ['a byte order mark and every element prefixed (xmlns:hik)', { byteOrderMark: true, namespaceStyle: 'prefixed' }],
    ['no namespace at all, an NVR', { namespaceStyle: 'none', device: 'nvr' }],
  ] as const)('%s: clock, channels, paged search and a download all read by local names', async (_name, variant) => {
    const { sim, client, search } = await start({ ...variant, pageCap: 4, recordingsPerChannel: 10 });
    expect((await client.clockModel()).offsetMinutes).toBe(-480);
    expect((await client.listChannels()).map((each) => each.id)).toContain(1);
    const found = await search();
    const expected = sim.hikvision!.recordings.filter((each) => each.channel === 1);
    expect(found.map((each) => each.playbackUri)).toEqual(expected.map((each) => each.playbackUri));
    const dir = track(await makeTempDir());
    const result = await client.downloadRecording(found[0]!, join(dir.path, 'a'));
    expect(result.sizeVerified).toBe(true);
    expect(await sha256File(join(dir.path, 'a'))).toBe(expected[0]!.sha256);
  });

  it('a refused login in a prefixed userCheck still says the lock status', async () => {
    const { sim, client } = await start({ byteOrderMark: true, namespaceStyle: 'prefixed' }, 'wrong');
    const error = await client.getDeviceTime().catch((caught: unknown) => caught);
    expect(isHikvisionError(error, 'ERR_HIKVISION_AUTH')).toBe(true);
    expect(error).toMatchObject({ lockStatus: 'unlock' });
    expect(sim.counters.authFailures).toBe(1);
  });

  it('a download without Content-Length (chunked) is whole by the URI’s size=, and refused when short of it', async () => {
    const { sim, client, search } = await start({ downloadFraming: 'chunked', recordingsPerChannel: 1 });
    const [recording] = await search();
    const dir = track(await makeTempDir());
    const result = await client.downloadRecording(recording!, join(dir.path, 'a.mp4'));
    expect(result).toMatchObject({ sizeVerified: true, size: sim.hikvision!.recordings[0]!.size });
    expect(await sha256File(join(dir.path, 'a.mp4'))).toBe(sim.hikvision!.recordings[0]!.sha256);

    const wrong = await start({ downloadFraming: 'chunked', recordingsPerChannel: 1, uriSize: 'wrong' });
    const [listed] = await wrong.search();
    const path = join(dir.path, 'b.mp4');
    const error = await wrong.client.downloadRecording(listed!, path, { maxRetries: 0, retryDelay: 1 }).catch((caught: unknown) => caught);
    expect(isHikvisionError(error, 'ERR_HIKVISION_SIZE_MISMATCH')).toBe(true);
    expect(existsSync(path)).toBe(false);
    const left = await readdir(dir.path, { recursive: true });
    expect(left.filter((name) => name.includes('b.mp4'))).toEqual([]);
  });
});

describe('a recorder in a daylight-saving zone, asked in summer', () => {
  it.each([
    ['January recordings, localTime with the offset of the day (summer)', 'current', '2026-01-16 20:00:00', '2026-01-17T00:30:00Z', '2026-01-17T01:45:00Z'],
    ['July recordings, localTime with the standard offset all year', 'standard', '2026-07-09 20:00:00', '2026-07-09T23:30:00Z', '2026-07-10T00:45:00Z'],
  ] as const)('%s: the <timeZone> rules convert every season right', async (_name, localTimeOffset, firstStart, start, end) => {
    const summer = Date.parse('2026-07-10T16:00:00Z');
    const sim = track(await startCameraSim({ profile: 'hikvision', timeZone: 'America/New_York', now: () => summer, hikvision: { device: 'nvr', recordingsPerChannel: 3, recordingSeconds: 1800, firstStart, localTimeOffset } }));
    const client = track(createHikvisionClient({ url: sim.url, username: sim.username, password: sim.password }));
    const device = await client.getDeviceTime();
    expect(device.timeZone).toBe('CST+5:00:00DST01:00:00,M3.2.0/02:00:00,M11.1.0/02:00:00');
    expect(device.localTime).toBe(`2026-07-10T12:00:00${localTimeOffset === 'standard' ? '-05:00' : '-04:00'}`);
    const found: HikvisionRecording[] = [];
    for await (const each of searchRecordings(client, { channel: 1, start: new Date(start), end: new Date(end) })) found.push(each);
    const expected = sim.hikvision!.recordings.filter((each) => each.channel === 1);
    // 30 minutes before the first recording to 15 minutes into the second: those two.
    expect(found.map((each) => each.start.getTime())).toEqual(expected.slice(0, 2).map((each) => each.startMs));
    expect(found.map((each) => each.startWallClock)).toEqual(expected.slice(0, 2).map((each) => each.startTime));
  });
});
