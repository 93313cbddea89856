import { readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir, missingSystemTools, type TempDir } from '@camdl/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isMediaError, mergeMedia, type MergeEvent, type MergeFormat } from '@camdl/media';
import { decodeErrors, makeClip, makeDav, probe } from './media-fixtures.js';

const skip = missingSystemTools('ffmpeg', 'ffprobe');
const at = (seconds: number): Date => new Date(Date.UTC(2026, 0, 16, 20, 0, 0) + seconds * 1000);

// Several ffmpeg runs per test: generous timeouts for a loaded machine (speed is measured in bench/).
describe.skipIf(skip)('mergeMedia (real ffmpeg on generated media)', { timeout: 240_000 }, () => {
  let dir: TempDir;
  const clip: Record<string, string> = {};

  beforeAll(async () => {
    dir = await makeTempDir();
    const file = (name: string): string => (clip[name] = join(dir.path, name));
    makeClip(file("a1 'quoted'.mp4"), { seconds: 3, tone: 300 });
    makeClip(file('a2.mp4'), { seconds: 2, tone: 400 });
    makeClip(file('a3.mp4'), { seconds: 4, tone: 500 });
    makeClip(file('small.mp4'), { seconds: 2, width: 160, height: 120, tone: 600 });
    makeClip(file('silent.mp4'), { seconds: 2 });
    makeClip(file('hevc1.mp4'), { seconds: 3, codec: 'hevc', tone: 300 });
    makeClip(file('hevc2.mp4'), { seconds: 2, codec: 'hevc', tone: 300 });
    makeDav(file('nvr1.dav'), { seconds: 4, start: at(0) });
    makeDav(file('nvr2.dav'), { seconds: 3, start: at(4) });
    makeDav(file('nvr-hevc.dav'), { seconds: 3, codec: 'hevc', start: at(0) });
    await writeFile(file('broken.mp4'), 'not a video at all');
  });

  afterAll(async () => {
    await dir.cleanup();
  });

  async function leftovers(): Promise<string[]> {
    return (await readdir(dir.path)).filter((name) => name.includes('.part.') || name.startsWith('.camdl-merge-'));
  }

  it.each(['mp4', 'mkv', 'avi'] as MergeFormat[])('merges compatible parts into one %s by stream copy, as long as its parts', async (format) => {
    const output = join(dir.path, `same.${format}`);
    const result = await mergeMedia({ inputs: [clip["a1 'quoted'.mp4"] as string, clip['a2.mp4'] as string, clip['a3.mp4'] as string], output, format });
    expect(result.outputs).toHaveLength(1);
    expect(result.outputs[0]?.parts.map((part) => part.action)).toEqual(['copy', 'copy', 'copy']);
    const info = probe(output);
    expect(Math.abs((info.videoDuration ?? info.duration) - 9)).toBeLessThan(0.15);
    expect(info.video).toMatchObject({ codec: 'h264', width: 320, height: 240 });
    expect(info.audio).toMatchObject({ codec: 'aac', sampleRate: 16000, channels: 1 });
    expect(decodeErrors(output)).toBe('');
    expect(await leftovers()).toEqual([]);
  });

  it('starts a new output at a resolution change and at audio appearing, naming what changed', async () => {
    const output = join(dir.path, 'changes.mp4');
    const inputs = [clip["a1 'quoted'.mp4"], clip['a2.mp4'], clip['small.mp4'], clip['silent.mp4'], clip['a3.mp4']].map((path, index) => ({ path: path as string, start: at(index * 10) }));
    const result = await mergeMedia({ inputs, output });
    expect(result.outputs.map((item) => item.path)).toEqual([
      output,
      join(dir.path, 'changes_part2.mp4'),
      join(dir.path, 'changes_part3.mp4'),
      join(dir.path, 'changes_part4.mp4'),
    ]);
    expect(result.plan.outputs[1]?.reason).toBe('resolution 320x240 → 160x120');
    expect(result.plan.outputs[2]?.reason).toContain('audio aac 16000 Hz mono → no audio');
    const probes = result.outputs.map((item) => probe(item.path));
    expect(probes.map((info) => Math.round(info.videoDuration ?? info.duration))).toEqual([5, 2, 2, 4]);
    expect(probes.map((info) => `${info.video.width}x${info.video.height}`)).toEqual(['320x240', '160x120', '320x240', '320x240']);
    expect(probes.map((info) => info.audio?.codec ?? 'none')).toEqual(['aac', 'aac', 'none', 'aac']);
  });

  it('with transcode auto re-encodes only the odd parts into one output of the dominant format', async () => {
    const output = join(dir.path, 'auto.mp4');
    const inputs = [clip["a1 'quoted'.mp4"], clip['small.mp4'], clip['silent.mp4'], clip['a3.mp4']].map((path, index) => ({ path: path as string, start: at(index * 10) }));
    const events: MergeEvent[] = [];
    const result = await mergeMedia({ inputs, output, transcode: 'auto', onEvent: (event) => events.push(event) });
    expect(result.outputs).toHaveLength(1);
    expect(result.outputs[0]?.parts.map((part) => part.action)).toEqual(['copy', 'encode', 'encode', 'copy']);
    const info = probe(output, true);
    expect(info.video).toMatchObject({ codec: 'h264', width: 320, height: 240 });
    expect(info.audio).toMatchObject({ codec: 'aac', sampleRate: 16000, channels: 1 });
    expect(Math.abs((info.videoDuration ?? info.duration) - 11)).toBeLessThan(0.2);
    expect(info.video.frames).toBe(110);
    expect(decodeErrors(output)).toBe('');
    expect(events.some((event) => event.type === 'progress')).toBe(true);
  });

  it('keeps H.265 as H.265 in mp4 with the hvc1 tag, and --transcode h264 makes H.264', async () => {
    const output = join(dir.path, 'hevc.mp4');
    await mergeMedia({ inputs: [clip['hevc1.mp4'] as string, clip['hevc2.mp4'] as string], output });
    expect(probe(output).video).toMatchObject({ codec: 'hevc', tag: 'hvc1', width: 320 });
    expect(Math.abs((probe(output).videoDuration ?? 0) - 5)).toBeLessThan(0.15);
    const h264 = join(dir.path, 'hevc-as-h264.mp4');
    const result = await mergeMedia({ inputs: [clip['hevc1.mp4'] as string, clip['hevc2.mp4'] as string], output: h264, transcode: 'h264' });
    expect(result.outputs[0]?.parts.map((part) => part.action)).toEqual(['encode', 'encode']);
    const info = probe(h264, true);
    expect(info.video).toMatchObject({ codec: 'h264', tag: 'avc1', width: 320, height: 240, frames: 50 });
    expect(info.audio?.codec).toBe('aac');
    expect(decodeErrors(h264)).toBe('');
  });

  it('remuxes .dav (dhav) parts without re-encoding, H.264 and H.265', async () => {
    const output = join(dir.path, 'nvr.mp4');
    const result = await mergeMedia({ inputs: [clip['nvr2.dav'], clip['nvr1.dav']].map((path, index) => ({ path: path as string, start: at(index === 0 ? 4 : 0) })), output });
    expect(result.outputs[0]?.parts.map((part) => part.path)).toEqual([clip['nvr1.dav'], clip['nvr2.dav']]);
    const info = probe(output, true);
    expect(info.video).toMatchObject({ codec: 'h264', width: 320, height: 240, frames: 70 });
    expect(Math.abs((info.videoDuration ?? info.duration) - 7)).toBeLessThan(0.25);
    const hevc = join(dir.path, 'nvr-hevc.mkv');
    await mergeMedia({ inputs: [clip['nvr-hevc.dav'] as string], output: hevc, format: 'mkv' });
    expect(probe(hevc, true).video).toMatchObject({ codec: 'hevc', frames: 30 });
  });

  it('names an unreadable part and refuses to drop it silently; with skip, merges the rest and lists it', async () => {
    const output = join(dir.path, 'with-broken.mp4');
    const inputs = [clip['a2.mp4'] as string, clip['broken.mp4'] as string, clip['a3.mp4'] as string];
    const error = await mergeMedia({ inputs, output }).catch((caught: unknown) => caught);
    expect(isMediaError(error, 'ERR_MEDIA_UNREADABLE')).toBe(true);
    expect((error as Error).message).toContain(clip['broken.mp4']);
    await expect(stat(output)).rejects.toMatchObject({ code: 'ENOENT' });
    const result = await mergeMedia({ inputs, output, unreadable: 'skip' });
    expect(result.skipped.map((item) => item.path)).toEqual([clip['broken.mp4']]);
    expect(Math.abs((probe(output).videoDuration ?? 0) - 6)).toBeLessThan(0.15);
  });

  it('splits per camera hour and per day', async () => {
    const output = join(dir.path, 'split.mp4');
    const inputs = [
      { path: clip['a2.mp4'] as string, start: at(0), cameraTime: '2026-01-16 23:59:00' },
      { path: clip['a3.mp4'] as string, start: at(60), cameraTime: '2026-01-17 00:00:00' },
      { path: clip["a1 'quoted'.mp4"] as string, start: at(3600), cameraTime: '2026-01-17 01:00:00' },
    ];
    const byHour = await mergeMedia({ inputs, output, split: 'hour' });
    expect(byHour.outputs.map((item) => item.path)).toEqual([
      join(dir.path, 'split_2026-01-16_23h.mp4'),
      join(dir.path, 'split_2026-01-17_00h.mp4'),
      join(dir.path, 'split_2026-01-17_01h.mp4'),
    ]);
    const byDay = await mergeMedia({ inputs, output, split: 'day' });
    expect(byDay.outputs.map((item) => [item.path, Math.round(probe(item.path).videoDuration ?? 0)])).toEqual([
      [join(dir.path, 'split_2026-01-16.mp4'), 2],
      [join(dir.path, 'split_2026-01-17.mp4'), 7],
    ]);
  });

  it('cuts a part that crosses midnight into both days: stream copy at key frames (nothing lost), exact on request', async () => {
    const gop2 = join(dir.path, 'gop2.mp4');
    makeClip(gop2, { seconds: 4, tone: 700, gop: 20 });
    // a2: 23:59:55 → 23:59:57; gop2 (key frames at 0 and 2 s): 23:59:57 → 00:00:01, midnight 3 s into it.
    const inputs = [
      { path: clip['a2.mp4'] as string, start: at(0), cameraTime: '2026-01-16 23:59:55' },
      { path: gop2, start: at(2), cameraTime: '2026-01-16 23:59:57' },
    ];
    const day = (name: string, date: string): string => join(dir.path, `${name}_${date}.mp4`);
    const copied = await mergeMedia({ inputs, output: join(dir.path, 'midnight.mp4'), split: 'day' });
    expect(copied.plan.outputs.map((output) => [output.path, output.pieces.map((piece) => [piece.path, piece.action, piece.trimStart, piece.trimEnd])])).toEqual([
      [day('midnight', '2026-01-16'), [[clip['a2.mp4'], 'copy', undefined, undefined], [gop2, 'copy', undefined, 3]]],
      [day('midnight', '2026-01-17'), [[gop2, 'copy', 3, undefined]]],
    ]);
    expect(copied.outputs.flatMap((output) => output.parts.map((part) => part.action))).toEqual(['copy', 'copy', 'copy']);
    // No key frame after 3 s: the first day keeps gop2 to its end; the second starts at its key frame at 2 s.
    const copiedFrames = copied.outputs.map((output) => probe(output.path, true).video.frames);
    expect(copiedFrames).toEqual([60, 20]);
    const exact = await mergeMedia({ inputs, output: join(dir.path, 'midnight-exact.mp4'), split: 'day', trim: 'exact' });
    expect(exact.outputs.map((output) => output.parts.map((part) => part.action))).toEqual([['copy', 'copy', 'encode'], ['encode']]);
    expect(exact.outputs.map((output) => probe(output.path, true).video.frames)).toEqual([50, 10]);
    for (const output of exact.outputs) expect(decodeErrors(output.path)).toBe('');
  });

  it('trims to the window: keyframe copy keeps the whole first/last GOP, exact cuts there', async () => {
    // a1: 3 s, a3: 4 s, GOP 1 s; window from 1.5 s into a1 to 2.5 s into a3.
    const inputs = [
      { path: clip["a1 'quoted'.mp4"] as string, start: at(0) },
      { path: clip['a3.mp4'] as string, start: at(3) },
    ];
    const window = { start: at(1.5), end: at(5.5) };
    const keyframe = join(dir.path, 'trim-keyframe.mp4');
    const copied = await mergeMedia({ inputs, output: keyframe, window });
    expect(copied.outputs[0]?.parts.map((part) => part.action)).toEqual(['copy', 'copy']);
    // From the key frame at 1 s to the key frame at 3 s of a3: 2 + 3 s.
    expect(Math.abs((probe(keyframe).videoDuration ?? 0) - 5)).toBeLessThan(0.15);
    const exact = join(dir.path, 'trim-exact.mp4');
    const cut = await mergeMedia({ inputs, output: exact, window, trim: 'exact' });
    expect(cut.outputs[0]?.parts.map((part) => part.action)).toEqual(['encode', 'copy', 'copy', 'encode']);
    const info = probe(exact, true);
    expect(Math.abs((info.videoDuration ?? 0) - 4)).toBeLessThan(0.15);
    expect(info.video.frames).toBe(40);
    expect(decodeErrors(exact)).toBe('');
    const none = join(dir.path, 'trim-none.mp4');
    await mergeMedia({ inputs, output: none, window, trim: 'none' });
    expect(Math.abs((probe(none).videoDuration ?? 0) - 7)).toBeLessThan(0.15);
  });

  it('dry run plans without writing; an existing output is refused unless overwrite', async () => {
    const output = join(dir.path, 'dry.mp4');
    const result = await mergeMedia({ inputs: [clip['a2.mp4'] as string, clip['small.mp4'] as string], output, dryRun: true });
    expect(result.dryRun).toBe(true);
    expect(result.plan.outputs.map((item) => item.path)).toEqual([output, join(dir.path, 'dry_part2.mp4')]);
    await expect(stat(output)).rejects.toMatchObject({ code: 'ENOENT' });
    await writeFile(output, 'precious');
    const error = await mergeMedia({ inputs: [clip['a2.mp4'] as string], output }).catch((caught: unknown) => caught);
    expect(isMediaError(error, 'ERR_MEDIA_OUTPUT_EXISTS')).toBe(true);
    await mergeMedia({ inputs: [clip['a2.mp4'] as string], output, overwrite: true });
    expect(probe(output).video.codec).toBe('h264');
  });

  it('on abort kills ffmpeg and leaves neither the output nor a temporary file', async () => {
    const output = join(dir.path, 'aborted.mp4');
    const controller = new AbortController();
    const pending = mergeMedia({
      inputs: [clip['hevc1.mp4'] as string, clip['hevc2.mp4'] as string],
      output,
      transcode: 'h264',
      signal: controller.signal,
      onEvent: (event) => {
        if (event.type === 'output-start') setTimeout(() => controller.abort(new Error('Ctrl+C')), 50);
      },
    });
    await expect(pending).rejects.toMatchObject({ code: 'ERR_MEDIA_ABORTED' });
    await expect(stat(output)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await leftovers()).toEqual([]);
  });
});
