import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startCameraSim } from '@camdl/camera-sim';
import { closeAfterEach, makeTempDir } from '@camdl/test-utils';
import { describe, expect, it } from 'vitest';
import { canDelete, createTimelapseClient, runTimelapseJob, type TimelapseJobEvent } from '@camdl/axis-timelapse2';

const track = closeAfterEach();

async function setup(profile: 'timelapse2-v1' | 'timelapse3' | 'timelapseme', simOptions: Partial<Parameters<typeof startCameraSim>[0]> = {}) {
  const sim = track(await startCameraSim({ profile, content: 'tiny', ...simOptions }));
  const dir = track(await makeTempDir('camdl-t2job-'));
  const client = track(createTimelapseClient({ baseUrl: sim.url, username: sim.username, password: sim.password, timeout: 5000, retryDelay: 0 }));
  return { sim, dir, client };
}

function collect(): { events: TimelapseJobEvent[]; onEvent: (event: TimelapseJobEvent) => void } {
  const events: TimelapseJobEvent[] = [];
  return { events, onEvent: (event) => events.push(event) };
}

describe('runTimelapseJob', () => {
  it('lists, downloads and reports the phases in order; outcome done', async () => {
    const { sim, dir, client } = await setup('timelapse3');
    const { events, onEvent } = collect();
    const result = await runTimelapseJob(client, { outdir: dir.path, rateLimitMbps: 0, onEvent });
    expect(result).toMatchObject({ outcome: 'done', downloaded: sim.archives.length, failed: 0, interrupted: false });
    const types = events.map((event) => event.type);
    expect(types.slice(0, 3)).toEqual(['phase', 'listing', 'phase']);
    expect(types.filter((type) => type === 'done')).toHaveLength(sim.archives.length);
    expect((await readdir(dir.path)).sort()).toEqual(sim.archives.map((archive) => archive.filename).sort());
  });

  it('list mode: the listing only, nothing downloaded', async () => {
    const { sim, dir, client } = await setup('timelapse3');
    const { events, onEvent } = collect();
    const result = await runTimelapseJob(client, { mode: 'list', outdir: dir.path, onEvent });
    expect(result.outcome).toBe('done');
    expect(result.selected).toHaveLength(sim.archives.length);
    expect(events.map((event) => event.type)).toEqual(['phase', 'listing']);
    expect(await readdir(dir.path)).toEqual([]);
  });

  it('dry run counts what it would download and skip', async () => {
    const { sim, dir, client } = await setup('timelapse3');
    await writeFile(join(dir.path, sim.archives[0]!.filename), 'x');
    const result = await runTimelapseJob(client, { mode: 'dry-run', outdir: dir.path });
    expect(result).toMatchObject({ outcome: 'done', wouldDownload: sim.archives.length - 1, wouldSkip: 1, downloaded: 0, skipped: 0 });
    expect(sim.counters.requestsByMethod['GET download'] ?? 0).toBe(0);
  });

  it('TimelapseMe cannot delete: a warning, nothing deleted (the policy is the library’s)', async () => {
    const { sim, dir, client } = await setup('timelapseme');
    const { events, onEvent } = collect();
    const result = await runTimelapseJob(client, { outdir: dir.path, deleteAfter: true, onEvent });
    expect(result).toMatchObject({ outcome: 'done', deleteAfter: false, deleted: 0 });
    expect(events.filter((event) => event.type === 'warning')).toHaveLength(1);
    expect(sim.counters.requestsByMethod['DELETE archives'] ?? 0).toBe(0);
    expect(canDelete('timelapseme')).toBe(false);
    expect(canDelete('timelapse3')).toBe(true);
  });

  it('a failed file: outcome some-failed, the others downloaded', async () => {
    const { sim, dir, client } = await setup('timelapse3');
    sim.addFault({ route: 'download', match: sim.archives[0]!.filename, kind: 'status', status: 404 });
    const result = await runTimelapseJob(client, { outdir: dir.path, maxRetries: 0 });
    expect(result).toMatchObject({ outcome: 'some-failed', failed: 1, downloaded: sim.archives.length - 1 });
  });

  it('a listing that fails: outcome listing-failed with the error, nothing thrown', async () => {
    const { sim, dir, client } = await setup('timelapse3');
    sim.addFault({ route: 'archive', kind: 'status', status: 200, body: '{"not":"an array"' });
    const result = await runTimelapseJob(client, { outdir: dir.path });
    expect(result.outcome).toBe('listing-failed');
    expect(result.error).toMatchObject({ code: 'ERR_TIMELAPSE_BAD_RESPONSE' });
  });

  it('the gentle stop during the listing ends it at once: outcome interrupted', async () => {
    const { sim, dir } = await setup('timelapse3', { timelapse: { startingRequests: 100 } });
    const stop = new AbortController();
    const slowClient = createTimelapseClient({ baseUrl: sim.url, username: sim.username, password: sim.password, retryDelay: 30_000 });
    try {
      setTimeout(() => stop.abort(), 200);
      const started = Date.now();
      const result = await runTimelapseJob(slowClient, { outdir: dir.path, stopSignal: stop.signal });
      expect(result.outcome).toBe('interrupted');
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      await slowClient.close();
    }
  });

  it('the gentle stop during downloads: the current file finishes, no new one starts', async () => {
    const { sim, dir, client } = await setup('timelapse3');
    const stop = new AbortController();
    const result = await runTimelapseJob(client, {
      outdir: dir.path,
      stopSignal: stop.signal,
      onEvent: (event) => {
        if (event.type === 'start') stop.abort();
      },
    });
    expect(result).toMatchObject({ outcome: 'interrupted', downloaded: 1 });
    expect(await readdir(dir.path)).toEqual([sim.archives[0]!.filename]);
  });
});
