import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { startCameraSim, type CameraSim, type RecordingSpec } from '@camdl/camera-sim';
import { makeTempDir, missingSystemTools, type TempDir } from '@camdl/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonEvents, runAmcrestDl } from './amcrest-dl-helpers.js';

const skip = missingSystemTools('ffmpeg', 'ffprobe');

interface Probed {
  seconds: number;
  codec: string;
  tag: string;
  size: string;
  frames: number;
  audio: string | undefined;
}

function probe(path: string): Probed {
  const json = JSON.parse(
    execFileSync('ffprobe', ['-v', 'error', '-count_frames', '-show_entries', 'stream=codec_type,codec_name,codec_tag_string,width,height,duration,nb_read_frames', '-of', 'json', path], { encoding: 'utf8' }),
  ) as { streams: Array<{ codec_type: string; codec_name: string; codec_tag_string: string; width?: number; height?: number; duration?: string; nb_read_frames?: string }> };
  const video = json.streams.find((stream) => stream.codec_type === 'video');
  if (!video) throw new Error(`no video in ${path}`);
  return {
    seconds: Number(video.duration),
    codec: video.codec_name,
    tag: video.codec_tag_string,
    size: `${video.width}x${video.height}`,
    frames: Number(video.nb_read_frames),
    audio: json.streams.find((stream) => stream.codec_type === 'audio')?.codec_name,
  };
}

/** Four 4-second recordings (nominal span = media length) whose format changes mid-window, then two NVR `.dav` ones. */
function recordings(): RecordingSpec[] {
  const at = (second: number): string => `2026-01-16 20:00:${String(second).padStart(2, '0')}`;
  const span = (index: number): Pick<RecordingSpec, 'start' | 'end' | 'mediaDurationSec'> => ({ start: at(index * 4), end: at(index * 4 + 4), mediaDurationSec: 4 });
  return [
    { ...span(0), media: { width: 160, height: 120, keyframeIntervalSec: 2 } },
    { ...span(1), media: { width: 160, height: 120, keyframeIntervalSec: 2 } },
    { ...span(2), media: { width: 320, height: 240 } },
    { ...span(3), media: { codec: 'hevc', width: 320, height: 240, audio: false } },
    { start: '2026-01-16 21:00:00', end: '2026-01-16 21:00:04', mediaDurationSec: 4, type: 'dav', content: 'media', media: { width: 320, height: 240 } },
    { start: '2026-01-16 21:00:04', end: '2026-01-16 21:00:08', mediaDurationSec: 4, type: 'dav', content: 'media', media: { width: 320, height: 240 } },
  ];
}

