import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCameraSim, type CameraSim, type RecordingSpec } from '@camdl/camera-sim';
import { DigestSession, parseBody, rawRequest } from './digest-client.js';

const sha = (data: Buffer): string => createHash('sha256').update(data).digest('hex');
const FIND = '/cgi-bin/mediaFileFind.cgi';

async function search(session: DigestSession, start: string, end: string, count = 100): Promise<{ pages: Map<string, string>[]; object: string }> {
  const created = parseBody((await session.request(`${FIND}?action=factory.create`)).body);
  const object = created.get('result')!;
  const found = await session.request(
    `${FIND}?action=findFile&object=${object}&condition.Channel=1&condition.StartTime=${start.replace(' ', '%20')}&condition.EndTime=${end.replace(' ', '%20')}&condition.Types[0]=mp4`,
  );
  expect(found.body.toString()).toBe('OK\r\n');
  const pages: Map<string, string>[] = [];
  for (;;) {
    const page = parseBody((await session.request(`${FIND}?action=findNextFile&object=${object}&count=${count}`)).body);
    if (page.get('found') === '0') break;
    pages.push(page);
  }
  return { pages, object };
}

describe('amcrest', () => {
  let sim: CameraSim;
  let session: DigestSession;
  beforeAll(async () => {
    sim = await startCameraSim({ profile: 'amcrest', password: 'secret', timeZone: 'America/New_York' });
    session = new DigestSession(sim.url, 'admin', 'secret');
  });
  afterAll(() => sim.close());

  it('challenges exactly like the firmware: no spaces, qop, decimal nonce, opaque', async () => {
    const response = await rawRequest(sim.url, '/cgi-bin/global.cgi?action=getCurrentTime');
    expect(response.status).toBe(401);
    expect(String(response.headers['www-authenticate'])).toMatch(/^Digest realm="Login to AMC018NP69LM4VM2VY",qop="auth",nonce="\d+",opaque="[0-9a-f]+"$/);
  });

  it('runs the search session: create, findFile, paged findNextFile with sorted key=value lines, close, destroy', async () => {
    sim.resetCounters();
    const { pages, object } = await search(session, '2026-01-16 20:00:00', '2026-01-16 22:00:00');
    expect(pages).toHaveLength(1);
    const page = pages[0]!;
    const found = Number(page.get('found'));
    expect(found).toBe(sim.recordings.length);
    expect(page.get('items[0].FilePath')).toBe('/mnt/sd/2026-01-16/001/dav/20/20.00.00-20.08.00[M][0@0][0].mp4');
    expect(page.get('items[0].Type')).toBe('dav');
    expect(page.get('items[0].Channel')).toBe('0');
    expect(page.get('items[0].StartTime')).toBe('2026-01-16 20:00:00');
    expect(page.get('items[0].Duration')).toBe('480');
    expect(Number(page.get('items[0].Length'))).toBe(sim.recordings[0]!.size);
    const paths = [...page.entries()].filter(([key]) => key.endsWith('.FilePath')).map(([, value]) => value);
    expect(paths.some((path) => path.endsWith('.mp4_'))).toBe(true);
    expect(paths.some((path) => path.endsWith('.jpg'))).toBe(true);
    const raw = (await session.request(`${FIND}?action=findFile&object=${object}&condition.Channel=1&condition.StartTime=2026-01-16%2020:00:00&condition.EndTime=2026-01-16%2020:10:00`)).body.toString();
    expect(raw).toBe('OK\r\n');
    const text = (await session.request(`${FIND}?action=findNextFile&object=${object}&count=100`)).body.toString();
    const keys = text.split('\r\n').filter((line) => line.startsWith('items[0].')).map((line) => line.split('=')[0]!);
    expect(keys).toEqual([...keys].sort());
    expect(text.endsWith('\r\n')).toBe(true);
    expect(sim.counters.searchesLeaked).toBe(1);
    expect((await session.request(`${FIND}?action=close&object=${object}`)).body.toString()).toBe('OK\r\n');
    expect((await session.request(`${FIND}?action=destroy&object=${object}`)).body.toString()).toBe('OK\r\n');
    expect(sim.counters).toMatchObject({ searchesCreated: 1, searchesClosed: 1, searchesDestroyed: 1, searchesLeaked: 0 });
  });

  it('refuses + for spaces and fractions with 400 Error\\r\\nBad Request!', async () => {
    const object = parseBody((await session.request(`${FIND}?action=factory.create`)).body).get('result')!;
    for (const time of ['2026-01-16+20:00:00', '2026-01-16%2020:00:00.5', '2026-01-16T20:00:00']) {
      const response = await session.request(`${FIND}?action=findFile&object=${object}&condition.Channel=1&condition.StartTime=${time}&condition.EndTime=2026-01-16%2022:00:00`);
      expect(response.status).toBe(400);
      expect(response.body.toString()).toBe('Error\r\nBad Request!\r\n');
    }
    await session.request(`${FIND}?action=destroy&object=${object}`);
  });

  it('downloads with RPC_Loadfile, brackets raw or percent-encoded, with Connection: close', async () => {
    const recording = sim.recordings[0]!;
    for (const target of [`/cgi-bin/RPC_Loadfile${recording.filePath}`, `/cgi-bin/RPC_Loadfile${recording.filePath.replaceAll('[', '%5B').replaceAll(']', '%5D')}`]) {
      const response = await session.request(target);
      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toBe('Application/octet-stream');
      expect(response.headers['connection']).toBe('close');
      expect(Number(response.headers['content-length'])).toBe(recording.size);
      expect(sha(response.body)).toBe(recording.sha256);
    }
    expect(recording.mediaDurationSec).toBeGreaterThan(1);
  });

  it('reports the camera clock in its zone and the device identity', async () => {
    const before = Date.now();
    const text = (await session.request('/cgi-bin/global.cgi?action=getCurrentTime')).body.toString();
    const match = /^result=(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})\r\n$/.exec(text);
    expect(match).not.toBeNull();
    const expected = new Intl.DateTimeFormat('sv-SE', { timeZone: 'America/New_York', dateStyle: 'short', timeStyle: 'medium' }).format(new Date(before));
    expect(Math.abs(Date.parse(match![1]!.replace(' ', 'T')) - Date.parse(expected.replace(' ', 'T')))).toBeLessThanOrEqual(2000);
    expect((await session.request('/cgi-bin/magicBox.cgi?action=getSerialNo')).body.toString()).toBe('sn=AMC018NP69LM4VM2VY\r\n');
    expect((await session.request('/cgi-bin/magicBox.cgi?action=getDeviceType')).body.toString()).toMatch(/^type=/);
    const unknown = await session.request('/cgi-bin/magicBox.cgi?action=reboot');
    expect(unknown.status).toBe(501);
    expect(unknown.body.toString()).toBe('Error\r\nNot Implemented!\r\n');
  });
});

