import { startCameraSim, type CameraProfile, type SimDigestOptions } from '@camdl/camera-sim';
import { closeAfterEach, makeTempDir } from '@camdl/test-utils';
import { describe, expect, it } from 'vitest';
import { createTimelapseClient, downloadArchives } from '@camdl/axis-timelapse2';

const track = closeAfterEach();

async function downloadAll(profile: CameraProfile, digest: SimDigestOptions) {
  const sim = track(await startCameraSim({ profile, content: 'tiny', digest }));
  const dir = track(await makeTempDir('camdl-t2-'));
  const client = track(createTimelapseClient({ baseUrl: sim.url, username: sim.username, password: sim.password, timeout: 5000 }));
  const listing = await client.listArchives();
  const summary = await downloadArchives(client, listing.archives, { outdir: dir.path, rateLimitMbps: 0 });
  expect(summary).toMatchObject({ downloaded: sim.archives.length, failed: 0 });
  return sim;
}

describe('Timelapse digest variants', () => {
  it.each(['timelapse2-v1', 'timelapse3'] as const)('%s on AXIS OS offering SHA-256 before MD5: SHA-256 over the raw request-target', async (profile) => {
    const sim = await downloadAll(profile, { algorithms: ['SHA-256', 'MD5'] });
    expect(Object.keys(sim.counters.authorized)).toEqual(['SHA-256 auth']);
    expect(sim.counters.authFailures).toBe(0);
  });

  it('MD5 forbidden (FIPS mode): SHA-256 only still downloads everything', async () => {
    const sim = await downloadAll('timelapse3', { algorithms: ['SHA-256'] });
    expect(Object.keys(sim.counters.authorized)).toEqual(['SHA-256 auth']);
  });
});
