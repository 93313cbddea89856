import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCameraSim, type CameraSim, type RecordingSpec } from '@camdl/camera-sim';
import { DigestSession, parseBody } from './digest-client.js';

const FIND = '/cgi-bin/mediaFileFind.cgi';
const WINDOW = 'condition.StartTime=2026-01-16%2020:00:00&condition.EndTime=2026-01-16%2022:00:00';

/** An NVR with 3 channels: motion and timing recordings, Main and Extra1 streams, a snapshot. */
const RECORDINGS: RecordingSpec[] = [
  { start: '2026-01-16 20:00:00', end: '2026-01-16 20:10:00', channel: 1, events: ['VideoMotion'], flags: ['Event'], content: 'synthetic' },
  { start: '2026-01-16 20:00:00', end: '2026-01-16 20:10:00', channel: 1, stream: 'Extra1', events: ['VideoMotion'], flags: ['Event'], content: 'synthetic' },
  { start: '2026-01-16 20:10:00', end: '2026-01-16 20:20:00', channel: 1, events: [], flags: ['Timing'], content: 'synthetic' },
  { start: '2026-01-16 20:20:00', end: '2026-01-16 20:30:00', channel: 1, events: ['AlarmLocal'], flags: ['Event'], content: 'synthetic' },
  { start: '2026-01-16 20:05:00', end: '2026-01-16 20:05:00', channel: 1, type: 'jpg', events: ['VideoMotion'], flags: ['Event'], size: 1024 },
  { start: '2026-01-16 21:00:00', end: '2026-01-16 21:10:00', channel: 2, events: ['VideoMotion'], flags: ['Event'], content: 'synthetic' },
  { start: '2026-01-16 21:00:00', end: '2026-01-16 21:10:00', channel: 3, events: [], flags: ['Manual'], content: 'synthetic' },
];