describe('amcrest paging and edge models', () => {
  it('pages more than 100 results, at most 100 per findNextFile', async () => {
    const recordings: RecordingSpec[] = Array.from({ length: 250 }, (_, index) => ({
      start: Date.UTC(2026, 0, 16, 12) + index * 60_000,
      end: Date.UTC(2026, 0, 16, 12) + (index + 1) * 60_000,
      content: 'synthetic',
      size: 512,
    }));
    const sim = await startCameraSim({ profile: 'amcrest', password: 'secret', content: { recordings }, timeZone: 'UTC' });
    try {
      const session = new DigestSession(sim.url, 'admin', 'secret');
      const { pages, object } = await search(session, '2026-01-16 00:00:00', '2026-01-17 00:00:00', 500);
      expect(pages.map((page) => page.get('found'))).toEqual(['100', '100', '50']);
      expect(pages[2]!.get('items[49].StartTime')).toBe('2026-01-16 16:09:00');
      await session.request(`${FIND}?action=destroy&object=${object}`);
      expect(sim.counters.searchesLeaked).toBe(0);
    } finally {
      await sim.close();
    }
  });

  it('models the repeated autumn hour: two recordings with the same wall-clock labels, distinct paths', async () => {
    const sim = await startCameraSim({
      profile: 'amcrest',
      password: 'secret',
      timeZone: 'America/New_York',
      content: {
        recordings: [
          { start: '2026-11-01 01:10:00', end: '2026-11-01 01:20:00', occurrence: 0, content: 'synthetic' },
          { start: '2026-11-01 01:10:00', end: '2026-11-01 01:20:00', occurrence: 1, content: 'synthetic' },
        ],
      },
    });
    try {
      const [first, second] = sim.recordings;
      expect(first!.startTime).toBe(second!.startTime);
      expect(second!.startMs - first!.startMs).toBe(3_600_000);
      expect(first!.filePath).not.toBe(second!.filePath);
      const session = new DigestSession(sim.url, 'admin', 'secret');
      const { pages } = await search(session, '2026-11-01 01:00:00', '2026-11-01 02:00:00');
      expect(pages[0]!.get('found')).toBe('2');
    } finally {
      await sim.close();
    }
  });

  it('leaks are counted and too many open searches make factory.create answer 400', async () => {
    const sim = await startCameraSim({ profile: 'amcrest', password: 'secret', content: 'tiny', amcrest: { maxOpenSearches: 2 } });
    try {
      const session = new DigestSession(sim.url, 'admin', 'secret');
      expect((await session.request(`${FIND}?action=factory.create`)).status).toBe(200);
      expect((await session.request(`${FIND}?action=factory.create`)).status).toBe(200);
      const third = await session.request(`${FIND}?action=factory.create`);
      expect(third.status).toBe(400);
      expect(sim.counters.searchesLeaked).toBe(2);
    } finally {
      await sim.close();
    }
  });

  it('can answer errors with 200 and an Error body, and serve Range when configured', async () => {
    const sim = await startCameraSim({ profile: 'amcrest', password: 'secret', content: 'tiny', amcrest: { errorsAs200: true, rangeSupport: true } });
    try {
      const session = new DigestSession(sim.url, 'admin', 'secret');
      const response = await session.request(`${FIND}?action=findNextFile&object=1&count=10`);
      expect(response.status).toBe(200);
      expect(response.body.toString()).toBe('Error\r\nBad Request!\r\n');
      const recording = sim.recordings[0]!;
      const ranged = await session.request(sim.downloadPath(recording), { headers: { Range: 'bytes=10-' } });
      expect(ranged.status).toBe(206);
      expect(ranged.headers['content-range']).toBe(`bytes 10-${recording.size - 1}/${recording.size}`);
    } finally {
      await sim.close();
    }
  });
});

