import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startCameraSim, type CameraSim, type RecordingSpec } from '@camdl/camera-sim';
import { makeTempDir, missingSystemTools, type TempDir } from '@camdl/test-utils';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { jsonEvents, runAmcrestDl, startRecordingProxy } from './amcrest-dl-helpers.js';

const skip = missingSystemTools('ffmpeg', 'ffprobe');

function probe(path: string): { seconds: number; frames: number; codec: string } {
  const json = JSON.parse(
    execFileSync('ffprobe', ['-v', 'error', '-count_frames', '-select_streams', 'v:0', '-show_entries', 'stream=codec_name,duration,nb_read_frames', '-of', 'json', path], { encoding: 'utf8' }),
  ) as { streams: Array<{ codec_name: string; duration: string; nb_read_frames: string }> };
  const video = json.streams[0]!;
  return { seconds: Number(video.duration), frames: Number(video.nb_read_frames), codec: video.codec_name };
}

const sha256 = async (path: string): Promise<string> => createHash('sha256').update(await readFile(path)).digest('hex');

/** A 2-channel NVR: 4-second recordings (media = nominal span), motion and timing, Main and Extra1, snapshots. */
function nvr(): RecordingSpec[] {
  const at = (second: number): string => `2026-01-16 20:00:${String(second).padStart(2, '0')}`;
  const clip = (from: number, extra: Partial<RecordingSpec>): RecordingSpec => ({ start: at(from), end: at(from + 4), mediaDurationSec: 4, ...extra });
  return [
    clip(0, { events: ['VideoMotion'], flags: ['Event'] }),
    clip(0, { events: ['VideoMotion'], flags: ['Event'], stream: 'Extra1' }),
    clip(4, { events: [], flags: ['Timing'] }),
    clip(8, { events: ['VideoMotion'], flags: ['Event'] }),
    clip(0, { channel: 2, events: ['VideoMotion'], flags: ['Event'] }),
    clip(4, { channel: 2, events: ['AlarmLocal'], flags: ['Event'] }),
    { start: at(1), end: at(1), type: 'jpg', size: 3000 },
    { start: at(5), end: at(5), type: 'jpg', size: 4000, channel: 2 },
  ];
}