describe('amcrest search conditions, channels and streams', () => {
  let sim: CameraSim;
  let session: DigestSession;
  beforeAll(async () => {
    sim = await startCameraSim({ profile: 'amcrest', password: 'secret', timeZone: 'UTC', content: { recordings: RECORDINGS }, amcrest: { channelCount: 3 } });
    session = new DigestSession(sim.url, 'admin', 'secret');
  });
  afterAll(() => sim.close());

  /** Runs one whole search (create, findFile, pages, close, destroy); returns the status of findFile and the items. */
  async function find(conditions: string): Promise<{ status: number; items: Array<Map<string, string>> }> {
    const object = parseBody((await session.request(`${FIND}?action=factory.create`)).body).get('result')!;
    try {
      const found = await session.request(`${FIND}?action=findFile&object=${object}&${conditions}`);
      if (found.status !== 200) return { status: found.status, items: [] };
      const items: Array<Map<string, string>> = [];
      for (;;) {
        const page = parseBody((await session.request(`${FIND}?action=findNextFile&object=${object}&count=100`)).body);
        const count = Number(page.get('found'));
        if (!(count > 0)) break;
        for (let index = 0; index < count; index++) {
          const item = new Map<string, string>();
          for (const [key, value] of page) if (key.startsWith(`items[${index}].`)) item.set(key.slice(`items[${index}].`.length), value);
          items.push(item);
        }
      }
      return { status: found.status, items };
    } finally {
      await session.request(`${FIND}?action=close&object=${object}`);
      await session.request(`${FIND}?action=destroy&object=${object}`);
    }
  }

  it('lists each channel on its own, 0-based Channel in items, /00N/ in paths; channel 0 is channel 1', async () => {
    const one = await find(`condition.Channel=1&${WINDOW}`);
    expect(one.items).toHaveLength(5);
    expect(one.items.every((item) => item.get('Channel') === '0' && item.get('FilePath')!.includes('/001/'))).toBe(true);
    const two = await find(`condition.Channel=2&${WINDOW}`);
    expect(two.items.map((item) => [item.get('Channel'), item.get('FilePath')])).toEqual([['1', '/mnt/sd/2026-01-16/002/dav/21/21.00.00-21.10.00[M][0@0][0].mp4']]);
    expect((await find(`condition.Channel=0&${WINDOW}`)).items).toHaveLength(5);
    expect((await find(`condition.Channel=4&${WINDOW}`)).items).toHaveLength(0);
  });

  it('filters by condition.Flags[n] and condition.Events[n] (any of those asked)', async () => {
    const events = await find(`condition.Channel=1&${WINDOW}&condition.Types[0]=mp4&condition.Flags[0]=Event&condition.Events[0]=VideoMotion`);
    expect(events.items.map((item) => item.get('Events[0]'))).toEqual(['VideoMotion', 'VideoMotion', 'VideoMotion']);
    const either = await find(`condition.Channel=1&${WINDOW}&condition.Events[0]=VideoMotion&condition.Events[1]=AlarmLocal`);
    expect(either.items.map((item) => item.get('StartTime'))).toEqual(['2026-01-16 20:00:00', '2026-01-16 20:00:00', '2026-01-16 20:05:00', '2026-01-16 20:20:00']);
    const timing = await find(`condition.Channel=1&${WINDOW}&condition.Flags[0]=Timing`);
    expect(timing.items.map((item) => item.get('Flags[0]'))).toEqual(['Timing']);
    expect(timing.items[0]!.has('Events[0]')).toBe(false);
  });

  it('reports VideoStream per item and filters by condition.VideoStream', async () => {
    const all = await find(`condition.Channel=1&${WINDOW}&condition.Types[0]=mp4`);
    expect(all.items.map((item) => item.get('VideoStream'))).toEqual(['Main', 'Extra1', 'Main', 'Main', 'Main']);
    const paths = all.items.slice(0, 2).map((item) => item.get('FilePath'));
    expect(new Set(paths).size).toBe(2);
    const main = await find(`condition.Channel=1&${WINDOW}&condition.VideoStream=Main`);
    expect(main.items.every((item) => item.get('VideoStream') === 'Main')).toBe(true);
    expect(main.items).toHaveLength(4);
    const extra = await find(`condition.Channel=1&${WINDOW}&condition.VideoStream=Extra1`);
    expect(extra.items.map((item) => item.get('FilePath'))).toEqual([paths[1]]);
  });

  it('lists only snapshots for condition.Types[0]=jpg', async () => {
    const snapshots = await find(`condition.Channel=1&${WINDOW}&condition.Types[0]=jpg`);
    expect(snapshots.items.map((item) => [item.get('Type'), item.get('FilePath')])).toEqual([['jpg', '/mnt/sd/2026-01-16/001/jpg/20/05/00[M][0@0][0].jpg']]);
  });

  it('answers 400 to what strict firmware refuses: unknown keys, unknown flags, types or streams, empty values', async () => {
    for (const bad of [
      'condition.Flag[0]=Event',
      'condition.Flags[0]=Motion',
      'condition.Types[0]=avi',
      'condition.VideoStream=Sub',
      'condition.VideoStream=main',
      'condition.Events[0]=',
      'condition.Foo=1',
      'condition.Events[0]=Video%20Motion',
    ]) {
      const result = await find(`condition.Channel=1&${WINDOW}&${bad}`);
      expect({ bad, status: result.status }).toEqual({ bad, status: 400 });
    }
    expect(sim.counters.searchesLeaked).toBe(0);
  });

  it('refuses every operation on a closed or destroyed search object', async () => {
    const object = parseBody((await session.request(`${FIND}?action=factory.create`)).body).get('result')!;
    expect((await session.request(`${FIND}?action=findFile&object=${object}&condition.Channel=1&${WINDOW}`)).status).toBe(200);
    expect((await session.request(`${FIND}?action=close&object=${object}`)).status).toBe(200);
    expect((await session.request(`${FIND}?action=findNextFile&object=${object}&count=10`)).status).toBe(400);
    expect((await session.request(`${FIND}?action=findFile&object=${object}&condition.Channel=1&${WINDOW}`)).status).toBe(400);
    expect((await session.request(`${FIND}?action=close&object=${object}`)).status).toBe(400);
    expect((await session.request(`${FIND}?action=destroy&object=${object}`)).status).toBe(200);
    for (const action of ['findNextFile&count=10', 'close', 'destroy', 'getCount']) {
      expect((await session.request(`${FIND}?action=${action}&object=${object}`)).status).toBe(400);
    }
  });

  it('answers the channel count as a recorder does: MaxRemoteInputChannels, no local inputs', async () => {
    expect((await session.request('/cgi-bin/magicBox.cgi?action=getProductDefinition&name=MaxRemoteInputChannels')).body.toString()).toBe('table.MaxRemoteInputChannels=3\r\n');
    expect((await session.request('/cgi-bin/devVideoInput.cgi?action=getCollect')).body.toString()).toBe('result=0\r\n');
    expect((await session.request('/cgi-bin/magicBox.cgi?action=getProductDefinition&name=Nothing')).status).toBe(501);
  });
});