describe.skipIf(skip)('amcrest-dl merge planner end to end (built binary, camera simulator, real ffmpeg)', { timeout: 240_000 }, () => {
  let dir: TempDir;
  let sim: CameraSim;
  const args = (start: string, end: string, extra: string[]): string[] => [
    ...['--host', sim.url, '--username', sim.username, '--start', start, '--end', end],
    ...['--output-dir', dir.path, '--no-progress', '--keep-files', ...extra],
  ];

  beforeAll(async () => {
    dir = await makeTempDir();
    sim = await startCameraSim({ profile: 'amcrest', content: { recordings: recordings() } });
  });

  afterAll(async () => {
    await sim.close();
    await dir.cleanup();
  });

  it('starts a new file at each change of resolution and codec, says why, and verifies each', async () => {
    const run = await runAmcrestDl(args('2026-01-16T20:00:00', '2026-01-16T20:00:16', ['--output-file', 'changes.mp4', '--json']), { password: sim.password });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('new file: resolution 160x120 → 320x240');
    expect(run.stderr).toContain('new file: codec h264 → hevc');
    const merges = jsonEvents(run.stdout).filter((event) => event['type'] === 'merge');
    expect(merges.map((event) => event['output'])).toEqual(['changes.mp4', 'changes_part2.mp4', 'changes_part3.mp4'].map((name) => join(dir.path, name)));
    const probes = merges.map((event) => probe(event['output'] as string));
    expect(probes.map((info) => [info.codec, info.size, info.frames, info.audio])).toEqual([
      ['h264', '160x120', 80, 'aac'],
      ['h264', '320x240', 40, 'aac'],
      ['hevc', '320x240', 40, undefined],
    ]);
    expect(probes[2]?.tag).toBe('hvc1');
    for (const info of probes) expect(info.seconds).toBeGreaterThan(3.9);
  });

  it('--dry-run downloads nothing, prints the plan from the search and writes no merged file; --transcode h264 makes one file anyone can play', async () => {
    sim.resetCounters();
    const dry = await runAmcrestDl(args('2026-01-16T20:00:00', '2026-01-16T20:00:16', ['--output-file', 'one.mp4', '--transcode', 'h264', '--dry-run']), { password: sim.password });
    expect(dry.code, dry.stderr).toBe(0);
    expect(sim.counters.requests['RPC_Loadfile'] ?? 0).toBe(0);
    expect(dry.stdout).toMatch(/^PLAN +Plan from the search: 1 output\(s\) \(split none\); stream parameters \(codec, resolution, audio\) are checked after download/m);
    expect(dry.stdout).toContain(`${join(dir.path, 'one.mp4')}: 4 recording(s), ~16s`);
    expect(dry.stdout).toContain('Dry run: nothing downloaded, nothing written. 4 recording(s)');
    expect(existsSync(join(dir.path, 'one.mp4'))).toBe(false);
    const run = await runAmcrestDl(args('2026-01-16T20:00:00', '2026-01-16T20:00:16', ['--output-file', 'one.mp4', '--transcode', 'h264']), { password: sim.password });
    expect(run.code, run.stderr).toBe(0);
    const info = probe(join(dir.path, 'one.mp4'));
    expect([info.codec, info.size, info.frames, info.audio]).toEqual(['h264', '160x120', 160, 'aac']);
    expect(Math.abs(info.seconds - 16)).toBeLessThan(0.2);
  });

  it('trims to the window at key frames by default, exactly with --trim exact', async () => {
    // 20:00:03 → 20:00:07 across the first two recordings (0-4 s, 4-8 s; key frames every 2 s).
    // Key frame: from the key frame at 2 s to the end of the second (no key frame after 7 s): 6 s.
    const keyframe = await runAmcrestDl(args('2026-01-16T20:00:03', '2026-01-16T20:00:07', ['--output-file', 'kf.mp4']), { password: sim.password });
    expect(keyframe.code, keyframe.stderr).toBe(0);
    expect(probe(join(dir.path, 'kf.mp4')).frames).toBe(60);
    const exact = await runAmcrestDl(args('2026-01-16T20:00:03', '2026-01-16T20:00:07', ['--output-file', 'exact.mp4', '--trim', 'exact']), { password: sim.password });
    expect(exact.code, exact.stderr).toBe(0);
    expect(probe(join(dir.path, 'exact.mp4')).frames).toBe(40);
  });

  it('remuxes NVR .dav recordings without re-encoding, split per hour', async () => {
    const run = await runAmcrestDl(args('2026-01-16T21:00:00', '2026-01-16T21:00:08', ['--types', 'dav', '--output-file', 'nvr.mp4', '--split', 'hour']), { password: sim.password });
    expect(run.code, run.stderr).toBe(0);
    const info = probe(join(dir.path, 'nvr_2026-01-16_21h.mp4'));
    expect([info.codec, info.size, info.frames]).toEqual(['h264', '320x240', 80]);
    expect((await readdir(join(dir.path, '.amcrest_download'))).filter((name) => name.endsWith('.dav'))).toHaveLength(2);
  });

  it('without --types, a window that holds only .dav (a recorder) is searched again for dav and merged', async () => {
    sim.resetCounters();
    const run = await runAmcrestDl(args('2026-01-16T21:00:00', '2026-01-16T21:00:08', ['--output-file', 'nvr-auto.mp4']), { password: sim.password });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('found .dav recordings');
    expect(sim.counters.searchesCreated).toBe(2);
    expect(sim.counters.searchesLeaked).toBe(0);
    const info = probe(join(dir.path, 'nvr-auto.mp4'));
    expect([info.codec, info.size, info.frames]).toEqual(['h264', '320x240', 80]);
  });
});
