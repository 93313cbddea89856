import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { startCameraSim, type CameraSim } from '@camdl/camera-sim';
import { closeAfterEach, makeTempDir, type TempDir } from '@camdl/test-utils';
import { beforeEach, describe, expect, it } from 'vitest';
import { createAmcrestClient, downloadRecordings, findRecordings, type AmcrestClient } from '../src/index.js';

const RANGE = { start: '2026-01-16T20:00:00', end: '2026-01-16T22:00:00', cameraTimeZone: 'America/New_York' } as const;

describe('camera variants (against the simulator)', () => {
  const track = closeAfterEach();
  let dir: TempDir;
  beforeEach(async () => {
    dir = track(await makeTempDir());
  });

  const connect = (camera: CameraSim): AmcrestClient => track(createAmcrestClient({ url: camera.url, username: camera.username, password: camera.password }));

  it('searches again without condition.Types when the camera refuses it, and still destroys the search', async () => {
    const sim = track(await startCameraSim({ profile: 'amcrest', content: 'tiny', amcrest: { refuseTypes: true } }));
    const warnings: string[] = [];
    const found = await findRecordings(connect(sim), { ...RANGE, onWarning: (text) => warnings.push(text) });
    expect(found.recordings.length).toBeGreaterThan(0);
    expect(found.recordings.every((recording) => recording.kind === 'mp4')).toBe(true);
    expect(warnings.join('\n')).toContain('condition.Types[0]=mp4; searched again without them');
    expect(sim.counters.searchesDestroyed).toBe(1);
    expect(sim.counters.searchesLeaked).toBe(0);
  });

  it('maxItems stops reading the listing there, says so, and still destroys the search', async () => {
    const sim = track(await startCameraSim({ profile: 'amcrest', content: 'tiny' }));
    const client = connect(sim);
    const full = await findRecordings(client, RANGE);
    expect(full.complete).toBe(true);
    expect(full.recordings.length).toBeGreaterThan(2);
    const cut = await findRecordings(client, { ...RANGE, maxItems: 2 });
    expect(cut.complete).toBe(false);
    expect(cut.recordings).toHaveLength(2);
    const names = new Set(full.recordings.map((recording) => recording.fileName));
    expect(cut.recordings.every((recording) => names.has(recording.fileName))).toBe(true);
    expect(sim.counters.searchesDestroyed).toBe(2);
    expect(sim.counters.searchesLeaked).toBe(0);
    await expect(findRecordings(client, { ...RANGE, maxItems: 0 })).rejects.toMatchObject({ code: 'ERR_AMCREST_INVALID_OPTIONS' });
  });

  it('device info a user may not read (Invalid Authority, 200) is missing, not an error', async () => {
    const sim = track(await startCameraSim({
      profile: 'amcrest',
      content: 'tiny',
      faults: [{ route: 'magicBox', match: /^getSerialNo|getSoftwareVersion$/, kind: 'status', status: 200, body: 'Error\r\nInvalid Authority!\r\n' }],
    }));
    const info = await connect(sim).getDeviceInfo();
    expect(info.deviceType).toBe('IP8M-2496EB');
    expect(info.serialNumber).toBeUndefined();
    expect(info.softwareVersion).toBeUndefined();
  });

  it.each(['encoded', 'raw'] as const)('downloads from a camera that only understands %s brackets in RPC_Loadfile paths', async (loadfilePaths) => {
    const sim = track(await startCameraSim({ profile: 'amcrest', content: 'tiny', amcrest: { loadfilePaths } }));
    const camera = connect(sim);
    const found = await findRecordings(camera, RANGE);
    const recordings = found.recordings;
    expect(recordings.length).toBeGreaterThan(1);
    expect(recordings.every((recording) => recording.filePath.includes('['))).toBe(true);
    const outcomes = await downloadRecordings(camera, recordings, { directory: dir.path, maxConcurrent: 1, retryDelay: 0 });
    expect(outcomes.map((outcome) => outcome.status)).toEqual(recordings.map(() => 'downloaded'));
    // Raw brackets are tried first; after one refusal the other form is kept for the rest of the run.
    expect(sim.counters.requests['RPC_Loadfile']).toBe(recordings.length + (loadfilePaths === 'encoded' ? 1 : 0));
  });

  it('an RPC_Loadfile answered 200 with an Error body fails that file and leaves nothing on disk', async () => {
    const sim = track(await startCameraSim({
      profile: 'amcrest',
      content: 'tiny',
      faults: [{ route: 'RPC_Loadfile', kind: 'status', status: 200, body: 'Error\r\nBad Request!\r\n', times: 2 }],
    }));
    const camera = connect(sim);
    const found = await findRecordings(camera, RANGE);
    const [first] = found.recordings;
    const outcomes = await downloadRecordings(camera, [first!], { directory: dir.path, retryDelay: 0 });
    expect(outcomes[0]?.status).toBe('failed');
    expect((outcomes[0]?.error as { code?: string }).code).toBe('ERR_AMCREST_BAD_REQUEST');
    expect(existsSync(join(dir.path, first!.fileName))).toBe(false);
    expect((await readdir(dir.path)).filter((name) => !name.startsWith('.'))).toEqual([]);
  });

  it('wall-clock times still search when the camera clock cannot be read; instants need it', async () => {
    const sim = track(await startCameraSim({
      profile: 'amcrest',
      content: 'tiny',
      faults: [{ route: 'global', kind: 'status', status: 501, body: 'Error\r\nNot Implemented!\r\n' }],
    }));
    const camera = connect(sim);
    const warnings: string[] = [];
    const found = await findRecordings(camera, { start: RANGE.start, end: RANGE.end, onWarning: (text) => warnings.push(text) });
    expect(found.recordings.length).toBeGreaterThan(0);
    expect(found.window).toEqual({ start: '2026-01-16 20:00:00', end: '2026-01-16 22:00:00' });
    expect(warnings.join('\n')).toContain('could not read the camera clock (ERR_AMCREST_NOT_IMPLEMENTED)');
    await expect(findRecordings(camera, { start: '2026-01-16T20:00:00Z', end: RANGE.end })).rejects.toMatchObject({ code: 'ERR_AMCREST_NOT_IMPLEMENTED' });
  });
});
