import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCameraSim, type CameraSim } from '@camdl/camera-sim';
import { DigestSession } from './digest-client.js';

const sha = (data: Buffer): string => createHash('sha256').update(data).digest('hex');
/** A target with the filename's raw UTF-8 bytes (as latin1 chars, which node:http sends byte for byte). */
const rawUtf8 = (text: string): string => Buffer.from(text, 'utf8').toString('latin1');

describe('timelapse2-v1 (AVI, raw query matching)', () => {
  let sim: CameraSim;
  let session: DigestSession;
  beforeAll(async () => {
    sim = await startCameraSim({ profile: 'timelapse2-v1', password: 'secret' });
    session = new DigestSession(sim.url, 'admin', 'secret');
  });
  afterAll(() => sim.close());

  it('lists archives as a bare JSON array with the JPEG-payload size', async () => {
    const response = await session.request('/local/timelapse2/archive');
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    const list = JSON.parse(response.body.toString('utf8')) as Array<Record<string, unknown>>;
    expect(Array.isArray(list)).toBe(true);
    expect(list.map((entry) => entry['filename'])).toEqual(sim.archives.map((archive) => archive.filename));
    const first = sim.archives[0]!;
    expect(list[0]).toMatchObject({ id: first.id, size: first.listedSize, frames: first.frames, fps: 10 });
    expect(first.listedSize).toBe(first.size - 24 * first.frames - 248);
    expect(list[0]).not.toHaveProperty('container');
  });

  it('serves a file by its raw name with the 1.x headers and no Range', async () => {
    const archive = sim.archives.find((item) => item.filename.startsWith("O'Brien"))!;
    const response = await session.request(`/local/timelapse2/download?filename=${archive.filename}`, { headers: { Range: 'bytes=0-9' } });
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('video/x-msvideo');
    expect(response.headers['content-disposition']).toBe(`attachment; filename=${archive.filename}`);
    expect(response.headers['accept-ranges']).toBeUndefined();
    expect(Number(response.headers['content-length'])).toBe(archive.size);
    expect(response.body.subarray(0, 4).toString('latin1')).toBe('RIFF');
    expect(sha(response.body)).toBe(archive.sha256);
  });

  it('compares the raw query text: raw UTF-8 works, percent-encoding does not', async () => {
    const archive = sim.archives.find((item) => item.filename.startsWith('Café'))!;
    const raw = await session.request(`/local/timelapse2/download?filename=${rawUtf8(archive.filename)}`);
    expect(raw.status).toBe(200);
    expect(sha(raw.body)).toBe(archive.sha256);
    expect(Buffer.from(String(raw.headers['content-disposition']), 'latin1').toString('utf8')).toBe(`attachment; filename=${archive.filename}`);
    const encoded = await session.request(`/local/timelapse2/download?filename=${encodeURIComponent(archive.filename)}`);
    expect(encoded.status).toBe(404);
    expect(encoded.body.toString()).toBe('File not found');
  });

  it('cannot serve names with & at all (the value stops at &), nor percent-encoded ones', async () => {
    const archive = sim.archives.find((item) => item.filename.includes('&'))!;
    expect((await session.request(`/local/timelapse2/download?filename=${archive.filename}`)).status).toBe(404);
    expect((await session.request(`/local/timelapse2/download?filename=${encodeURIComponent(archive.filename)}`)).status).toBe(404);
  });

  it('answers 405 to HEAD and 400/404 with text/plain errors', async () => {
    const archive = sim.archives[0]!;
    const head = await session.request(`/local/timelapse2/download?filename=${archive.filename}`, { method: 'HEAD' });
    expect(head.status).toBe(405);
    const missing = await session.request('/local/timelapse2/download');
    expect(missing.status).toBe(400);
    expect(missing.headers['content-type']).toBe('text/plain');
    expect(missing.body.toString()).toBe('Missing filename parameter');
    const unknown = await session.request('/local/timelapse2/download?filename=nope.avi');
    expect(unknown.status).toBe(404);
    expect(unknown.body.toString()).toBe('File not found');
  });

  it('reports the app version and settings', async () => {
    const response = await session.request('/local/timelapse2/app');
    const app = JSON.parse(response.body.toString()) as { manifest: { acapPackageConf: { setup: { version: string } } }; settings: Record<string, unknown> };
    expect(app.manifest.acapPackageConf.setup.version).toBe('1.2.3');
    expect(app.settings).toMatchObject({ retentionMonths: 1 });
  });

  it('deletes an archive with DELETE archive?filename=', async () => {
    const archive = sim.archives.at(-1)!;
    const before = sim.archives.length;
    const response = await session.request(`/local/timelapse2/archive?filename=${archive.filename}`, { method: 'DELETE' });
    expect(response.status).toBe(200);
    expect(sim.archives.length).toBe(before - 1);
    const list = JSON.parse((await session.request('/local/timelapse2/archive')).body.toString()) as unknown[];
    expect(list).toHaveLength(before - 1);
    expect((await session.request(`/local/timelapse2/download?filename=${archive.filename}`)).status).toBe(404);
  });

  it('serves one request at a time', async () => {
    sim.resetCounters();
    const archives = sim.archives.slice(0, 3);
    const sessions = archives.map(() => new DigestSession(sim.url, 'admin', 'secret'));
    await Promise.all(archives.map((archive, index) => sessions[index]!.request(`/local/timelapse2/download?filename=${archive.filename}`)));
    expect(sim.counters.peakConcurrentRequests).toBe(1);
    expect(sim.counters.requests['download']).toBe(6);
  });
});

