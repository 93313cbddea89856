import { startCameraSim } from '@camdl/camera-sim';
import { closeAfterEach, makeTempDir, sha256File } from '@camdl/test-utils';
import { describe, expect, it } from 'vitest';
import { createAmcrestClient, downloadRecordings, findRecordings, getChannelCount } from '../src/index.js';

const track = closeAfterEach();

describe('a camera that closes every connection after its answer, without Connection: close', () => {
  it('the search session, the clock and parallel downloads still succeed, every search object released', async () => {
    const sim = track(await startCameraSim({ profile: 'amcrest', content: 'demo', closeAfterAnswer: true }));
    const client = track(createAmcrestClient({ url: sim.url, username: sim.username, password: sim.password }));
    expect(await getChannelCount(client)).toBe(1);
    const { recordings } = await findRecordings(client, { start: '2026-01-16T20:00:00', end: '2026-01-16T22:00:00', cameraTimeZone: 'America/New_York' });
    expect(recordings.length).toBeGreaterThan(1);
    const dir = track(await makeTempDir());
    const outcomes = await downloadRecordings(client, recordings, { directory: dir.path, maxConcurrent: 2, retryDelay: 0, maxRetries: 0 });
    expect(outcomes.map((outcome) => outcome.status)).toEqual(recordings.map(() => 'downloaded'));
    for (const outcome of outcomes) expect(await sha256File(outcome.path)).toBe(await sim.sha256Of(outcome.recording.filePath));
    expect(sim.counters.searchesLeaked).toBe(0);
    expect(sim.counters.connections).toBe(sim.counters.totalRequests);
  });
});
