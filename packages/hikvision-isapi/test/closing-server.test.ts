import { startCameraSim } from '@camdl/camera-sim';
import { closeAfterEach, makeTempDir, sha256File } from '@camdl/test-utils';
import { describe, expect, it } from 'vitest';
import { createHikvisionClient, downloadRecordings, searchRecordings, type HikvisionRecording } from '../src/index.js';

const track = closeAfterEach();

describe('a device that closes every connection after its answer, without Connection: close', () => {
  it('clock, channels, a paged search and every download still succeed', async () => {
    const sim = track(await startCameraSim({ profile: 'hikvision', closeAfterAnswer: true, hikvision: { device: 'nvr', pageCap: 2, recordingsPerChannel: 5 } }));
    const client = track(createHikvisionClient({ url: sim.url, username: sim.username, password: sim.password }));
    expect((await client.listChannels()).length).toBe(2);
    const found: HikvisionRecording[] = [];
    for await (const each of searchRecordings(client, { channel: 1, start: '2026-01-16 23:00:00', end: '2026-01-17 02:00:00' })) found.push(each);
    expect(found).toHaveLength(5);
    const dir = track(await makeTempDir());
    const outcomes = await downloadRecordings(client, found, { directory: dir.path, retryDelay: 1, maxRetries: 0 });
    expect(outcomes.map((each) => each.status)).toEqual(found.map(() => 'downloaded'));
    const expected = sim.hikvision!.recordings.filter((each) => each.channel === 1);
    for (const [index, outcome] of outcomes.entries()) expect(await sha256File(outcome.path)).toBe(expected[index]!.sha256);
    expect(sim.counters.connections).toBe(sim.counters.totalRequests);
  });
});