describe('timelapse3 (MP4, Range, ETag)', () => {
  let sim: CameraSim;
  let session: DigestSession;
  beforeAll(async () => {
    sim = await startCameraSim({ profile: 'timelapse3', password: 'secret', timelapse: { startingRequests: 1 } });
    session = new DigestSession(sim.url, 'admin', 'secret');
  });
  afterAll(() => sim.close());

  it('answers 503 Service is still starting first, then lists real sizes and migration fields', async () => {
    const starting = await session.request('/local/timelapse2/archive');
    expect(starting.status).toBe(503);
    expect(starting.body.toString()).toBe('Service is still starting');
    const list = JSON.parse((await session.request('/local/timelapse2/archive')).body.toString()) as Array<Record<string, unknown>>;
    expect(list[0]).toMatchObject({ size: sim.archives[0]!.size, container: 'mp4', codec: 'h264' });
    expect(list.some((entry) => entry['migrated'] === true && entry['sourceContainer'] === 'avi' && entry['id'] === 'legacy')).toBe(true);
    const app = JSON.parse((await session.request('/local/timelapse2/app')).body.toString()) as { manifest: { acapPackageConf: { setup: { version: string } } } };
    expect(app.manifest.acapPackageConf.setup.version).toMatch(/^3\./);
  });

  it('decodes parameters, sends ETag and Accept-Ranges', async () => {
    const archive = sim.archives.find((item) => item.filename.includes('&'))!;
    const response = await session.request(sim.downloadPath(archive));
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('video/mp4');
    expect(response.headers['accept-ranges']).toBe('bytes');
    expect(response.headers['etag']).toBe(`"${archive.size}-${Math.floor(archive.mtimeMs / 1000)}"`);
    expect(sha(response.body)).toBe(archive.sha256);
  });

  it('serves Range with 206, bad ranges with 416, and honours If-Range', async () => {
    const archive = sim.archives[0]!;
    const path = sim.downloadPath(archive);
    const full = await session.request(path);
    const partial = await session.request(path, { headers: { Range: 'bytes=100-199' } });
    expect(partial.status).toBe(206);
    expect(partial.headers['content-range']).toBe(`bytes 100-199/${archive.size}`);
    expect(partial.body.equals(full.body.subarray(100, 200))).toBe(true);
    const tail = await session.request(path, { headers: { Range: 'bytes=-10' } });
    expect(tail.body.equals(full.body.subarray(-10))).toBe(true);
    const bad = await session.request(path, { headers: { Range: `bytes=${archive.size}-` } });
    expect(bad.status).toBe(416);
    expect(bad.headers['content-range']).toBe(`bytes */${archive.size}`);
    const etag = String(full.headers['etag']);
    const same = await session.request(path, { headers: { Range: 'bytes=10-', 'If-Range': etag } });
    expect(same.status).toBe(206);
    const changed = await session.request(path, { headers: { Range: 'bytes=10-', 'If-Range': '"other"' } });
    expect(changed.status).toBe(200);
    expect(changed.body.length).toBe(archive.size);
  });

  it('refuses names with / \\ or control characters', async () => {
    for (const name of ['a/b.mp4', 'a\\b.mp4', 'a\u0001b.mp4']) {
      const response = await session.request(`/local/timelapse2/download?filename=${encodeURIComponent(name)}`);
      expect(response.status).toBe(400);
    }
  });
});

describe('timelapseme (legacy export)', () => {
  it('lists archives and exports by id + file, also two archives with the same filename', async () => {
    const sim = await startCameraSim({ profile: 'timelapseme', password: 'secret' });
    try {
      const session = new DigestSession(sim.url, 'admin', 'secret');
      const list = JSON.parse((await session.request('/local/timelapseme/archives')).body.toString()) as Array<{ id: string; filename: string }>;
      expect(list.every((entry) => entry.id && entry.filename)).toBe(true);
      const twins = sim.archives.filter((archive) => archive.filename === 'North_Gate_2025_09_30_0000.avi');
      expect(twins).toHaveLength(2);
      for (const twin of twins) {
        const response = await session.request(sim.downloadPath(twin));
        expect(response.status).toBe(200);
        expect(sha(response.body)).toBe(twin.sha256);
      }
      expect(twins[0]!.sha256).not.toBe(twins[1]!.sha256);
      expect((await session.request('/local/timelapseme/archives?export=NOPE&file=x.avi')).status).toBe(404);
    } finally {
      await sim.close();
    }
  });
});

