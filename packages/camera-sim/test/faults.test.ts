import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startCameraSim, type CameraSim } from '@camdl/camera-sim';
import { authorization, DigestSession, rawBytesRequest } from './digest-client.js';

const SIZE = 256 * 1024;

describe('fault injection', () => {
  let sim: CameraSim;
  let session: DigestSession;
  let path: string;
  beforeAll(async () => {
    sim = await startCameraSim({
      profile: 'timelapse3',
      password: 'secret',
      content: { archives: [{ filename: 'Fault_Target_2025_09_30_0000', content: 'synthetic', size: SIZE }] },
    });
    session = new DigestSession(sim.url, 'admin', 'secret');
    path = sim.downloadPath(sim.archives[0]!);
  });
  afterAll(() => sim.close());
  beforeEach(() => {
    sim.faults.clear();
    sim.resetCounters();
  });

  it('status 503 with Retry-After on chosen attempts only', async () => {
    sim.setFaults([{ route: 'download', attempts: [1, 2], kind: 'status', status: 503, retryAfter: 7 }]);
    const first = await session.request(path);
    expect(first.status).toBe(503);
    expect(first.headers['retry-after']).toBe('7');
    expect((await session.request(path)).status).toBe(503);
    const third = await session.request(path);
    expect(third.status).toBe(200);
    expect(third.body.length).toBe(SIZE);
    expect(sim.faults.attemptsOf('download', 'Fault_Target_2025_09_30_0000.mp4')).toBe(3);
    expect(sim.counters.faultsApplied).toBe(2);
  });

  it('500 on the archive list route', async () => {
    sim.addFault({ route: 'archive', times: 1, kind: 'status', status: 500 });
    expect((await session.request('/local/timelapse2/archive')).status).toBe(500);
    expect((await session.request('/local/timelapse2/archive')).status).toBe(200);
  });

  it('auth storm: n 401s to correct credentials', async () => {
    sim.addFault({ route: 'download', times: 3, kind: 'auth-storm' });
    const fresh = new DigestSession(sim.url, 'admin', 'secret');
    const statuses: number[] = [];
    for (let index = 0; index < 4; index++) statuses.push((await fresh.request(path)).status);
    expect(statuses).toEqual([401, 401, 401, 200]);
    expect(sim.counters.challenges).toBe(4);
  });

  it('connection reset mid-body', async () => {
    sim.addFault({ route: 'download', kind: 'reset-mid-body', afterBytes: 10_000 });
    const response = await session.request(path);
    expect(response.status).toBe(200);
    expect(response.error).toBeDefined();
    expect(response.body.length).toBeLessThan(SIZE);
  });

  it('short body with Connection: close', async () => {
    sim.addFault({ route: 'download', kind: 'short-body-close', afterBytes: 5000 });
    const response = await session.request(path);
    expect(response.headers['connection']).toBe('close');
    expect(Number(response.headers['content-length'])).toBe(SIZE);
    expect(response.error).toBeDefined();
    expect(response.body.length).toBe(5000);
  });

  it('wrong Content-Length: more declared than sent', async () => {
    sim.addFault({ route: 'download', kind: 'wrong-content-length', delta: 1000 });
    const response = await session.request(path);
    expect(Number(response.headers['content-length'])).toBe(SIZE + 1000);
    expect(response.error).toBeDefined();
    expect(response.body.length).toBe(SIZE);
  });

  it('wrong Content-Length: less declared than sent (raw socket sees the extra bytes)', async () => {
    sim.addFault({ route: 'download', kind: 'wrong-content-length', delta: -1000 });
    await session.request('/local/timelapse2/app');
    const header = authorization({ method: 'GET', uri: path, username: 'admin', password: 'secret', challenge: session.challenge!, nc: ++session.nc });
    const raw = await rawBytesRequest(sim.port, Buffer.from(`GET ${path} HTTP/1.1\r\nHost: x\r\nAuthorization: ${header}\r\n\r\n`, 'latin1'));
    const split = raw.indexOf('\r\n\r\n');
    const head = raw.subarray(0, split).toString('latin1');
    expect(head).toMatch(new RegExp(`Content-Length: ${SIZE - 1000}`));
    expect(head).toMatch(/Connection: close/);
    expect(raw.length - split - 4).toBe(SIZE);
  });

  it('stall before the headers trips a client timeout', async () => {
    sim.addFault({ route: 'download', times: 1, kind: 'stall', ms: 600 });
    await session.request('/local/timelapse2/app');
    const header = authorization({ method: 'GET', uri: path, username: 'admin', password: 'secret', challenge: session.challenge!, nc: ++session.nc });
    const outcome = await new Promise<string>((resolve) => {
      const request = httpRequest(`${sim.url}${path}`, { headers: { Authorization: header }, agent: false, timeout: 300 }, () => resolve('response'));
      request.on('timeout', () => {
        request.destroy();
        resolve('timeout');
      });
      request.on('error', () => resolve('error'));
      request.end();
    });
    expect(outcome).toBe('timeout');
  });

  it('stall mid-body then completes', async () => {
    sim.addFault({ route: 'download', kind: 'stall', ms: 300, afterBytes: 1000 });
    const began = Date.now();
    const response = await session.request(path);
    expect(Date.now() - began).toBeGreaterThanOrEqual(280);
    expect(response.body.length).toBe(SIZE);
  });

  it('slow rate', async () => {
    sim.addFault({ route: 'download', kind: 'slow', bytesPerSec: 512 * 1024 });
    const began = Date.now();
    const response = await session.request(path);
    const seconds = (Date.now() - began) / 1000;
    expect(response.body.length).toBe(SIZE);
    expect(seconds).toBeGreaterThanOrEqual(0.4);
    expect(sim.counters.bytesSent).toBe(SIZE);
  });

  it('match filters by resource', async () => {
    sim.addFault({ route: 'download', match: /Other/, kind: 'status', status: 500 });
    expect((await session.request(path)).status).toBe(200);
  });
});

describe('connection limit', () => {
  it('answers 400 Bad Request beyond maxConnections', async () => {
    const sim = await startCameraSim({ profile: 'amcrest', password: 'secret', content: 'tiny', maxConnections: 2, digest: {} });
    try {
      sim.addFault({ route: 'RPC_Loadfile', kind: 'stall', ms: 1000 });
      const sessions = [0, 1, 2].map(() => new DigestSession(sim.url, 'admin', 'secret'));
      for (const session of sessions) await session.request('/cgi-bin/global.cgi?action=getCurrentTime');
      const recording = sim.recordings[0]!;
      const target = sim.downloadPath(recording);
      const until = async (condition: () => boolean): Promise<void> => {
        while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
      };
      const first = sessions[0]!.request(target);
      await until(() => sim.faults.attemptsOf('RPC_Loadfile', recording.filePath) === 1);
      const second = sessions[1]!.request(target);
      await until(() => sim.faults.attemptsOf('RPC_Loadfile', recording.filePath) === 2);
      const third = await sessions[2]!.request(target);
      expect(third.status).toBe(400);
      expect(third.body.toString()).toBe('Error\r\nBad Request!\r\n');
      expect((await first).status).toBe(200);
      expect((await second).status).toBe(200);
      expect(sim.counters.connectionLimitRejections).toBeGreaterThanOrEqual(1);
      expect(sim.counters.peakConnections).toBeGreaterThanOrEqual(3);
    } finally {
      await sim.close();
    }
  });
});
