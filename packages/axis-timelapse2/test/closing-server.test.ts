import { startCameraSim } from '@camdl/camera-sim';
import { closeAfterEach, makeTempDir } from '@camdl/test-utils';
import { describe, expect, it } from 'vitest';
import { createTimelapseClient, downloadArchives } from '@camdl/axis-timelapse2';

const track = closeAfterEach();

describe('a camera that closes every connection after its answer, without Connection: close', () => {
  it.each(['timelapse2-v1', 'timelapse3'] as const)('%s: detection, listing and every download still succeed', async (profile) => {
    const sim = track(await startCameraSim({ profile, content: 'tiny', closeAfterAnswer: true }));
    const dir = track(await makeTempDir('camdl-t2-'));
    const client = track(createTimelapseClient({ baseUrl: sim.url, username: sim.username, password: sim.password, timeout: 5000, maxRetries: 0 }));
    const listing = await client.listArchives();
    const summary = await downloadArchives(client, listing.archives, { outdir: dir.path, rateLimitMbps: 0 });
    expect(summary).toMatchObject({ downloaded: sim.archives.length, failed: 0 });
    expect(sim.counters.connections).toBe(sim.counters.totalRequests);
  });
});
