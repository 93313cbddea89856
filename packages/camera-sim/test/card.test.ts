import { afterEach, describe, expect, it } from 'vitest';
import { startCameraSim, type CameraSim } from '@camdl/camera-sim';
import { DigestSession } from './digest-client.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T0 = Date.UTC(2026, 0, 16);

describe('a card that fills and wraps', () => {
  let sim: CameraSim | undefined;
  afterEach(async () => {
    await sim?.close();
    sim = undefined;
  });

  it('timelapse: records an archive a day on its clock and deletes those past the retention', async () => {
    let clock = T0;
    sim = await startCameraSim({
      profile: 'timelapse3',
      password: 'secret',
      timeZone: 'UTC',
      content: { archives: [{ filename: 'Old_2026_01_14_0000', content: 'synthetic', size: 4096, first: T0 - 2 * DAY }] },
      card: { recordEveryMs: DAY, recordingBytes: 4096, retentionMs: 3 * DAY, archivePrefix: 'Gate', now: () => clock },
    });
    const session = new DigestSession(sim.url, 'admin', 'secret');
    const names = async (): Promise<string[]> => (JSON.parse((await session.request('/local/timelapse2/archive')).body.toString('utf8')) as Array<{ filename: string }>).map((entry) => entry.filename);
    // The day after the one it holds is complete at 01-16 00:00.
    expect(await names()).toEqual(['Old_2026_01_14_0000.mp4', 'Gate_2026_01_15_0000.mp4']);
    clock = T0 + 2 * DAY;
    expect(await names()).toEqual(['Gate_2026_01_15_0000.mp4', 'Gate_2026_01_16_0000.mp4', 'Gate_2026_01_17_0000.mp4']);
    clock = T0 + 4 * DAY;
    expect(await names()).toEqual(['Gate_2026_01_17_0000.mp4', 'Gate_2026_01_18_0000.mp4', 'Gate_2026_01_19_0000.mp4']);
    expect(sim.card?.usedBytes).toBe(3 * 4096);
    const download = await session.request(`/local/timelapse2/download?filename=${encodeURIComponent('Gate_2026_01_18_0000.mp4')}`);
    expect(download.status).toBe(200);
    expect(download.body.length).toBe(4096);
    expect(sim.removeRecording('Gate_2026_01_18_0000.mp4')).toBe(true);
    expect(sim.removeRecording('Gate_2026_01_18_0000.mp4')).toBe(false);
    expect(await names()).toEqual(['Gate_2026_01_17_0000.mp4', 'Gate_2026_01_19_0000.mp4']);
  });

  it('amcrest: keeps at most capacityRecordings, answers the storage call, and refuses a card on other profiles', async () => {
    let clock = T0;
    sim = await startCameraSim({ profile: 'amcrest', password: 'secret', timeZone: 'UTC', content: { recordings: [] }, card: { capacityRecordings: 2, recordEveryMs: HOUR, recordingBytes: 1000, now: () => clock } });
    const session = new DigestSession(sim.url, 'admin', 'secret');
    clock = T0 + 5 * HOUR;
    const storage = await session.request('/cgi-bin/storageDevice.cgi?action=getDeviceAllInfo');
    expect(storage.body.toString('utf8')).toContain('list.info[0].Detail[0].TotalBytes=2000.000000\r\n');
    expect(storage.body.toString('utf8')).toContain('list.info[0].Detail[0].UsedBytes=2000.000000\r\n');
    expect(sim.recordings.map((recording) => recording.startMs)).toEqual([T0 + 3 * HOUR, T0 + 4 * HOUR]);
    expect(sim.recordings[0]!.filePath).toMatch(/^\/mnt\/sd\/2026-01-16\/001\/dav\/03\/03\.00\.00-04\.00\.00\[M\]\[0@0\]\[0\]\.mp4$/);
    await expect(startCameraSim({ profile: 'hikvision', card: { capacityRecordings: 1 } })).rejects.toThrow(/card option/);
    await expect(startCameraSim({ profile: 'amcrest', content: 'tiny', card: { capacityRecordings: 0 } })).rejects.toThrow(/capacityRecordings/);
  });
});
