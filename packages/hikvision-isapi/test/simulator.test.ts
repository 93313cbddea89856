import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { startCameraSim, type CameraSimOptions } from '@camdl/camera-sim';
import { closeAfterEach, makeTempDir, sha256File } from '@camdl/test-utils';
import { describe, expect, it } from 'vitest';
import { createHikvisionClient, downloadRecordings, isHikvisionError, parsePosixZone, recordingFileName, searchRecordings, type HikvisionRecording } from '../src/index.js';

const execFileAsync = promisify(execFile);
const track = closeAfterEach();

async function start(options: Partial<CameraSimOptions> = {}) {
  const sim = track(await startCameraSim({ profile: 'hikvision', timeZone: 'America/Los_Angeles', ...options }));
  const client = track(createHikvisionClient({ url: sim.url, username: sim.username, password: sim.password }));
  return { sim, client };
}

async function collect(generator: AsyncGenerator<HikvisionRecording>): Promise<HikvisionRecording[]> {
  const out: HikvisionRecording[] = [];
  for await (const each of generator) out.push(each);
  return out;
}

const searches = (counters: { requestsByMethod: Record<string, number> }): number => counters.requestsByMethod['POST ContentMgmt/search'] ?? 0;

describe('Hikvision ISAPI against the simulator', () => {
  it('pages by the items received on a device capped at 25 per page (80 items: four pages)', async () => {
    const { sim, client } = await start({ hikvision: { pageCap: 25, recordingsPerChannel: 80, recordingSeconds: 60 } });
    const found = await collect(searchRecordings(client, { channel: 1, start: '2026-01-16 23:00:00', end: '2026-01-17 02:00:00', maxResults: 100 }));
    expect(found.map((each) => each.playbackUri)).toEqual(sim.hikvision!.recordings.map((each) => each.playbackUri));
    expect(searches(sim.counters)).toBe(4);
  });

  it('continues an ISAPI 1.0 search (position ignored) by moving startTime, each item once', async () => {
    const { sim, client } = await start({ hikvision: { pageCap: 25, recordingsPerChannel: 80, recordingSeconds: 60, isapiVersion: '1.0' } });
    const warnings: string[] = [];
    const found = await collect(searchRecordings(client, { channel: 1, start: '2026-01-16 23:00:00', end: '2026-01-17 02:00:00', onWarning: (message) => warnings.push(message) }));
    expect(found).toHaveLength(80);
    expect(new Set(found.map((each) => each.playbackUri)).size).toBe(80);
    // An IPCamera by its device type, but ISAPI 1.0: its Z is local time, learnt from the first answer.
    expect(warnings.some((message) => /ISAPI 1.0/.test(message))).toBe(true);
    expect(found.map((each) => each.start.getTime())).toEqual(sim.hikvision!.recordings.map((each) => each.startMs));
    expect(found[0]!.startWallClock).toBe('2026-01-16 23:30:00');
    // One request learns the version, then four pages (25 + 25 + 25 + 5), each from the last item's end.
    expect(searches(sim.counters)).toBe(5);
  });

  it('reads an NVR whose Z is its local clock: camera-time starts, and a file per recording in its camera-time day', async () => {
    const { sim, client } = await start({ hikvision: { device: 'nvr', recordingsPerChannel: 4, recordingSeconds: 900 } });
    expect((await client.clockModel()).z).toBe('local');
    expect(await client.listChannels()).toEqual([
      { id: 1, name: 'Camera 01', source: 'ip' },
      { id: 2, name: 'Camera 02', source: 'ip' },
    ]);
    const found = await collect(searchRecordings(client, { channel: 2, start: '2026-01-16 23:00:00', end: '2026-01-17 01:00:00' }));
    const expected = sim.hikvision!.recordings.filter((each) => each.channel === 2);
    expect(found.map((each) => each.startWallClock)).toEqual(expected.map((each) => each.startTime));
    expect(found.map((each) => each.start.getTime())).toEqual(expected.map((each) => each.startMs));
    // 23:30 and 23:45 local are on the 16th, 00:00 and 00:15 on the 17th (UTC says the 17th for all).
    expect(found.map((each) => each.startWallClock.slice(0, 10))).toEqual(['2026-01-16', '2026-01-16', '2026-01-17', '2026-01-17']);
    const dir = track(await makeTempDir());
    const outcomes = await downloadRecordings(client, found.slice(1, 3), { directory: dir.path, retryDelay: 1 });
    expect(outcomes.map((each) => each.status)).toEqual(['downloaded', 'downloaded']);
    for (const [index, outcome] of outcomes.entries()) {
      expect(outcome.path).toBe(join(dir.path, recordingFileName(found[index + 1]!, 'ps')));
      expect(outcome.result).toMatchObject({ container: 'mpeg-ps', sizeVerified: true, method: 'GET' });
      expect(await sha256File(outcome.path)).toBe(expected[index + 1]!.sha256);
    }
    expect(outcomes.map((each) => each.path.slice(dir.path.length + 1))).toEqual(['ch02_20260116_234500-20260117_000000.ps', 'ch02_20260117_000000-20260117_001500.ps']);
    // A second run finds them (under .ps) and asks for nothing.
    const downloads = sim.counters.requestsByMethod['GET ContentMgmt/download'];
    expect((await downloadRecordings(client, found.slice(1, 3), { directory: dir.path })).map((each) => each.status)).toEqual(['skipped', 'skipped']);
    expect(sim.counters.requestsByMethod['GET ContentMgmt/download']).toBe(downloads);
    const { stdout } = await execFileAsync('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_name', '-of', 'csv=p=0', outcomes[0]!.path]);
    expect(stdout.trim()).toBe('h264');
  });

  it('an IP camera: true UTC behind the Z, MP4 by GET', async () => {
    const { sim, client } = await start({ hikvision: { recordingsPerChannel: 2 } });
    // The offset is the one in force today: Los Angeles' as an independent clock (Intl) has it, -480 or -420 by season.
    const losAngeles = new Intl.DateTimeFormat('en-US', { timeZone: 'America/Los_Angeles', timeZoneName: 'shortOffset' }).formatToParts(new Date()).find((part) => part.type === 'timeZoneName')!.value;
    expect(await client.clockModel()).toEqual({ z: 'utc', offsetMinutes: Number(/^GMT([+-]\d+)$/.exec(losAngeles)![1]) * 60, zone: parsePosixZone('CST+8:00:00DST01:00:00,M3.2.0/02:00:00,M11.1.0/02:00:00') });
    // No IP channels on a camera: a 403 with a ResponseStatus, which is not a refused login.
    expect(await client.listChannels()).toEqual([{ id: 1, name: 'Camera 01', source: 'local' }]);
    expect(sim.counters.authFailures).toBe(0);
    const [first] = await collect(searchRecordings(client, { channel: 1, start: new Date(Date.UTC(2026, 0, 17, 7)), end: new Date(Date.UTC(2026, 0, 17, 9)) }));
    expect(first!.startTime).toBe('2026-01-17T07:30:00Z');
    expect(first!.startWallClock).toBe('2026-01-16 23:30:00');
    const dir = track(await makeTempDir());
    const result = await client.downloadRecording(first!, join(dir.path, 'a.mp4'));
    expect(result).toMatchObject({ method: 'GET', container: 'mp4', sizeVerified: true, size: sim.hikvision!.recordings[0]!.size });
    expect(sim.counters.requestsByMethod['POST ContentMgmt/download']).toBeUndefined();
  });

  it('falls back to POST when the device refuses GET, and keeps POST for the next downloads', async () => {
    const { sim, client } = await start({ hikvision: { recordingsPerChannel: 3, downloadMethods: 'post' } });
    const found = await collect(searchRecordings(client, { channel: 1, start: '2026-01-16 23:00:00', end: '2026-01-17 02:00:00' }));
    const dir = track(await makeTempDir());
    const outcomes = await downloadRecordings(client, found, { directory: dir.path, retryDelay: 1 });
    expect(outcomes.map((each) => [each.status, each.result?.method])).toEqual([
      ['downloaded', 'POST'],
      ['downloaded', 'POST'],
      ['downloaded', 'POST'],
    ]);
    expect(sim.counters.requestsByMethod['GET ContentMgmt/download']).toBe(1);
    expect(sim.counters.requestsByMethod['POST ContentMgmt/download']).toBe(3);
  });

  it('a file that is not the size= of its URI is removed and reported', async () => {
    const { client } = await start({ hikvision: { recordingsPerChannel: 1, uriSize: 'wrong' } });
    const [recording] = await collect(searchRecordings(client, { channel: 1, start: '2026-01-16 23:00:00', end: '2026-01-17 00:00:00' }));
    const dir = track(await makeTempDir());
    const path = join(dir.path, 'x.mp4');
    const error = await client.downloadRecording(recording!, path, { retryDelay: 1, maxRetries: 0 }).catch((caught: unknown) => caught);
    expect(isHikvisionError(error, 'ERR_HIKVISION_SIZE_MISMATCH')).toBe(true);
    expect(existsSync(path)).toBe(false);
  });

  it('a wrong password costs one refused login: nothing more is sent, the lock status is said', async () => {
    const sim = track(await startCameraSim({ profile: 'hikvision', timeZone: 'UTC', digest: { lockoutAfterFailures: 3 } }));
    const client = track(createHikvisionClient({ url: sim.url, username: sim.username, password: 'wrong' }));
    const attempts = await Promise.all([client.getDeviceTime(), client.listChannels(), collect(searchRecordings(client, { channel: 1, start: '2026-01-16 00:00:00', end: '2026-01-17 00:00:00' }))].map((each) => each.catch((error: unknown) => error)));
    for (const error of attempts) expect(isHikvisionError(error, 'ERR_HIKVISION_AUTH')).toBe(true);
    expect(sim.counters.authFailures).toBe(1);
    const [first] = attempts as Array<{ retryLoginTime?: number; lockStatus?: string }>;
    expect(first).toMatchObject({ lockStatus: 'unlock', retryLoginTime: 2 });
    const dir = track(await makeTempDir());
    const fake = { playbackUri: 'rtsp://127.0.0.1/x?size=1', size: 1 };
    expect(isHikvisionError(await client.downloadRecording(fake, join(dir.path, 'f')).catch((error: unknown) => error), 'ERR_HIKVISION_AUTH')).toBe(true);
    expect(sim.counters.authFailures).toBe(1);
    // The right password still works: the device was never locked.
    const good = track(createHikvisionClient({ url: sim.url, username: sim.username, password: sim.password }));
    expect((await good.getDeviceTime()).offsetMinutes).toBe(0);
  });

  it('an account already locked: the error carries lockStatus and unlockTime', async () => {
    const sim = track(await startCameraSim({ profile: 'hikvision', timeZone: 'UTC', digest: { lockoutAfterFailures: 1 } }));
    const first = track(createHikvisionClient({ url: sim.url, username: sim.username, password: 'wrong' }));
    await first.getDeviceTime().catch(() => {});
    const second = track(createHikvisionClient({ url: sim.url, username: sim.username, password: sim.password }));
    const error = await second.getDeviceTime().catch((caught: unknown) => caught);
    expect(isHikvisionError(error, 'ERR_HIKVISION_AUTH')).toBe(true);
    expect(error).toMatchObject({ lockStatus: 'lock', unlockTime: 1800 });
    expect(String((error as Error).message)).toMatch(/locked for 1800 s/);
  });

  it('a ResponseStatus answered with 200 is an error; the search sends a UUID, exact times and the device spelling', async () => {
    const { sim, client } = await start({ hikvision: { errorsAs200: true, recordingsPerChannel: 1 } });
    const error = await client.isapi('/ISAPI/ContentMgmt/search', { method: 'POST', body: '<CMSearchDescription><searchID>C1</searchID></CMSearchDescription>' }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'ERR_HIKVISION_DEVICE', status: 200, statusCode: 6 });
    // The client's own request passes the strict checks.
    expect(await collect(searchRecordings(client, { channel: 1, start: '2026-01-16 23:00:00', end: '2026-01-17 00:00:00' }))).toHaveLength(1);
    // The first request met the Digest challenge, the second the error, the third the search.
    expect(searches(sim.counters)).toBe(3);
  });
});