describe('amcrest device variants for channels, streams and search objects', () => {
  it('a camera says getCollect result=1 and MaxRemoteInputChannels=0; a silent device answers 501 to both', async () => {
    const camera = await startCameraSim({ profile: 'amcrest', password: 'secret', content: 'tiny' });
    const silent = await startCameraSim({ profile: 'amcrest', password: 'secret', content: 'tiny', amcrest: { channelCount: 4, channelCountAnswer: 'none' } });
    try {
      const session = new DigestSession(camera.url, 'admin', 'secret');
      expect((await session.request('/cgi-bin/devVideoInput.cgi?action=getCollect')).body.toString()).toBe('result=1\r\n');
      expect((await session.request('/cgi-bin/magicBox.cgi?action=getProductDefinition&name=MaxRemoteInputChannels')).body.toString()).toBe('table.MaxRemoteInputChannels=0\r\n');
      const quiet = new DigestSession(silent.url, 'admin', 'secret');
      expect((await quiet.request('/cgi-bin/devVideoInput.cgi?action=getCollect')).status).toBe(501);
      expect((await quiet.request('/cgi-bin/magicBox.cgi?action=getProductDefinition&name=MaxRemoteInputChannels')).status).toBe(501);
    } finally {
      await camera.close();
      await silent.close();
    }
  });

  it('a recorder that ignores condition.VideoStream lists both streams; peakOpenSearches and the open-object limit', async () => {
    const sim = await startCameraSim({
      profile: 'amcrest',
      password: 'secret',
      timeZone: 'UTC',
      content: { recordings: RECORDINGS.slice(0, 2) },
      amcrest: { ignoreVideoStream: true, maxOpenSearches: 1 },
    });
    try {
      const session = new DigestSession(sim.url, 'admin', 'secret');
      const object = parseBody((await session.request(`${FIND}?action=factory.create`)).body).get('result')!;
      expect((await session.request(`${FIND}?action=factory.create`)).status).toBe(400);
      expect((await session.request(`${FIND}?action=findFile&object=${object}&condition.Channel=1&${WINDOW}&condition.VideoStream=Main`)).status).toBe(200);
      const page = parseBody((await session.request(`${FIND}?action=findNextFile&object=${object}&count=100`)).body);
      expect([page.get('items[0].VideoStream'), page.get('items[1].VideoStream')]).toEqual(['Main', 'Extra1']);
      await session.request(`${FIND}?action=close&object=${object}`);
      await session.request(`${FIND}?action=destroy&object=${object}`);
      expect((await session.request(`${FIND}?action=factory.create`)).status).toBe(200);
      expect(sim.counters.peakOpenSearches).toBe(1);
    } finally {
      await sim.close();
    }
  });

  it('refuses recordings on an impossible channel or stream', async () => {
    await expect(startCameraSim({ profile: 'amcrest', content: { recordings: [{ start: '2026-01-16 20:00:00', end: '2026-01-16 20:01:00', channel: 0 }] } })).rejects.toMatchObject({
      code: 'ERR_SIM_BAD_OPTIONS',
    });
    await expect(
      startCameraSim({ profile: 'amcrest', content: { recordings: [{ start: '2026-01-16 20:00:00', end: '2026-01-16 20:01:00', stream: 'Sub' as never }] } }),
    ).rejects.toMatchObject({ code: 'ERR_SIM_BAD_OPTIONS' });
  });
});
