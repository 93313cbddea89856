import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { startCameraSim, type CameraSim, type RecordingSpec } from '@camdl/camera-sim';
import { makeTempDir, type TempDir } from '@camdl/test-utils';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAmcrestClient, findRecordings, isAmcrestError, runRecordingsJob, type AmcrestClient, type RecordingsJobEvent } from '../src/index.js';

const RANGE = { start: '2026-01-16T20:00:00', end: '2026-01-16T22:00:00', cameraTimeZone: 'UTC' } as const;

/** Channel 1: motion (Main + Extra1 of the same time), timing, an alarm, a snapshot; channel 2 and 3: one each. */
const NVR: RecordingSpec[] = [
  { start: '2026-01-16 20:00:00', end: '2026-01-16 20:10:00', events: ['VideoMotion'], flags: ['Event'], content: 'synthetic', size: 4000 },
  { start: '2026-01-16 20:00:00', end: '2026-01-16 20:10:00', stream: 'Extra1', events: ['VideoMotion'], flags: ['Event'], content: 'synthetic', size: 1000 },
  { start: '2026-01-16 20:10:00', end: '2026-01-16 20:20:00', events: [], flags: ['Timing'], content: 'synthetic', size: 5000 },
  { start: '2026-01-16 20:20:00', end: '2026-01-16 20:30:00', events: ['AlarmLocal'], flags: ['Event'], content: 'synthetic', size: 6000 },
  { start: '2026-01-16 20:05:00', end: '2026-01-16 20:05:00', type: 'jpg', size: 700 },
  { start: '2026-01-16 20:06:00', end: '2026-01-16 20:06:00', type: 'jpg', size: 800, channel: 2 },
  { start: '2026-01-16 21:00:00', end: '2026-01-16 21:10:00', channel: 2, content: 'synthetic', size: 2000 },
  { start: '2026-01-16 21:00:00', end: '2026-01-16 21:10:00', channel: 3, flags: ['Manual'], events: [], content: 'synthetic', size: 3000 },
];

