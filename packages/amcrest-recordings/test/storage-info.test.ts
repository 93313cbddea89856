import { startCameraSim, type CameraSim } from '@camdl/camera-sim';
import { startRawHttpServer, type RawHttpServer } from '@camdl/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { createAmcrestClient, findRecordings, getStorageInfo, isAmcrestError, type AmcrestClient } from '../src/index.js';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 0, 16, 12);

describe('getStorageInfo', () => {
  let sim: CameraSim | undefined;
  let raw: RawHttpServer | undefined;
  let client: AmcrestClient | undefined;
  afterEach(async () => {
    await client?.close();
    await sim?.close();
    await raw?.close();
    client = sim = raw = undefined;
  });

  const answering = async (body: string): Promise<AmcrestClient> => {
    raw = await startRawHttpServer((socket) => {
      socket.end(`HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
    });
    client = createAmcrestClient({ url: raw.origin, username: 'admin', password: 'x' });
    return client;
  };

  it("reads the simulator's card as it fills and wraps with the card's clock", async () => {
    let clock = T0;
    const recordings = Array.from({ length: 3 }, (_, index) => ({ start: T0 - (3 - index) * HOUR, end: T0 - (2 - index) * HOUR, content: 'synthetic' as const, size: 1000 }));
    sim = await startCameraSim({ profile: 'amcrest', timeZone: 'UTC', content: { recordings }, card: { capacityBytes: 4000, recordEveryMs: HOUR, recordingBytes: 1000, now: () => clock } });
    client = createAmcrestClient({ url: sim.url, username: sim.username, password: sim.password });
    expect(await getStorageInfo(client)).toEqual({ totalBytes: 4000, usedBytes: 3000, partitions: 1 });
    clock = T0 + 3 * HOUR;
    expect(await getStorageInfo(client)).toEqual({ totalBytes: 4000, usedBytes: 4000, partitions: 1 });
    const found = await findRecordings(client, { start: new Date(T0 - 10 * HOUR), end: new Date(T0 + 10 * HOUR), channel: 1, cameraTimeZone: 'UTC' });
    // Four fit: the two oldest were overwritten by the three recorded since.
    expect(found.recordings.map((recording) => recording.start.getTime())).toEqual([T0 - HOUR, T0, T0 + HOUR, T0 + 2 * HOUR]);
    expect(sim.counters.requests['storageDevice']).toBeGreaterThanOrEqual(2);
  });

  it('adds up the read-write partitions and drops implausible or failed ones with a warning', async () => {
    const warnings: string[] = [];
    const body = [
      'list.info[0].Detail[0].IsError=false',
      'list.info[0].Detail[0].TotalBytes=2000.000000',
      'list.info[0].Detail[0].Type=ReadWrite',
      'list.info[0].Detail[0].UsedBytes=500.000000',
      'list.info[0].Detail[1].IsError=true',
      'list.info[0].Detail[1].TotalBytes=9000.000000',
      'list.info[0].Detail[1].Type=ReadWrite',
      'list.info[0].Detail[1].UsedBytes=9000.000000',
      'list.info[1].Detail[0].TotalBytes=1e300',
      'list.info[1].Detail[0].Type=ReadWrite',
      'list.info[1].Detail[0].UsedBytes=5',
      'list.info[2].Detail[0].TotalBytes=100',
      'list.info[2].Detail[0].UsedBytes=200',
      'list.info[3].Detail[0].TotalBytes=100',
      'list.info[3].Detail[0].Type=ReadOnly',
      'list.info[3].Detail[0].UsedBytes=50',
      '',
    ].join('\r\n');
    expect(await getStorageInfo(await answering(body), { onWarning: (message) => warnings.push(message) })).toEqual({ totalBytes: 2000, usedBytes: 500, partitions: 1 });
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toContain('1.0');
  });

  it('is undefined for a device without the call and for one with no usable partition; a refused login throws', async () => {
    sim = await startCameraSim({ profile: 'amcrest', content: 'tiny' });
    client = createAmcrestClient({ url: sim.url, username: sim.username, password: sim.password });
    expect(await getStorageInfo(client)).toBeUndefined();
    const refused = createAmcrestClient({ url: sim.url, username: sim.username, password: 'wrong' });
    try {
      const error = await getStorageInfo(refused).catch((caught: unknown) => caught);
      expect(isAmcrestError(error, 'ERR_AMCREST_AUTH')).toBe(true);
    } finally {
      await refused.close();
    }
    await client.close();
    expect(await getStorageInfo(await answering('list.info[0].State=Success\r\n'))).toBeUndefined();
  });
});
