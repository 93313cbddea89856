import { execFile, spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, missingSystemTools, sha256File, type TempDir } from '@camdl/test-utils';
import { startCameraSim, type CameraSim } from '@camdl/camera-sim';

const run = promisify(execFile);
const skip = missingSystemTools('curl', 'python3', 'ffprobe', 'ffmpeg');

describe.skipIf(skip !== undefined)('real clients against the simulator', () => {
  let dir: TempDir;
  let timelapse: CameraSim;
  let amcrest: CameraSim;
  beforeAll(async () => {
    dir = await makeTempDir('camdl-sim-');
    timelapse = await startCameraSim({ profile: 'timelapse3', password: 'pass word' });
    amcrest = await startCameraSim({ profile: 'amcrest', password: 'secret' });
  });
  afterAll(async () => {
    await timelapse.close();
    await amcrest.close();
    await dir.cleanup();
  });

  it('curl --digest fetches a timelapse3 file byte-identically', async () => {
    const archive = timelapse.archives.find((item) => item.filename.includes('('))!;
    const out = join(dir.path, 'timelapse.mp4');
    await run('curl', ['-sS', '-f', '-g', '--digest', '-u', `admin:${timelapse.password}`, '-o', out, `${timelapse.url}${timelapse.downloadPath(archive)}`]);
    expect(await sha256File(out)).toBe(archive.sha256);
  });

  it('curl --digest fetches an amcrest recording byte-identically, and ffprobe sees H.264 + AAC of the known duration', async () => {
    const recording = amcrest.recordings[2]!;
    const out = join(dir.path, 'recording.mp4');
    const target = amcrest.downloadPath(recording).replaceAll('[', '%5B').replaceAll(']', '%5D');
    await run('curl', ['-sS', '-f', '--digest', '-u', `admin:${amcrest.password}`, '-o', out, `${amcrest.url}${target}`]);
    expect(await sha256File(out)).toBe(recording.sha256);
    const { stdout } = await run('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_name:format=duration', '-of', 'json', out]);
    const probe = JSON.parse(stdout) as { streams: Array<{ codec_name: string }>; format: { duration: string } };
    expect(probe.streams.map((stream) => stream.codec_name).sort()).toEqual(['aac', 'h264']);
    expect(Math.abs(Number(probe.format.duration) - recording.mediaDurationSec!)).toBeLessThan(0.2);
  });

  it('Timelapse2 1.x serves playable MJPEG AVI', async () => {
    const sim = await startCameraSim({ profile: 'timelapse2-v1', password: 'secret', content: 'tiny' });
    try {
      const archive = sim.archives[0]!;
      const out = join(dir.path, 'v1.avi');
      await run('curl', ['-sS', '-f', '--digest', '-u', 'admin:secret', '-o', out, `${sim.url}${sim.downloadPath(archive)}`]);
      const { stdout } = await run('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_name:format=duration,format_name', '-of', 'json', out]);
      const probe = JSON.parse(stdout) as { streams: Array<{ codec_name: string }>; format: { duration: string; format_name: string } };
      expect(probe.format.format_name).toBe('avi');
      expect(probe.streams[0]!.codec_name).toBe('mjpeg');
      expect(Math.abs(Number(probe.format.duration) - archive.mediaDurationSec!)).toBeLessThan(0.2);
    } finally {
      await sim.close();
    }
  });

  it("Python urllib's HTTPDigestAuthHandler fetches from amcrest", async () => {
    const recording = amcrest.recordings[0]!;
    const script = `
import hashlib, sys, urllib.request
url, user, password = sys.argv[1], sys.argv[2], sys.argv[3]
manager = urllib.request.HTTPPasswordMgrWithDefaultRealm()
manager.add_password(None, url, user, password)
opener = urllib.request.build_opener(urllib.request.HTTPDigestAuthHandler(manager))
with opener.open(url) as response:
    print(response.status, hashlib.sha256(response.read()).hexdigest())
`;
    const { stdout } = await run('python3', ['-c', script, `${amcrest.url}${amcrest.downloadPath(recording)}`, 'admin', amcrest.password]);
    expect(stdout.trim()).toBe(`200 ${recording.sha256}`);
  });

  it('starts in well under a second with a warm cache', async () => {
    const began = performance.now();
    const sim = await startCameraSim({ profile: 'amcrest', password: 'x' });
    const elapsed = performance.now() - began;
    await sim.close();
    expect(elapsed).toBeLessThan(1000);
  });

  it('serves large synthetic files streamed, with Range (never held in memory)', async () => {
    const size = 300 * 1024 * 1024 + 17;
    const sim = await startCameraSim({ profile: 'timelapse3', password: 'x', content: { archives: [{ filename: 'Big_2025_09_30_0000', content: 'synthetic', size }] } });
    try {
      const archive = sim.archives[0]!;
      expect(archive.sha256).toBeUndefined();
      const heapBefore = process.memoryUsage().heapUsed;
      const out = join(dir.path, 'big.bin');
      await run('curl', ['-sS', '-f', '--digest', '-u', 'admin:x', '-r', `${size - 1000}-`, '-o', out, `${sim.url}${sim.downloadPath(archive)}`]);
      const { stdout } = await run('stat', ['-c', '%s', out]);
      expect(Number(stdout)).toBe(1000);
      expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(64 * 1024 * 1024);
    } finally {
      await sim.close();
    }
  });

  it('the camera-sim binary prints its URL and credentials, and stops on SIGTERM', async () => {
    const cli = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', cli, '--profile', 'amcrest', '--port', '0', '--pass', 'shown', '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const line = await new Promise<string>((resolve, reject) => {
      let text = '';
      child.stdout.on('data', (chunk: Buffer) => {
        text += chunk.toString();
        if (text.includes('\n')) resolve(text.split('\n')[0]!);
      });
      child.on('exit', (code) => reject(new Error(`exited ${code}`)));
    });
    const info = JSON.parse(line) as { url: string; username: string; password: string; profile: string };
    expect(info).toMatchObject({ profile: 'amcrest', username: 'admin', password: 'shown' });
    expect(info.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const { stdout } = await run('curl', ['-sS', '--digest', '-u', 'admin:shown', `${info.url}/cgi-bin/magicBox.cgi?action=getSerialNo`]);
    expect(stdout).toBe('sn=AMC018NP69LM4VM2VY\r\n');
    const exit = new Promise<number | null>((resolve) => child.on('exit', resolve));
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
  });
});
