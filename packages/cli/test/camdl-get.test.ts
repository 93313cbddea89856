import { execFileSync } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startCameraSim, type CameraSim, type CameraSimOptions } from '@camdl/camera-sim';
import { sqliteAvailable } from '@camdl/sync';
import { makeTempDir, missingSystemTools, sha256File, type TempDir } from '@camdl/test-utils';
import { assertCamdlBuilt, events, runCamdl } from './camdl-helpers.js';

/** The files a get left in `out` (its own `.camdl` and the SHA256SUMS aside). */
async function filesIn(out: string): Promise<string[]> {
  const entries = await readdir(out).catch(() => []);
  return entries.filter((name) => name !== '.camdl' && name !== 'SHA256SUMS').sort();
}

describe.skipIf(!sqliteAvailable())('camdl get: one camera’s window, once', () => {
  let sim: CameraSim | undefined;
  let dir: TempDir | undefined;
  beforeAll(() => assertCamdlBuilt());
  afterEach(async () => {
    await sim?.close();
    await dir?.cleanup();
    sim = undefined;
    dir = undefined;
  });

  async function start(options: CameraSimOptions): Promise<{ sim: CameraSim; out: string; env: NodeJS.ProcessEnv; base: string[] }> {
    sim = await startCameraSim(options);
    dir = await makeTempDir('camdl-get-');
    const out = join(dir.path, 'out');
    return { sim, out, env: { CAMDL_GET_TEST_PASSWORD: sim.password }, base: ['get', '--kind', options.profile === 'hikvision' || options.profile === 'axis-edge' || options.profile === 'amcrest' ? options.profile : 'timelapse', '--host', sim.url, '--user', sim.username, '--password-env', 'CAMDL_GET_TEST_PASSWORD', '--out', out] };
  }

  it('hikvision: every recording of the window, byte for byte; a second run fetches nothing', async () => {
    const camera = await start({ profile: 'hikvision', timeZone: 'America/New_York' });
    const run = await runCamdl([...camera.base, '--since', '2026-01-16T00:00:00', '--until', '2026-01-18T00:00:00', '--no-progress'], camera.env);
    expect(run.stderr).toBe('');
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^SAVE {2}ch01_20260116_233000-20260116_234000\.mp4 \(/m);
    const recordings = camera.sim.hikvision!.recordings;
    expect(await filesIn(camera.out)).toHaveLength(recordings.length);
    for (const recording of recordings) {
      const name = `ch01_${recording.startTime.replace(/-/g, '').replace(' ', '_').replace(/:/g, '')}-${recording.endTime.replace(/-/g, '').replace(' ', '_').replace(/:/g, '')}.mp4`;
      expect(await sha256File(join(camera.out, name))).toBe(recording.sha256);
    }
    expect(run.stdout).not.toContain(camera.sim.password);
    const again = await runCamdl([...camera.base, '--since', '2026-01-16T00:00:00', '--until', '2026-01-18T00:00:00', '--json'], camera.env);
    expect(again.code).toBe(0);
    expect(events(again.stdout).filter((event) => event.type === 'file-done')).toEqual([]);
  });

  it('axis-edge: exports proven whole, the recording in progress left; --merge joins them', async () => {
    const camera = await start({ profile: 'axis-edge', timeZone: 'UTC', axisEdge: { recordings: 2 } });
    const merged = join(dir!.path, 'dock.mp4');
    const run = await runCamdl([...camera.base, '--since', '2026-01-16T00:00:00Z', '--format', 'mp4', '--merge', merged, '--no-progress'], camera.env);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const [first, second] = camera.sim.axisEdge!.recordings;
    expect(await filesIn(camera.out)).toEqual([`${first!.diskId}_${first!.recordingId}.mp4`, `${second!.diskId}_${second!.recordingId}.mp4`]);
    expect(await sha256File(join(camera.out, `${first!.diskId}_${first!.recordingId}.mp4`))).toBe(first!.exports.mp4.sha256);
    expect(run.stdout).toMatch(/^MERGE .*dock\.mp4 \(2 files, /m);
  });

  it.skipIf(missingSystemTools('ffprobe') !== undefined)('axis-edge: --merge joins the Matroska exports as the camera streams them (no Duration, no Cues), every frame in place', async () => {
    const camera = await start({ profile: 'axis-edge', timeZone: 'UTC', axisEdge: { recordings: 2 } });
    const merged = join(dir!.path, 'dock.mkv');
    const run = await runCamdl([...camera.base, '--since', '2026-01-16T00:00:00Z', '--merge', merged, '--no-progress'], camera.env);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const [first, second] = camera.sim.axisEdge!.recordings;
    for (const recording of [first!, second!]) expect(await sha256File(join(camera.out, `${recording.diskId}_${recording.recordingId}.mkv`))).toBe(recording.exports.matroska.sha256);
    expect(run.stdout).toMatch(/^MERGE .*dock\.mkv \(2 files, 9\.0 s\)/m);
    const times = execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'packet=pts_time', '-of', 'csv=p=0', merged], { encoding: 'utf8' })
      .split('\n')
      .map(Number.parseFloat)
      .filter(Number.isFinite)
      .sort((a, b) => a - b);
    // 4 s and 5 s at 10 fps, the second export's first frame right after the first one's last.
    expect(times).toHaveLength(90);
    expect(times.slice(1).every((time, index) => Math.abs(time - (times[index] as number) - 0.1) < 0.001)).toBe(true);
  });

  it('axis-edge: an export refused with 200 and an XML body is a FAIL line, nothing saved, exit 1', async () => {
    const camera = await start({ profile: 'axis-edge', timeZone: 'UTC', axisEdge: { recordings: 1, inProgress: false } });
    camera.sim.axisEdge!.refuseExport(camera.sim.axisEdge!.recordings[0]!.recordingId, 110);
    const run = await runCamdl([...camera.base, '--since', '2026-01-16T00:00:00Z', '--max-retries', '0', '--no-progress'], camera.env);
    expect(run.code, run.stdout + run.stderr).toBe(1);
    expect(run.stdout).toMatch(/^FAIL {2}127\.0\.0\.1: \d{8}_\d{6}_\w+: .*GeneralError 110 \(Recording not found\)/m);
    expect(await filesIn(camera.out)).toEqual([]);
  });

  it('amcrest: one camera-time window, verified', async () => {
    const camera = await start({ profile: 'amcrest', content: 'tiny' });
    const run = await runCamdl([...camera.base, '--since', '2026-01-16T00:00:00', '--until', '2026-01-17T00:00:00', '--time-zone', 'America/New_York', '--no-progress'], camera.env);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const mp4 = camera.sim.recordings.filter((recording) => recording.type === 'mp4');
    expect(mp4.length).toBeGreaterThan(0);
    const files = await filesIn(camera.out);
    for (const recording of mp4) {
      const name = `${recording.startTime.slice(0, 10)}_${recording.startTime.slice(11).replaceAll(':', '.')}-${recording.endTime.slice(11).replaceAll(':', '.')}_ch1.mp4`;
      expect(files).toContain(name);
      expect(await sha256File(join(camera.out, name))).toBe(recording.sha256);
    }
  });

  it('timelapse: the archives of the window', async () => {
    const first = Date.parse('2026-03-01T00:00:00Z');
    const archives = [0, 1, 2].map((day) => ({ filename: `Gate_2026_03_0${day + 2}_0000`, content: 'synthetic' as const, size: 30_000 + day, first: first + day * 86_400_000 }));
    const camera = await start({ profile: 'timelapse3', content: { archives } });
    const run = await runCamdl([...camera.base, '--since', '2026-03-01T12:00:00Z', '--until', '2026-03-04T00:00:00Z', '--time-zone', 'UTC', '--no-progress'], camera.env);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    // The first archive's frames start before the window: only the other two.
    expect(await filesIn(camera.out)).toEqual(['Gate_2026_03_03_0000.mp4', 'Gate_2026_03_04_0000.mp4']);
    for (const archive of camera.sim.archives.slice(1)) expect(await sha256File(join(camera.out, archive.filename))).toBe(archive.sha256);
  });

  it('usage errors exit 2 before any password is asked or the camera contacted', async () => {
    const camera = await start({ profile: 'hikvision', timeZone: 'UTC' });
    const badTime = await runCamdl([...camera.base, '--since', 'yesterday-ish'], camera.env);
    expect(badTime.code).toBe(2);
    expect(badTime.stderr).toMatch(/since must be a duration .* got "yesterday-ish"/);
    const badChannel = await runCamdl([...camera.base, '--since', '1d', '--channel', 'two'], camera.env);
    expect(badChannel.code).toBe(2);
    const noPassword = await runCamdl([...camera.base.filter((arg) => arg !== '--password-env' && arg !== 'CAMDL_GET_TEST_PASSWORD'), '--since', '1d']);
    expect(noPassword.code).toBe(2);
    expect(noPassword.stderr).toMatch(/no password: pass --password-file FILE or --password-env VAR/);
    expect(camera.sim.counters.totalRequests).toBe(0);
  });

  it('--help shows real examples and its own exit codes', async () => {
    const help = await runCamdl(['get', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('camdl get --kind hikvision --host 10.0.0.51');
    expect(help.stdout).toMatch(/3\s+--merge failed/);
  });
});