describe('amcrest: a recording the camera overwrites', () => {
  it('is no longer found by a search nor served, and the handle no longer lists it', async () => {
    const sim = await startCameraSim({ profile: 'amcrest', password: 'secret', content: { recordings: [0, 1, 2].map((index) => ({ start: `2026-01-16 20:0${index}:00`, end: `2026-01-16 20:0${index}:50`, content: 'synthetic' as const, size: 4096 })) } });
    try {
      const session = new DigestSession(sim.url, 'admin', 'secret');
      const [oldest] = sim.recordings;
      expect((await session.request(sim.downloadPath(oldest!))).status).toBe(200);
      expect(sim.overwriteRecording(oldest!.filePath)).toBe(true);
      expect(sim.overwriteRecording(oldest!.filePath)).toBe(false);
      expect(sim.recordings).toHaveLength(2);
      const { pages } = await search(session, '2026-01-16 20:00:00', '2026-01-16 21:00:00');
      const paths = pages.flatMap((page) => [...page.entries()].filter(([key]) => key.endsWith('.FilePath')).map(([, value]) => value));
      expect(paths).toEqual(sim.recordings.map((recording) => recording.filePath));
      expect((await session.request(sim.downloadPath(oldest!))).status).toBe(404);
    } finally {
      await sim.close();
    }
  });
});
