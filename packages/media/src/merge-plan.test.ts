import { describe, expect, it } from 'vitest';
import { describePlan, formatKey, outputName, planMerge, splitStretches, type PlanPart } from './merge-plan.js';
import type { MediaProbe } from './probe-media.js';

const T0 = Date.UTC(2026, 0, 16, 20, 0, 0);

function probe(overrides: { codec?: string; width?: number; height?: number; fps?: string; audio?: string | null; seconds?: number; profile?: string } = {}): MediaProbe {
  return {
    path: 'x',
    container: 'mov,mp4,m4a,3gp,3g2,mj2',
    durationSeconds: overrides.seconds ?? 480,
    fromVideoStream: true,
    durationFrom: 'container',
    formatDurationSeconds: overrides.seconds ?? 480,
    keyframeIntervalSeconds: 2,
    video: {
      codec: overrides.codec ?? 'h264',
      profile: overrides.profile ?? 'Main',
      width: overrides.width ?? 1920,
      height: overrides.height ?? 1080,
      pixelFormat: 'yuv420p',
      frameRate: overrides.fps ?? '25/1',
      timeBase: '1/90000',
    },
    audio: overrides.audio === null ? undefined : { codec: overrides.audio ?? 'aac', sampleRate: 16000, channels: 1 },
  };
}

function part(name: string, startSeconds: number, overrides: Parameters<typeof probe>[0] = {}, cameraTime?: string): PlanPart {
  return { path: `/p/${name}`, start: new Date(T0 + startSeconds * 1000), cameraTime, probe: probe(overrides) };
}