describe.skipIf(skip)('amcrest-dl on an NVR: events, flags, streams, channels, snapshots, dry run (built binary)', { timeout: 240_000 }, () => {
  let sim: CameraSim;
  let dir: TempDir;
  beforeAll(async () => {
    sim = await startCameraSim({ profile: 'amcrest', timeZone: 'UTC', content: { recordings: nvr() }, amcrest: { channelCount: 2, maxOpenSearches: 1 } });
  });
  afterAll(() => sim.close());
  beforeEach(async () => {
    dir = await makeTempDir();
    sim.resetCounters();
  });
  afterEach(() => dir.cleanup());
  const args = (host: string, extra: string[]): string[] => [
    ...['--host', host, '--username', sim.username, '--start', '2026-01-16T20:00:00', '--end', '2026-01-16T20:00:12', '--camera-tz', 'UTC'],
    ...['--output-dir', dir.path, '--no-progress', ...extra],
  ];

  it('--channel all --events VideoMotion --flags Event: the conditions reach the camera, one merged file per channel of the motion recordings only', async () => {
    const proxy = await startRecordingProxy(sim.port);
    try {
      const run = await runAmcrestDl(args(proxy.url, ['--channel', 'all', '--events', 'VideoMotion', '--flags', 'event', '--json']), { password: sim.password });
      expect(run.code, run.stderr).toBe(0);
      const finds = proxy.targets.filter((target) => target.includes('action=findFile'));
      expect(finds).toHaveLength(2);
      for (const [index, target] of finds.entries()) {
        expect(target).toContain(`condition.Channel=${index + 1}&`);
        expect(target).toContain('condition.Types[0]=mp4&condition.Flags[0]=Event&condition.Events[0]=VideoMotion&condition.VideoStream=Main');
      }
      expect(proxy.targets.some((target) => target.includes('getProductDefinition&name=MaxRemoteInputChannels'))).toBe(true);
      expect(sim.counters).toMatchObject({ peakOpenSearches: 1, searchesLeaked: 0 });
      const events = jsonEvents(run.stdout);
      expect(events.find((event) => event['type'] === 'channels')).toEqual({ type: 'channels', channels: [1, 2], asked: true });
      const merges = events.filter((event) => event['type'] === 'merge');
      expect(merges.map((event) => [event['output'], event['parts']])).toEqual([
        [join(dir.path, 'amcrest_2026-01-16_20.00.00_2026-01-16_20.00.12_ch1.mp4'), 2],
        [join(dir.path, 'amcrest_2026-01-16_20.00.00_2026-01-16_20.00.12_ch2.mp4'), 1],
      ]);
      // Channel 1: the Main motion recordings at 0 s and 8 s (not the Extra1 copy, not the timing one).
      expect(probe(merges[0]!['output'] as string).frames).toBe(80);
      expect(probe(merges[1]!['output'] as string).frames).toBe(40);
      expect(run.stderr).toContain('Searching channel 2 from 2026-01-16 20:00:00 to 2026-01-16 20:00:12 (camera time; events VideoMotion; flags Event)');
    } finally {
      await proxy.close();
    }
  });

  it('--stream extra1 downloads the other stream only; --channel 1,2 with --output-file names each channel', async () => {
    const extra = await runAmcrestDl(args(sim.url, ['--stream', 'extra1', '--no-merge', '--json']), { password: sim.password });
    expect(extra.code, extra.stderr).toBe(0);
    const downloads = jsonEvents(extra.stdout).filter((event) => event['type'] === 'download');
    expect(downloads.map((event) => event['path'])).toEqual([sim.recordings.find((recording) => recording.stream === 'Extra1')!.filePath]);
    const named = await runAmcrestDl(args(sim.url, ['--channel', '1,2', '--output-file', 'yard.mkv']), { password: sim.password });
    expect(named.code, named.stderr).toBe(0);
    expect(existsSync(join(dir.path, 'yard_ch1.mkv')) && existsSync(join(dir.path, 'yard_ch2.mkv'))).toBe(true);
    expect(probe(join(dir.path, 'yard_ch1.mkv')).frames).toBe(120);
  });

  it('--snapshots: the .jpg files land in snapshots/, byte for byte, never in a merge', async () => {
    const run = await runAmcrestDl(args(sim.url, ['--channel', '1,2', '--snapshots', '--json']), { password: sim.password });
    expect(run.code, run.stderr).toBe(0);
    expect((await readdir(join(dir.path, 'snapshots'))).sort()).toEqual(['2026-01-16_20.00.01_ch1.jpg', '2026-01-16_20.00.05_ch2.jpg']);
    const served = sim.recordings.filter((recording) => recording.type === 'jpg');
    expect(await sha256(join(dir.path, 'snapshots', '2026-01-16_20.00.01_ch1.jpg'))).toBe(served.find((item) => item.channel === 1)!.sha256);
    const merges = jsonEvents(run.stdout).filter((event) => event['type'] === 'merge');
    expect(merges).toHaveLength(2);
    expect(merges.map((event) => [(event['output'] as string).slice(-8), event['parts']])).toEqual([
      ['_ch1.mp4', 3],
      ['_ch2.mp4', 2],
    ]);
    expect(run.stderr).toMatch(/^Done\. 7 file\(s\): 7 downloaded, .*; 2 snapshot\(s\) in .*snapshots\. Merged into /m);
    expect(jsonEvents(run.stdout).find((event) => event['type'] === 'done')).toMatchObject({ exitCode: 0, snapshots: 2, snapshotsDirectory: join(dir.path, 'snapshots') });
    // The snapshots stay; the merged parts are removed.
    expect(existsSync(join(dir.path, '.amcrest_download'))).toBe(false);
  });

  it('--dry-run downloads nothing and shows the plan from the search', async () => {
    const run = await runAmcrestDl(args(sim.url, ['--channel', 'all', '--snapshots', '--split', 'day', '--dry-run']), { password: sim.password });
    expect(run.code, run.stderr).toBe(0);
    expect(sim.counters.requests['RPC_Loadfile'] ?? 0).toBe(0);
    expect(await readdir(dir.path)).toEqual([]);
    expect(run.stdout).toMatch(/^PLAN +Plan from the search for channel 1: 1 output\(s\) \(split day\); stream parameters .* are checked after download/m);
    expect(run.stdout).toContain(`${join(dir.path, 'amcrest_2026-01-16_20.00.00_2026-01-16_20.00.12_ch1_2026-01-16.mp4')}: 3 recording(s)`);
    expect(run.stdout).toContain('Dry run: nothing downloaded, nothing written. 5 recording(s) and 2 snapshot(s)');
  });

  it('usage errors: a channel twice, an unknown flag or stream, an empty event; a device that does not say its channel count', async () => {
    for (const extra of [['--channel', '1,1'], ['--channel', 'two'], ['--flags', 'Motion'], ['--stream', 'sub'], ['--events', 'VideoMotion,']]) {
      const run = await runAmcrestDl(args(sim.url, extra), { password: sim.password });
      expect({ extra, code: run.code }).toEqual({ extra, code: 2 });
      expect(run.stderr).toMatch(/^amcrest-dl: --?[a-z]|amcrest-dl: (unknown|an event)/m);
    }
    expect(sim.counters.totalRequests).toBe(0);
    const silent = await startCameraSim({ profile: 'amcrest', content: 'tiny', amcrest: { channelCount: 4, channelCountAnswer: 'none' } });
    try {
      const run = await runAmcrestDl(['--host', silent.url, '--username', silent.username, '--start', '2026-01-16T20:00:00', '--end', '2026-01-16T21:00:00', '--output-dir', dir.path, '--channel', 'all'], {
        password: silent.password,
      });
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('search failed [ERR_AMCREST_NO_CHANNEL_COUNT]: the device did not say how many channels it has');
      expect(run.stderr).toContain('--channel 1,2,3');
      expect(silent.counters.searchesCreated).toBe(0);
    } finally {
      await silent.close();
    }
  });
});

