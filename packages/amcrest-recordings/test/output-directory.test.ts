import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startCameraSim } from '@camdl/camera-sim';
import { closeAfterEach, makeTempDir } from '@camdl/test-utils';
import { describe, expect, it } from 'vitest';
import { createAmcrestClient, isAmcrestError, runRecordingsJob } from '../src/index.js';

const RANGE = { start: '2026-01-16T20:00:00', end: '2026-01-16T22:00:00', cameraTimeZone: 'America/New_York' } as const;

describe('runRecordingsJob: the merged file cannot be written where it is asked', () => {
  const track = closeAfterEach();

  it('a file where the output directory should be: outcome output-unwritable before any download, nothing thrown', async () => {
    const sim = track(await startCameraSim({ profile: 'amcrest', content: 'tiny' }));
    const client = track(createAmcrestClient({ url: sim.url, username: sim.username, password: sim.password }));
    const dir = track(await makeTempDir());
    await writeFile(join(dir.path, 'blocker'), 'a file, not a directory');
    const result = await runRecordingsJob(client, { ...RANGE, outputDir: dir.path, outputFile: 'blocker/night.mp4', retryDelay: 0 });
    expect(result.outcome).toBe('output-unwritable');
    expect(result.output).toBe(join(dir.path, 'blocker', 'night.mp4'));
    expect(isAmcrestError(result.error, 'ERR_AMCREST_OUTPUT_DIR')).toBe(true);
    expect((result.error as Error).message).toContain(join(dir.path, 'blocker'));
    expect(sim.counters.requests['RPC_Loadfile'] ?? 0).toBe(0);
    expect(sim.counters.searchesLeaked).toBe(0);
  });
});