describe('planMerge', () => {
  it('puts compatible parts in one output, in time order', () => {
    const plan = planMerge([part('b', 480), part('a', 0), part('c', 960)], { output: '/o/night.mp4' });
    expect(plan.outputs).toHaveLength(1);
    expect(plan.outputs[0]?.path).toBe('/o/night.mp4');
    expect(plan.outputs[0]?.pieces.map((piece) => [piece.path, piece.action])).toEqual([
      ['/p/a', 'copy'],
      ['/p/b', 'copy'],
      ['/p/c', 'copy'],
    ]);
    expect(plan.outputs[0]?.expectedSeconds).toBe(1440);
    expect(plan.outputs[0]?.audio).toBe('copy');
  });

  it('starts a new output at each change of codec, resolution, frame rate, profile or audio, and says what changed', () => {
    const plan = planMerge(
      [
        part('1', 0),
        part('2', 480, { width: 1280, height: 720 }),
        part('3', 960, { width: 1280, height: 720 }),
        part('4', 1440, { codec: 'hevc', width: 1280, height: 720, profile: 'Main' }),
        part('5', 1920, { codec: 'hevc', width: 1280, height: 720, audio: null }),
        part('6', 2400, { codec: 'hevc', width: 1280, height: 720, audio: null, fps: '15/1' }),
        part('7', 2880, { codec: 'hevc', width: 1280, height: 720, audio: null, fps: '15/1', profile: 'Main 10' }),
      ],
      { output: '/o/night.mp4' },
    );
    expect(plan.outputs.map((output) => [output.path, output.pieces.length, output.reason])).toEqual([
      ['/o/night.mp4', 1, undefined],
      ['/o/night_part2.mp4', 2, 'resolution 1920x1080 → 1280x720'],
      ['/o/night_part3.mp4', 1, 'codec h264 → hevc'],
      ['/o/night_part4.mp4', 1, 'audio aac 16000 Hz mono → no audio'],
      ['/o/night_part5.mp4', 1, 'frame rate 25/1 → 15/1'],
      ['/o/night_part6.mp4', 1, 'profile Main → Main 10'],
    ]);
  });

  it('a change and back is three outputs (runs are consecutive, never reordered)', () => {
    const plan = planMerge([part('1', 0), part('2', 480, { width: 640, height: 480 }), part('3', 960)], { output: '/o/x.mkv', format: 'mkv' });
    expect(plan.outputs.map((output) => output.path)).toEqual(['/o/x.mkv', '/o/x_part2.mkv', '/o/x_part3.mkv']);
  });

  it('with transcode auto re-encodes the odd runs to the format covering the most time', () => {
    const plan = planMerge([part('1', 0, { width: 640, height: 480, seconds: 100 }), part('2', 480), part('3', 960), part('4', 1440, { audio: null })], {
      output: '/o/x.mp4',
      transcode: 'auto',
    });
    expect(plan.outputs).toHaveLength(1);
    expect(plan.outputs[0]?.target.video).toMatchObject({ width: 1920, height: 1080, codec: 'h264' });
    expect(plan.outputs[0]?.pieces.map((piece) => piece.action)).toEqual(['encode', 'copy', 'copy', 'encode']);
  });

  it('with transcode h264 turns H.265 into H.264 and keeps H.264 parts as they are', () => {
    const plan = planMerge([part('1', 0, { codec: 'hevc' }), part('2', 480, { codec: 'hevc' }), part('3', 960, { profile: 'High' })], { output: '/o/x.mp4', transcode: 'h264' });
    expect(plan.outputs[0]?.target.video).toMatchObject({ codec: 'h264', profile: 'High', pixelFormat: 'yuv420p', width: 1920 });
    expect(plan.outputs[0]?.pieces.map((piece) => piece.action)).toEqual(['encode', 'encode', 'copy']);
  });

  it('splits on camera time per day and per hour; a part goes to the hour it starts in', () => {
    const parts = [
      part('a', 0, {}, '2026-01-16 23:52:00'),
      part('b', 480, {}, '2026-01-17 00:00:00'),
      part('c', 960, {}, '2026-01-17 00:08:00'),
      part('d', 3600, { width: 640, height: 480 }, '2026-01-17 01:00:00'),
      part('e', 4080, {}, '2026-01-17 01:08:00'),
    ];
    expect(planMerge(parts, { output: '/o/cam.mp4', split: 'day' }).outputs.map((output) => [output.path, output.pieces.length])).toEqual([
      ['/o/cam_2026-01-16.mp4', 1],
      ['/o/cam_2026-01-17.mp4', 2],
      ['/o/cam_2026-01-17_part2.mp4', 1],
      ['/o/cam_2026-01-17_part3.mp4', 1],
    ]);
    expect(planMerge(parts, { output: '/o/cam.mp4', split: 'hour' }).outputs.map((output) => [output.path, output.label])).toEqual([
      ['/o/cam_2026-01-16_23h.mp4', '2026-01-16 23h'],
      ['/o/cam_2026-01-17_00h.mp4', '2026-01-17 00h'],
      ['/o/cam_2026-01-17_01h.mp4', '2026-01-17 01h'],
      ['/o/cam_2026-01-17_01h_part2.mp4', '2026-01-17 01h'],
    ]);
  });

  it('places the window in the first and last parts and leaves out parts outside it', () => {
    const plan = planMerge([part('before', -600, { seconds: 480 }), part('a', 0), part('b', 480), part('c', 960)], {
      output: '/o/x.mp4',
      window: { start: new Date(T0 + 100_000), end: new Date(T0 + 1000_000) },
    });
    expect(plan.outsideWindow).toEqual(['/p/before']);
    const pieces = plan.outputs[0]?.pieces ?? [];
    expect(pieces.map((piece) => [piece.path, piece.trimStart, piece.trimEnd])).toEqual([
      ['/p/a', 100, undefined],
      ['/p/b', undefined, undefined],
      ['/p/c', undefined, 40],
    ]);
    expect(plan.outputs[0]?.expectedSeconds).toBe(900);
    expect(planMerge([part('a', 0)], { output: '/o/x.mp4', trim: 'none', window: { start: new Date(T0 + 100_000), end: new Date(T0 + 200_000) } }).outputs[0]?.pieces[0]?.trimStart).toBeUndefined();
  });

  it('lists unreadable parts by name and plans the rest', () => {
    const plan = planMerge([part('a', 0), { path: '/p/broken.mp4', start: new Date(T0 + 480_000), probe: undefined, error: 'moov atom not found' }, part('c', 960)], { output: '/o/x.mp4' });
    expect(plan.unreadable).toEqual([{ path: '/p/broken.mp4', reason: 'moov atom not found' }]);
    expect(plan.outputs[0]?.pieces.map((piece) => piece.path)).toEqual(['/p/a', '/p/c']);
    expect(describePlan(plan).join('\n')).toContain('UNREADABLE /p/broken.mp4: moov atom not found');
  });

  it('re-encodes audio the container cannot hold (G.711 from an NVR into mp4), not in mkv', () => {
    expect(planMerge([part('a', 0, { audio: 'pcm_alaw' })], { output: '/o/x.mp4' }).outputs[0]?.audio).toBe('aac');
    expect(planMerge([part('a', 0, { audio: 'pcm_alaw' })], { output: '/o/x.mkv', format: 'mkv' }).outputs[0]?.audio).toBe('copy');
    expect(planMerge([part('a', 0, { audio: null })], { output: '/o/x.mp4' }).outputs[0]?.audio).toBe('none');
  });

  it('keeps the given order when some parts have no start', () => {
    const plan = planMerge([part('b', 480), { path: '/p/a', probe: probe() }], { output: '/o/x.mp4' });
    expect(plan.outputs[0]?.pieces.map((piece) => piece.path)).toEqual(['/p/b', '/p/a']);
  });

  it('describes the plan for --dry-run', () => {
    const lines = describePlan(planMerge([part('1', 0), part('2', 480, { width: 1280, height: 720 })], { output: '/o/n.mp4' }));
    expect(lines[0]).toBe('Plan: 2 output(s) (mp4, split none, trim keyframe, transcode none, stream copy)');
    expect(lines).toContain('  /o/n_part2.mp4: 1 part(s), ~8m00s, h264 Main 1280x720 yuv420p 25/1 fps, aac 16000 Hz mono — new file: resolution 1920x1080 → 1280x720');
    expect(lines).toContain('    copy   /p/2');
  });

  it('names outputs after the base, keeping its extension', () => {
    expect(outputName('/o/a.b.mp4', '2026-01-16 20h', 2, 'mp4')).toBe('/o/a.b_2026-01-16_20h_part2.mp4');
    expect(outputName('/o/noext', undefined, 1, 'mkv')).toBe('/o/noext.mkv');
    expect(formatKey(probe())).not.toBe(formatKey(probe({ width: 1280 })));
    expect(formatKey(probe())).toBe(formatKey({ ...probe(), video: { ...probe().video, timeBase: '1/1000' } }));
  });
});

