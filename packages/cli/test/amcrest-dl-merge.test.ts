import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startCameraSim, type CameraSim } from '@camdl/camera-sim';
import { makeTempDir, missingSystemTools, type TempDir } from '@camdl/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonEvents, runAmcrestDl, simulatorArgs, spawnAmcrestDl, waitFor } from './amcrest-dl-helpers.js';

const skip = missingSystemTools('ffmpeg', 'ffprobe');

function probe(path: string): { format: number; video: number | undefined; codecs: string[] } {
  const json = JSON.parse(
    execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'format=duration:stream=codec_name,codec_type,duration', '-of', 'json', path], { encoding: 'utf8' }),
  ) as { format: { duration: string }; streams: Array<{ codec_name: string; codec_type: string; duration?: string }> };
  const video = json.streams.find((stream) => stream.codec_type === 'video');
  return { format: Number(json.format.duration), video: video?.duration ? Number(video.duration) : undefined, codecs: json.streams.map((stream) => stream.codec_name) };
}

// Every part is probed before the merge: generous timeouts for a loaded machine.
describe.skipIf(skip)('amcrest-dl merge (built binary, camera simulator, real ffmpeg)', { timeout: 180_000 }, () => {
  let dir: TempDir;
  let sim: CameraSim;
  let expectedSeconds: number;
  const args = (extra: string[]): string[] => simulatorArgs(sim, dir.path, ['--start', '2026-01-16T20:00:00', '--end', '2026-01-16T22:00:00', ...extra]);

  beforeAll(async () => {
    dir = await makeTempDir();
    // Two hours in 15 segments, plus one `.mp4_` still recording and two `.jpg` snapshots.
    sim = await startCameraSim({ profile: 'amcrest', content: 'demo' });
    const videos = sim.recordings.filter((recording) => recording.type === 'mp4');
    expect(videos).toHaveLength(15);
    expect(sim.recordings.some((recording) => recording.type === 'mp4_')).toBe(true);
    expect(sim.recordings.filter((recording) => recording.type === 'jpg')).toHaveLength(2);
    expectedSeconds = videos.reduce((sum, recording) => sum + (recording.mediaDurationSec ?? 0), 0);
  });

  afterAll(async () => {
    await sim.close();
    await dir.cleanup();
  });

  it('downloads the 15 recordings, skips .mp4_ and .jpg, merges into mp4 as long as its parts', async () => {
    const run = await runAmcrestDl(args(['--keep-files']), { password: sim.password });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.match(/^GET /gm)).toHaveLength(15);
    expect(run.stdout).toContain('Not downloading: 2 snapshots, 1 still being recorded');
    // One authenticated request per recording (challenges are not counted by attemptsOf).
    const videos = sim.recordings.filter((recording) => recording.type === 'mp4');
    expect(videos.map((recording) => sim.faults.attemptsOf('RPC_Loadfile', recording.filePath))).toEqual(Array(15).fill(1));
    expect(sim.recordings.filter((recording) => recording.type !== 'mp4').map((recording) => sim.faults.attemptsOf('RPC_Loadfile', recording.filePath))).toEqual([0, 0, 0]);
    const output = join(dir.path, 'amcrest_2026-01-16_20.00.00_2026-01-16_22.00.00.mp4');
    const info = probe(output);
    expect(Math.abs((info.video ?? info.format) - expectedSeconds)).toBeLessThan(15 * 0.1);
    expect(info.codecs).toEqual(expect.arrayContaining(['h264', 'aac']));
    const parts = await readdir(join(dir.path, '.amcrest_download'));
    expect(parts.filter((name) => name.endsWith('.mp4'))).toHaveLength(15);
    expect(parts).toContain('2026-01-16_20.00.00-20.08.00_ch1.mp4');
  });

  it.each(['mkv', 'avi'])('merges the kept parts into %s without downloading them again', async (format) => {
    const before = sim.counters.requests['RPC_Loadfile'];
    const output = `night.${format}`;
    const run = await runAmcrestDl(args(['--output-format', format, '--output-file', output, '--keep-files', '--json']), { password: sim.password });
    expect(run.code, run.stderr).toBe(0);
    expect(sim.counters.requests['RPC_Loadfile']).toBe(before);
    const downloads = jsonEvents(run.stdout).filter((event) => event['type'] === 'download');
    expect(downloads.map((event) => event['status'])).toEqual(Array(15).fill('skipped'));
    const merge = jsonEvents(run.stdout).find((event) => event['type'] === 'merge');
    expect(merge?.['format']).toBe(format);
    const info = probe(join(dir.path, output));
    // AVI's AAC duration is an estimate: compare the video stream when the container has one.
    expect(Math.abs((info.video ?? info.format) - expectedSeconds)).toBeLessThan(15 * 0.1);
    expect(info.codecs).toEqual(expect.arrayContaining(['h264', 'aac']));
  });

  it('Ctrl+C during the merge kills ffmpeg and leaves no merged file, only the parts', async () => {
    // An ffmpeg that takes its time for the concat step, so the test can interrupt it for sure.
    const marker = join(dir.path, 'ffmpeg-started');
    const wrapper = join(dir.path, 'slow-ffmpeg.sh');
    const ffmpeg = execFileSync('sh', ['-c', 'command -v ffmpeg'], { encoding: 'utf8' }).trim();
    await writeFile(wrapper, `#!/bin/sh\ncase "$*" in *concat*) touch '${marker}'; sleep 30 </dev/null >/dev/null 2>&1;; esac\nexec '${ffmpeg}' "$@"\n`);
    await chmod(wrapper, 0o755);
    const cli = spawnAmcrestDl(args(['--output-file', 'interrupted.mp4']), { password: sim.password, env: { FFMPEG_PATH: wrapper } });
    await waitFor(() => existsSync(marker), 'the merge to start', 120_000);
    cli.child.kill('SIGINT');
    const run = await cli.done;
    expect(run.code).toBe(130);
    expect(run.stdout).toContain('Interrupted during the merge');
    const names = await readdir(dir.path);
    expect(names.filter((name) => name.startsWith('interrupted'))).toEqual([]);
    expect(names.filter((name) => name.startsWith('.camdl-merge-'))).toEqual([]);
    expect((await readdir(join(dir.path, '.amcrest_download'))).filter((name) => name.endsWith('.mp4'))).toHaveLength(15);
  });

  it('without --keep-files removes the parts after a verified merge', async () => {
    const run = await runAmcrestDl(args(['--output-file', 'final.mkv']), { password: sim.password });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^DEL /m);
    expect(existsSync(join(dir.path, '.amcrest_download'))).toBe(false);
    expect(probe(join(dir.path, 'final.mkv')).codecs).toContain('h264');
  });
});
