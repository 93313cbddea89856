import { existsSync } from 'node:fs';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startCameraSim, type CameraSim } from '@camdl/camera-sim';
import { closeAfterEach, makeTempDir, type TempDir } from '@camdl/test-utils';
import { beforeEach, describe, expect, it } from 'vitest';
import { createAmcrestClient, runRecordingsJob, type AmcrestClient, type RecordingsJobEvent } from '../src/index.js';

const RANGE = { start: '2026-01-16T20:00:00', end: '2026-01-16T22:00:00', cameraTimeZone: 'America/New_York' } as const;

describe('runRecordingsJob (against the simulator, no ffmpeg needed)', () => {
  const track = closeAfterEach();
  let dir: TempDir;
  beforeEach(async () => {
    dir = track(await makeTempDir());
  });

  const connect = async (password?: string): Promise<{ sim: CameraSim; client: AmcrestClient }> => {
    const sim = track(await startCameraSim({ profile: 'amcrest', content: 'tiny' }));
    const client = track(createAmcrestClient({ url: sim.url, username: sim.username, password: password ?? sim.password }));
    return { sim, client };
  };

  it('list mode: searches, reports the listing, downloads nothing', async () => {
    const { sim, client } = await connect();
    const events: RecordingsJobEvent[] = [];
    const result = await runRecordingsJob(client, { ...RANGE, mode: 'list', outputDir: dir.path, onEvent: (event) => events.push(event) });
    expect(result.outcome).toBe('done');
    expect(result.found?.recordings.length).toBeGreaterThan(0);
    expect(events.map((event) => event.type)).toEqual(['phase', 'device', 'channels', 'search', 'listing']);
    expect(sim.counters.requests['RPC_Loadfile'] ?? 0).toBe(0);
  });

  it('--no-merge: downloads every part, outcome done, no merged file', async () => {
    const { sim, client } = await connect();
    const result = await runRecordingsJob(client, { ...RANGE, merge: false, outputDir: dir.path, retryDelay: 0 });
    const videos = sim.recordings.filter((recording) => recording.type === 'mp4');
    expect(result).toMatchObject({ outcome: 'done', downloaded: videos.length, reused: 0, failed: 0 });
    expect((await readdir(result.partsDirectory)).filter((name) => name.endsWith('.mp4'))).toHaveLength(videos.length);
    const again = await runRecordingsJob(client, { ...RANGE, merge: false, outputDir: dir.path });
    expect(again).toMatchObject({ outcome: 'done', downloaded: 0, reused: videos.length });
  });

  it('an existing merged file stops the job before any download', async () => {
    const { sim, client } = await connect();
    await writeFile(join(dir.path, 'out.mp4'), 'precious');
    const result = await runRecordingsJob(client, { ...RANGE, outputDir: dir.path, outputFile: 'out.mp4' });
    expect(result.outcome).toBe('output-exists');
    expect(sim.counters.requests['RPC_Loadfile'] ?? 0).toBe(0);
  });

  it('a failed download without allowPartial: outcome some-failed, nothing merged', async () => {
    const { sim, client } = await connect();
    const broken = sim.recordings.find((recording) => recording.type === 'mp4')!.filePath;
    sim.setFaults([{ route: 'RPC_Loadfile', match: broken, kind: 'status', status: 500 }]);
    const result = await runRecordingsJob(client, { ...RANGE, outputDir: dir.path, maxRetries: 0, retryDelay: 0 });
    expect(result).toMatchObject({ outcome: 'some-failed', failed: 1, phase: 'download', merged: undefined });
    expect(existsSync(result.output!)).toBe(false);
  });

  it('a range backwards once converted: outcome invalid-range, nothing searched', async () => {
    const { sim, client } = await connect();
    const result = await runRecordingsJob(client, { start: '2026-01-16T22:00:00', end: '2026-01-16T20:00:00-05:00', cameraTimeZone: 'America/New_York', outputDir: dir.path });
    expect(result.outcome).toBe('invalid-range');
    expect(sim.counters.searchesCreated).toBe(0);
  });

  it('a wrong password: outcome search-failed with the auth error', async () => {
    const { client } = await connect('wrong');
    const result = await runRecordingsJob(client, { ...RANGE, outputDir: dir.path });
    expect(result.outcome).toBe('search-failed');
    expect(result.error).toMatchObject({ code: 'ERR_AMCREST_AUTH' });
  });

  it('the gentle stop during downloads: running files finish, the rest are not started, outcome interrupted', async () => {
    const { client } = await connect();
    const stop = new AbortController();
    const result = await runRecordingsJob(client, {
      ...RANGE,
      merge: false,
      maxConcurrent: 1,
      outputDir: dir.path,
      stopSignal: stop.signal,
      onEvent: (event) => {
        if (event.type === 'start') stop.abort();
      },
    });
    expect(result).toMatchObject({ outcome: 'interrupted', phase: 'download', downloaded: 1, failed: 0 });
    expect(result.notStarted).toBeGreaterThan(0);
  });
});