describe('NVR searches: events, flags, streams, channels, snapshots (against the simulator)', () => {
  let sim: CameraSim | undefined;
  let client: AmcrestClient | undefined;
  let dir: TempDir;
  beforeEach(async () => {
    dir = await makeTempDir();
  });
  afterEach(async () => {
    await client?.close();
    await sim?.close();
    client = undefined;
    sim = undefined;
    await dir.cleanup();
  });
  const start = async (amcrest: Parameters<typeof startCameraSim>[0]['amcrest'] = {}): Promise<AmcrestClient> => {
    sim = await startCameraSim({ profile: 'amcrest', timeZone: 'UTC', content: { recordings: NVR }, amcrest: { channelCount: 3, ...amcrest } });
    client = createAmcrestClient({ url: sim.url, username: sim.username, password: sim.password });
    return client;
  };

  it('motion only: condition.Events and Flags sent, only those recordings kept, Main stream only', async () => {
    const found = await findRecordings(await start(), { ...RANGE, events: ['videomotion'], flags: ['event'] });
    expect(found.recordings.map((recording) => [recording.startTime, recording.size])).toEqual([['2026-01-16 20:00:00', 4000]]);
    expect(sim!.counters.peakOpenSearches).toBe(1);
    expect(sim!.counters.searchesLeaked).toBe(0);
  });

  it('the default is the Main stream; --stream extra1 gets the other one; never the same time twice', async () => {
    const main = await findRecordings(await start(), RANGE);
    expect(main.recordings.map((recording) => recording.size)).toEqual([4000, 5000, 6000]);
    const extra = await findRecordings(client!, { ...RANGE, videoStream: 'extra1' });
    expect(extra.recordings.map((recording) => recording.size)).toEqual([1000]);
  });

  it('a recorder that ignores condition.VideoStream: the other stream is skipped here (other-stream)', async () => {
    const found = await findRecordings(await start({ ignoreVideoStream: true }), RANGE);
    expect(found.recordings.map((recording) => recording.size)).toEqual([4000, 5000, 6000]);
    expect(found.skipped.filter((item) => item.reason === 'other-stream').map((item) => item.item.length)).toEqual([1000]);
  });

  it('firmware refusing the conditions: searched again without them, filtered here, the object still destroyed', async () => {
    const warnings: string[] = [];
    const found = await findRecordings(await start({ refuseTypes: true }), { ...RANGE, events: ['AlarmLocal'], onWarning: (text) => warnings.push(text) });
    expect(found.recordings.map((recording) => recording.size)).toEqual([6000]);
    // First without Events/VideoStream (Types only, the seed's query), then without Types.
    expect(warnings.filter((text) => text.includes('refused'))).toEqual([
      'the camera refused condition.Events[0]=AlarmLocal, condition.VideoStream=Main, condition.Types[0]=mp4; searched again without them and filtered the results here',
    ]);
    expect(found.skipped.filter((item) => item.reason === 'not-matching')).toHaveLength(2);
    expect(found.skipped.filter((item) => item.reason === 'other-stream')).toHaveLength(1);
    expect(sim!.counters).toMatchObject({ searchesCreated: 1, searchesDestroyed: 1, searchesLeaked: 0 });
  });

  it('a strict server answering 404 to the unknown conditions: searched again with Types only', async () => {
    const warnings: string[] = [];
    await start();
    sim!.addFault({ route: 'mediaFileFind', match: 'findFile', attempts: [1], kind: 'status', status: 404 });
    const found = await findRecordings(client!, { ...RANGE, onWarning: (text) => warnings.push(text) });
    expect(found.recordings.map((recording) => recording.size)).toEqual([4000, 5000, 6000]);
    expect(warnings).toEqual(['the camera refused condition.VideoStream=Main; searched again without it and filtered the results here']);
    expect(sim!.counters.searchesLeaked).toBe(0);
  });

  it('an unknown flag or stream is refused before anything is asked of the camera', async () => {
    await start();
    for (const options of [{ flags: ['Motion'] }, { videoStream: 'sub' }, { events: ['Video Motion'] }]) {
      const error = await findRecordings(client!, { ...RANGE, ...options }).catch((caught: unknown) => caught);
      expect(isAmcrestError(error, 'ERR_AMCREST_INVALID_OPTIONS')).toBe(true);
    }
    expect(sim!.counters.searchesCreated).toBe(0);
  });

  it('snapshots: a jpg-only search, kept as kind jpg with their own names', async () => {
    const found = await findRecordings(await start(), { ...RANGE, snapshots: true });
    expect(found.recordings.map((recording) => [recording.kind, recording.fileName, recording.size])).toEqual([['jpg', '2026-01-16_20.05.00_ch1.jpg', 700]]);
  });

  it('runRecordingsJob over channels "all": one search object at a time, outputs per channel, snapshots in snapshots/', async () => {
    const events: RecordingsJobEvent[] = [];
    const result = await runRecordingsJob(await start({ maxOpenSearches: 1 }), {
      ...RANGE,
      channels: 'all',
      snapshots: true,
      merge: false,
      outputDir: dir.path,
      onEvent: (event) => events.push(event),
    });
    expect(result.outcome, String(result.error)).toBe('done');
    expect(events.find((event) => event.type === 'channels')).toEqual({ type: 'channels', channels: [1, 2, 3], asked: true });
    expect(result.channels.map((channel) => [channel.channel, channel.found.recordings.length, channel.snapshots?.recordings.length, channel.output])).toEqual([
      [1, 3, 1, join(dir.path, 'amcrest_2026-01-16_20.00.00_2026-01-16_22.00.00_ch1.mp4')],
      [2, 1, 1, join(dir.path, 'amcrest_2026-01-16_20.00.00_2026-01-16_22.00.00_ch2.mp4')],
      [3, 1, 0, join(dir.path, 'amcrest_2026-01-16_20.00.00_2026-01-16_22.00.00_ch3.mp4')],
    ]);
    // 3 channels × (video + snapshot searches), never two open at once.
    expect(sim!.counters).toMatchObject({ searchesCreated: 6, searchesClosed: 6, searchesDestroyed: 6, searchesLeaked: 0, peakOpenSearches: 1 });
    expect((await readdir(join(dir.path, 'snapshots'))).sort()).toEqual(['2026-01-16_20.05.00_ch1.jpg', '2026-01-16_20.06.00_ch2.jpg']);
    expect((await readdir(join(dir.path, '.amcrest_download'))).sort()).toEqual([
      '2026-01-16_20.00.00-20.10.00_ch1.mp4',
      '2026-01-16_20.10.00-20.20.00_ch1.mp4',
      '2026-01-16_20.20.00-20.30.00_ch1.mp4',
      '2026-01-16_21.00.00-21.10.00_ch2.mp4',
      '2026-01-16_21.00.00-21.10.00_ch3.mp4',
    ]);
    expect(result.snapshots).toBe(2);
    expect(result.downloaded).toBe(7);
  });

  it('channels "all" on a device that does not say how many: a clear search failure, nothing searched', async () => {
    const result = await runRecordingsJob(await start({ channelCountAnswer: 'none' }), { ...RANGE, channels: 'all', outputDir: dir.path, merge: false });
    expect(result.outcome).toBe('search-failed');
    expect(isAmcrestError(result.error, 'ERR_AMCREST_NO_CHANNEL_COUNT')).toBe(true);
    expect(sim!.counters.searchesCreated).toBe(0);
  });

  it('a dry run downloads nothing: the plan comes from the search', async () => {
    const events: RecordingsJobEvent[] = [];
    const result = await runRecordingsJob(await start(), { ...RANGE, channels: [1, 3], dryRun: true, snapshots: true, split: 'day', outputDir: dir.path, onEvent: (event) => events.push(event) });
    expect(result.outcome).toBe('done');
    expect(result.dryRun).toBe(true);
    expect(sim!.counters.requests['RPC_Loadfile'] ?? 0).toBe(0);
    expect(existsSync(join(dir.path, '.amcrest_download'))).toBe(false);
    expect(existsSync(join(dir.path, 'snapshots'))).toBe(false);
    const plans = events.filter((event) => event.type === 'search-plan');
    expect(plans.map((event) => [event.channel, event.outputs.map((output) => [output.path, output.pieces.length, output.bytes])])).toEqual([
      [1, [[join(dir.path, 'amcrest_2026-01-16_20.00.00_2026-01-16_22.00.00_ch1_2026-01-16.mp4'), 3, 15000]]],
      [3, [[join(dir.path, 'amcrest_2026-01-16_20.00.00_2026-01-16_22.00.00_ch3_2026-01-16.mp4'), 1, 3000]]],
    ]);
  });
  it('a recorder storing .dav: without types, a window with no .mp4 is searched once more for dav (with a warning); given types are searched as given', async () => {
    const dav: RecordingSpec[] = [
      { start: '2026-01-16 20:00:00', end: '2026-01-16 21:00:00', type: 'dav', content: 'synthetic', size: 7000 },
      { start: '2026-01-16 21:00:00', end: '2026-01-16 22:00:00', type: 'dav', content: 'synthetic', size: 8000 },
      { start: '2026-01-16 20:30:00', end: '2026-01-16 20:30:00', type: 'jpg', size: 700 },
    ];
    sim = await startCameraSim({ profile: 'amcrest', timeZone: 'UTC', content: { recordings: dav }, amcrest: { channelCount: 4 } });
    client = createAmcrestClient({ url: sim.url, username: sim.username, password: sim.password });
    const warnings: string[] = [];
    const found = await findRecordings(client, { ...RANGE, onWarning: (message) => warnings.push(message) });
    expect(found.recordings.map((recording) => [recording.kind, recording.size])).toEqual([
      ['dav', 7000],
      ['dav', 8000],
    ]);
    expect(warnings.filter((message) => message.includes('.dav'))).toHaveLength(1);
    expect(sim.counters.searchesCreated).toBe(2);
    expect(sim.counters.searchesLeaked).toBe(0);

    // Asked for mp4 only: the recorder has none, and nothing else is asked.
    sim.resetCounters();
    const mp4Only = await findRecordings(client, { ...RANGE, types: ['mp4'] });
    expect(mp4Only.recordings).toEqual([]);
    expect(sim.counters.searchesCreated).toBe(1);

    // A camera with .mp4 in the window: one search, as the seed's.
    sim.resetCounters();
    const cameraWarnings: string[] = [];
    await sim.close();
    sim = await startCameraSim({ profile: 'amcrest', timeZone: 'UTC', content: { recordings: NVR.slice(0, 4) } });
    await client.close();
    client = createAmcrestClient({ url: sim.url, username: sim.username, password: sim.password });
    const camera = await findRecordings(client, { ...RANGE, onWarning: (message) => cameraWarnings.push(message) });
    expect(camera.recordings.map((recording) => recording.kind)).toEqual(['mp4', 'mp4', 'mp4']);
    expect(sim.counters.searchesCreated).toBe(1);
    expect(cameraWarnings).toEqual([]);
  });
});