describe.skipIf(skip)('amcrest-dl --split day across midnight (built binary, real ffmpeg)', { timeout: 240_000 }, () => {
  it('a recording from 23:59:57 to 00:00:03 goes half into each day, stream-copied', async () => {
    const dir = await makeTempDir();
    const sim = await startCameraSim({
      profile: 'amcrest',
      timeZone: 'UTC',
      content: {
        recordings: [
          { start: '2026-01-16 23:59:53', end: '2026-01-16 23:59:57', mediaDurationSec: 4 },
          { start: '2026-01-16 23:59:57', end: '2026-01-17 00:00:03', mediaDurationSec: 6, media: { keyframeIntervalSec: 1 } },
          { start: '2026-01-17 00:00:03', end: '2026-01-17 00:00:07', mediaDurationSec: 4 },
        ],
      },
    });
    try {
      const run = await runAmcrestDl(
        ['--host', sim.url, '--username', sim.username, '--start', '2026-01-16T23:59:53', '--end', '2026-01-17T00:00:07', '--camera-tz', 'UTC', '--output-dir', dir.path, '--output-file', 'night.mp4', '--split', 'day', '--json', '--no-progress'],
        { password: sim.password },
      );
      expect(run.code, run.stderr).toBe(0);
      const plan = jsonEvents(run.stdout).find((event) => event['type'] === 'plan') as { outputs: Array<{ path: string; parts: Array<{ action: string }> }> };
      expect(plan.outputs.map((output) => [output.path, output.parts.length])).toEqual([
        [join(dir.path, 'night_2026-01-16.mp4'), 2],
        [join(dir.path, 'night_2026-01-17.mp4'), 2],
      ]);
      expect(plan.outputs.flatMap((output) => output.parts.map((part) => part.action))).toEqual(['copy', 'copy', 'copy', 'copy']);
      const first = probe(join(dir.path, 'night_2026-01-16.mp4'));
      const second = probe(join(dir.path, 'night_2026-01-17.mp4'));
      // 4 s + the 3 s before midnight in the first file; the 3 s after it + 4 s in the second (key frames every second).
      expect([first.frames, second.frames]).toEqual([70, 70]);
      expect(Math.abs(first.seconds - 7)).toBeLessThan(0.2);
      expect(Math.abs(second.seconds - 7)).toBeLessThan(0.2);
    } finally {
      await sim.close();
      await dir.cleanup();
    }
  });
});
