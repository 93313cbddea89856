import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startCameraSim } from '@camdl/camera-sim';
import { closeAfterEach, makeTempDir } from '@camdl/test-utils';
import { describe, expect, it } from 'vitest';
import { createTimelapseClient, isTimelapseError, runTimelapseJob } from '@camdl/axis-timelapse2';

const track = closeAfterEach();

describe('runTimelapseJob: an outdir that cannot be created', () => {
  it('outcome outdir-failed (ERR_TIMELAPSE_OUTDIR) after the listing, no download, nothing thrown; list and dry-run never create it', async () => {
    const sim = track(await startCameraSim({ profile: 'timelapse3', content: 'tiny' }));
    const dir = track(await makeTempDir('camdl-t2outdir-'));
    const client = track(createTimelapseClient({ baseUrl: sim.url, username: sim.username, password: sim.password, timeout: 5000, retryDelay: 0 }));
    await writeFile(join(dir.path, 'blocker'), 'a file, not a directory');
    const outdir = join(dir.path, 'blocker', 'downloads');
    const result = await runTimelapseJob(client, { outdir, rateLimitMbps: 0 });
    expect(result.outcome).toBe('outdir-failed');
    expect(isTimelapseError(result.error, 'ERR_TIMELAPSE_OUTDIR')).toBe(true);
    expect((result.error as Error).message).toContain(outdir);
    expect(result).toMatchObject({ downloaded: 0, skipped: 0, failed: sim.archives.length });
    expect(sim.counters.requestsByMethod['GET download'] ?? 0).toBe(0);
    for (const mode of ['list', 'dry-run'] as const) expect((await runTimelapseJob(client, { outdir, mode })).outcome).toBe('done');
  });
});