describe('planMerge: split across midnight and the hour', () => {
  it('a part from 23:50 to 00:10 goes half into each day, cut at midnight (copy, trimmed)', () => {
    const plan = planMerge([part('a', 0, { seconds: 600 }, '2026-01-16 23:40:00'), part('b', 600, { seconds: 1200 }, '2026-01-16 23:50:00'), part('c', 1800, { seconds: 600 }, '2026-01-17 00:10:00')], {
      output: '/o/n.mp4',
      split: 'day',
    });
    expect(plan.outputs.map((output) => [output.path, output.expectedSeconds, output.pieces.map((piece) => [piece.path, piece.action, piece.trimStart, piece.trimEnd])])).toEqual([
      ['/o/n_2026-01-16.mp4', 1200, [['/p/a', 'copy', undefined, undefined], ['/p/b', 'copy', undefined, 600]]],
      ['/o/n_2026-01-17.mp4', 1200, [['/p/b', 'copy', 600, undefined], ['/p/c', 'copy', undefined, undefined]]],
    ]);
  });

  it('with the window trim too, and across two hour boundaries with split hour', () => {
    const window = { start: new Date(T0 + 60_000), end: new Date(T0 + 9000_000) };
    const plan = planMerge([part('long', 0, { seconds: 9000 }, '2026-01-16 20:00:00')], { output: '/o/h.mkv', format: 'mkv', split: 'hour', window });
    expect(plan.outputs.map((output) => [output.label, output.pieces[0]?.trimStart, output.pieces[0]?.trimEnd, output.expectedSeconds])).toEqual([
      ['2026-01-16 20h', 60, 3600, 3540],
      ['2026-01-16 21h', 3600, 7200, 3600],
      ['2026-01-16 22h', 7200, undefined, 1800],
    ]);
  });

  it('splitStretches: a part inside one day is one stretch', () => {
    expect(splitStretches({ path: 'x', cameraTime: '2026-01-16 10:00:00', probe: undefined }, 'day', 0, 3600)).toEqual([{ label: '2026-01-16', from: 0, to: 3600 }]);
    expect(splitStretches({ path: 'x', cameraTime: '2026-01-16 23:59:59', probe: undefined }, 'day', 0, 2)).toEqual([
      { label: '2026-01-16', from: 0, to: 1 },
      { label: '2026-01-17', from: 1, to: 2 },
    ]);
    expect(splitStretches({ path: 'x', cameraTime: '2026-01-16 23:59:59', probe: undefined }, 'none', 0, 2)).toEqual([{ label: undefined, from: 0, to: 2 }]);
  });
});