describe('Timelapse 3.0.x and 3.1.2 (before parameter decoding came in 3.1.3)', () => {
  for (const [profile, version, ranges] of [['timelapse3-v3.0', '3.0.4', false], ['timelapse3-v3.1.2', '3.1.2', true]] as const) {
    it(`${profile}: reports ${version}, compares the raw query text, Range ${ranges ? 'served' : 'ignored'}`, async () => {
      const sim = await startCameraSim({ profile, password: 'secret' });
      try {
        const session = new DigestSession(sim.url, 'admin', 'secret');
        const app = JSON.parse((await session.request('/local/timelapse2/app')).body.toString('utf8')) as { manifest: { acapPackageConf: { setup: { version: string } } } };
        expect(app.manifest.acapPackageConf.setup.version).toBe(version);
        const list = JSON.parse((await session.request('/local/timelapse2/archive')).body.toString('utf8')) as Array<Record<string, unknown>>;
        expect(list[0]).toMatchObject({ container: 'mp4' });
        const archive = sim.archives.find((item) => item.filename.startsWith('Café'))!;
        expect(archive.filename.endsWith('.mp4')).toBe(true);
        const raw = await session.request(`/local/timelapse2/download?filename=${rawUtf8(archive.filename)}`, { headers: { Range: 'bytes=0-9' } });
        expect(raw.status).toBe(ranges ? 206 : 200);
        expect(raw.headers['accept-ranges']).toBe(ranges ? 'bytes' : undefined);
        if (!ranges) expect(sha(raw.body)).toBe(archive.sha256);
        const encoded = await session.request(`/local/timelapse2/download?filename=${encodeURIComponent(archive.filename)}`);
        expect(encoded.status).toBe(404);
        const quoted = sim.archives.find((item) => item.filename.startsWith("O'Brien"))!;
        expect((await session.request(`/local/timelapse2/download?filename=${quoted.filename.replace("'", '%27')}`)).status).toBe(404);
        expect((await session.request(`/local/timelapse2/download?filename=${quoted.filename}`)).status).toBe(200);
      } finally {
        await sim.close();
      }
    });
  }

  it('the timelapse3 profile decodes parameters (3.1.3 and later)', async () => {
    const sim = await startCameraSim({ profile: 'timelapse3', password: 'secret' });
    try {
      const session = new DigestSession(sim.url, 'admin', 'secret');
      const archive = sim.archives.find((item) => item.filename.startsWith('Café'))!;
      expect((await session.request(`/local/timelapse2/download?filename=${encodeURIComponent(archive.filename)}`)).status).toBe(200);
    } finally {
      await sim.close();
    }
  });
});

describe('synthetic archives have the shape of the real file', () => {
  it('1.x: an AVI RIFF header whose size is the file; 3.x: ftyp then one mdat box to the end', async () => {
    const v1 = await startCameraSim({ profile: 'timelapse2-v1', password: 'secret', content: { archives: [{ filename: 'Gate_2026_03_02_0000', content: 'synthetic', size: 70_000 }] } });
    const v3 = await startCameraSim({ profile: 'timelapse3', password: 'secret', content: { archives: [{ filename: 'Gate_2026_03_02_0000', content: 'synthetic', size: 70_000 }] } });
    try {
      const avi = await new DigestSession(v1.url, 'admin', 'secret').request('/local/timelapse2/download?filename=Gate_2026_03_02_0000.avi');
      expect(avi.body.length).toBe(70_000);
      expect(avi.body.toString('latin1', 0, 4)).toBe('RIFF');
      expect(avi.body.readUInt32LE(4) + 8).toBe(70_000);
      expect(avi.body.toString('latin1', 8, 12)).toBe('AVI ');
      expect(sha(avi.body)).toBe(v1.archives[0]!.sha256);

      const mp4 = await new DigestSession(v3.url, 'admin', 'secret').request('/local/timelapse2/download?filename=Gate_2026_03_02_0000.mp4');
      expect(mp4.body.length).toBe(70_000);
      const ftyp = mp4.body.readUInt32BE(0);
      expect(mp4.body.toString('latin1', 4, 8)).toBe('ftyp');
      expect(mp4.body.toString('latin1', ftyp + 4, ftyp + 8)).toBe('mdat');
      expect(ftyp + mp4.body.readUInt32BE(ftyp)).toBe(70_000);
      expect(sha(mp4.body)).toBe(v3.archives[0]!.sha256);
      // The rest is still the generated pattern (block 0 carries its number after the header).
      expect(mp4.body.subarray(64, 128).equals(Buffer.alloc(64))).toBe(false);
    } finally {
      await v1.close();
      await v3.close();
    }
  });
});
