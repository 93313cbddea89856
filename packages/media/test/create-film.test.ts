import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir, missingSystemTools, type TempDir } from '@camdl/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFilm, isMediaError, type FilmEvent } from '@camdl/media';
import { probe } from './media-fixtures.js';

const skip = missingSystemTools('ffmpeg', 'ffprobe');
const DAY = 86_400_000;
const W = 160;
const H = 120;

/**
 * An archive whose frames carry their identity: luma = the archive's level, blue chroma = 64 + 4 × frame
 * index. The film's frames are read back to check order and selection.
 */
function makeArchive(path: string, options: { level: number; frames: number; container: 'avi' | 'mp4' }): void {
  const source = `color=c=gray:size=${W}x${H}:rate=10:duration=${options.frames / 10},geq=lum=${options.level}:cb='64+4*N':cr=128`;
  const codec = options.container === 'avi' ? ['-c:v', 'mjpeg', '-q:v', '2', '-pix_fmt', 'yuvj420p', '-f', 'avi'] : ['-c:v', 'libx264', '-preset', 'ultrafast', '-qp', '0', '-pix_fmt', 'yuv420p', '-g', '10', '-f', 'mp4'];
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', source, ...codec, path]);
}

/** Each frame's mean luma and mean blue chroma (film decoded to 4x4 YUV 4:4:4). */
function readFrames(path: string): Array<{ y: number; u: number }> {
  const raw = execFileSync('ffmpeg', ['-v', 'error', '-i', path, '-vf', 'crop=iw/2:ih/2:0:0,scale=4:4', '-pix_fmt', 'yuv444p', '-f', 'rawvideo', '-'], { maxBuffer: 64 * 1024 * 1024 });
  const frames: Array<{ y: number; u: number }> = [];
  for (let offset = 0; offset + 48 <= raw.length; offset += 48) {
    const mean = (start: number): number => {
      let sum = 0;
      for (let index = start; index < start + 16; index++) sum += raw[offset + index] as number;
      return sum / 16;
    };
    frames.push({ y: mean(0), u: mean(16) });
  }
  return frames;
}

/** The bottom-right corner of one frame, as bytes (where the stamp goes). */
function corner(path: string, frame: number): Buffer {
  return execFileSync('ffmpeg', ['-v', 'error', '-i', path, '-vf', `select=eq(n\\,${frame}),crop=iw/2:ih/6:iw/2:ih*5/6`, '-frames:v', '1', '-pix_fmt', 'gray', '-f', 'rawvideo', '-']);
}

const FONT = '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf';

/** The corner of a film's first frame with `text` drawn as the film's stamp is drawn. */
function stampedCorner(path: string, text: string): Buffer {
  const font = existsSync(FONT) ? `fontfile='${FONT}':` : '';
  const stamp = `drawtext=${font}text='${text.replace(':', '\\:')}':fontcolor=white:fontsize=h/14:box=1:boxcolor=black@0.6:boxborderw=4:x=w-tw-8:y=h-th-8`;
  return execFileSync('ffmpeg', ['-v', 'error', '-i', path, '-vf', `select=eq(n\\,0),${stamp},crop=iw/2:ih/6:iw/2:ih*5/6`, '-frames:v', '1', '-pix_fmt', 'gray', '-f', 'rawvideo', '-']);
}

/** Pixels of two same-sized gray images that differ as a white stroke differs from the black box (not as encoding noise does). */
function difference(a: Buffer, b: Buffer): number {
  expect(a.length).toBe(b.length);
  let differing = 0;
  for (let index = 0; index < a.length; index++) if (Math.abs((a[index] as number) - (b[index] as number)) > 96) differing++;
  return differing;
}

// Several ffmpeg runs per test: generous timeouts for a loaded machine (speed is measured in bench/).
describe.skipIf(skip)('createFilm (real ffmpeg on generated archives)', { timeout: 300_000 }, () => {
  let dir: TempDir;
  let mixed: string;
  let v3Only: string;
  let amcrest: string;
  // Coverage order: level 40 (AVI), 80 (MP4), 120 (AVI), 160 (MP4); file names say otherwise.
  const archives = [
    { name: 'Site_2025_10_01_0000.avi', level: 40, container: 'avi' as const, day: 0 },
    { name: 'Site_2025_09_30_0000.mp4', level: 80, container: 'mp4' as const, day: 1 },
    { name: 'Site_2025_10_03_0000.avi', level: 120, container: 'avi' as const, day: 2 },
    { name: 'Site_2025_10_02_0000.mp4', level: 160, container: 'mp4' as const, day: 3 },
  ];
  const FRAMES = 30;

  beforeAll(async () => {
    dir = await makeTempDir();
    mixed = join(dir.path, 'mixed');
    v3Only = join(dir.path, 'v3');
    amcrest = join(dir.path, 'amcrest');
    await mkdir(mixed);
    await mkdir(v3Only);
    await mkdir(amcrest);
    const listing = [];
    for (const archive of archives) {
      makeArchive(join(mixed, archive.name), { level: archive.level, frames: FRAMES, container: archive.container });
      // One frame a minute through the day's first half hour.
      const first = Date.UTC(2025, 8, 30) + archive.day * DAY;
      listing.push({ id: 'QKXBTRWA', filename: archive.name, frames: FRAMES, fps: 10, first, last: first + (FRAMES - 1) * 60_000 });
    }
    await writeFile(join(mixed, 'listing.json'), JSON.stringify(listing));
    for (const archive of archives.filter((item) => item.container === 'mp4')) {
      makeArchive(join(v3Only, archive.name), { level: archive.level, frames: FRAMES, container: 'mp4' });
    }
    await writeFile(join(v3Only, 'listing.json'), JSON.stringify(listing.filter((entry) => entry.filename.endsWith('.mp4'))));
    // Amcrest parts: continuous 10 fps, 3 s each, named as amcrest-dl names them.
    makeArchive(join(amcrest, '2026-01-16_20.00.03-20.00.06_ch1.mp4'), { level: 200, frames: 30, container: 'mp4' });
    makeArchive(join(amcrest, '2026-01-16_20.00.00-20.00.03_ch1.mp4'), { level: 100, frames: 30, container: 'mp4' });
  });

  afterAll(async () => {
    await dir.cleanup();
  });

  it('orders mixed 1.x AVI and 3.x MP4 archives by the time they cover, one re-encode, every frame', async () => {
    const output = join(dir.path, 'mixed.mp4');
    const events: FilmEvent[] = [];
    const result = await createFilm({ source: mixed, output, onEvent: (event) => events.push(event) });
    expect(result.plan.mode).toBe('encode');
    expect(result.plan.parts.map((part) => [part.path.slice(mixed.length + 1), part.origin])).toEqual(
      [...archives].sort((a, b) => a.day - b.day).map((archive) => [archive.name, 'listing']),
    );
    expect(result.frames).toBe(120);
    const info = probe(output, true);
    expect(info.video).toMatchObject({ codec: 'h264', width: W, height: H, frames: 120 });
    expect(Math.abs((info.videoDuration ?? 0) - 12)).toBeLessThanOrEqual(0.1);
    const frames = readFrames(output);
    expect(frames).toHaveLength(120);
    // Luma says which archive, chroma which frame of it: in coverage order, every frame once.
    const levels = frames.map((frame) => Math.round(frame.y / 40) * 40);
    expect(levels).toEqual([40, 80, 120, 160].flatMap((level) => Array(FRAMES).fill(level)));
    const indexes = frames.map((frame) => Math.round((frame.u - 64) / 4));
    expect(indexes).toEqual([0, 1, 2, 3].flatMap(() => Array.from({ length: FRAMES }, (_, n) => n)));
    const progress = events.filter((event) => event.type === 'progress');
    expect(progress.length).toBeGreaterThan(0);
    // Probing says how far it got before the plan.
    expect(events.filter((event) => event.type === 'probed').map((event) => event.type === 'probed' && event.probed)).toEqual([1, 2, 3, 4]);
    expect(events.some((event) => event.type === 'progress' && event.etaSeconds !== undefined)).toBe(true);
  });

  it('--length drops frames evenly to the asked length (within one frame) and --stamp burns the time in', async () => {
    const output = join(dir.path, 'short.mp4');
    const result = await createFilm({ source: mixed, output, lengthSeconds: 3 });
    expect(result.frames).toBe(30);
    expect(Math.abs((result.durationSeconds ?? 0) - 3)).toBeLessThanOrEqual(0.1);
    const indexes = readFrames(output).map((frame) => [Math.round(frame.y / 40) * 40, Math.round((frame.u - 64) / 4)]);
    // 120 frames → 30: every 4th, in order, never repeated.
    expect(indexes).toEqual(Array.from({ length: 30 }, (_, k) => [40 * (Math.floor((4 * k) / FRAMES) + 1), (4 * k) % FRAMES]));
    const stamped = join(dir.path, 'stamped.mp4');
    const withStamp = await createFilm({ source: mixed, output: stamped, lengthSeconds: 3, stamp: true });
    expect(withStamp.frames).toBe(30);
    const plain = corner(output, 5);
    const marked = corner(stamped, 5);
    expect(plain.length).toBe(marked.length);
    let differing = 0;
    for (let index = 0; index < plain.length; index++) if (Math.abs((plain[index] as number) - (marked[index] as number)) > 40) differing++;
    expect(differing).toBeGreaterThan(plain.length / 20);
    // The top-left quarter (no stamp) is unchanged.
    expect(readFrames(stamped).map((frame) => Math.round(frame.y / 40))).toEqual(readFrames(output).map((frame) => Math.round(frame.y / 40)));
  });

  it('seeks to each kept frame instead of decoding every one: the same frames in the same order', async () => {
    // 120 frames → 10: one in 12. The AVIs (every frame a key frame) are sought frame by frame, the MP4s
    // (a key frame every 10) from the key frame before each kept frame.
    const output = join(dir.path, 'sought.mp4');
    const result = await createFilm({ source: mixed, output, lengthSeconds: 1 });
    expect(result.frames).toBe(10);
    const indexes = readFrames(output).map((frame) => [Math.round(frame.y / 40) * 40, Math.round((frame.u - 64) / 4)]);
    expect(indexes).toEqual(Array.from({ length: 10 }, (_, k) => [40 * (Math.floor((12 * k) / FRAMES) + 1), (12 * k) % FRAMES]));
    const decoded = result.plan.parts.map((part) => part.decoded);
    // AVI: only the kept frames; MP4: at most a key-frame interval before each.
    expect(decoded).toEqual(result.plan.parts.map((part) => (part.path.endsWith('.avi') ? part.selected : expect.any(Number))));
    expect(decoded.reduce((sum, value) => sum + value, 0)).toBeLessThan(60);
  });

  it("--stamp shows the camera's time zone, whatever zone this computer is in", async () => {
    // The first archive starts 2025-09-30 00:00 UTC: 09:00 in Tokyo, 20:00 the day before in New York.
    // Large enough for the digits to tell apart after encoding.
    const size = { width: 640, height: 480 };
    await createFilm({ source: mixed, output: join(dir.path, 'zone-Asia-Tokyo.mp4'), lengthSeconds: 1, stamp: true, timeZone: 'Asia/Tokyo', size });
    await createFilm({ source: mixed, output: join(dir.path, 'zone-plain.mp4'), lengthSeconds: 1, size });
    const film = corner(join(dir.path, 'zone-Asia-Tokyo.mp4'), 0);
    const tokyo = stampedCorner(join(dir.path, 'zone-plain.mp4'), '2025-09-30 09:00');
    const newYork = stampedCorner(join(dir.path, 'zone-plain.mp4'), '2025-09-29 20:00');
    const utc = stampedCorner(join(dir.path, 'zone-plain.mp4'), '2025-09-30 00:00');
    expect(difference(film, newYork)).toBeGreaterThan(100);
    expect(difference(film, tokyo)).toBeLessThan(difference(film, newYork) / 4);
    expect(difference(film, tokyo)).toBeLessThan(difference(film, utc) / 4);
    const unknown = await createFilm({ source: mixed, output: join(dir.path, 'zone-bad.mp4'), stamp: true, timeZone: 'Mars/Olympus' }).catch((error: unknown) => error);
    expect(isMediaError(unknown, 'ERR_MEDIA_INVALID_OPTIONS')).toBe(true);
  });

  it('--every takes one frame per interval of real time; --speed is the same per film frame', async () => {
    // Amcrest recordings are real time at 10 fps: one frame every 0.5 s of 6 s → 12 frames.
    const every = await createFilm({ source: amcrest, output: join(dir.path, 'every.mp4'), everySeconds: 0.5 });
    expect(every.plan.parts.map((part) => part.origin)).toEqual(['name', 'name']);
    expect(every.frames).toBe(12);
    const frames = readFrames(join(dir.path, 'every.mp4')).map((frame) => [Math.round(frame.y / 100) * 100, Math.round((frame.u - 64) / 4)]);
    expect(frames).toEqual([...[0, 5, 10, 15, 20, 25].map((n) => [100, n]), ...[0, 5, 10, 15, 20, 25].map((n) => [200, n])]);
    // Timelapse archives: a frame a minute; --speed 1200 at 10 fps = one frame per 2 minutes.
    const speed = await createFilm({ source: mixed, output: join(dir.path, 'speed.mp4'), speed: 1200 });
    expect(speed.frames).toBe(60);
  });

  it('stream copy when nothing asks for a change and every archive shares a format', async () => {
    const output = join(dir.path, 'copy.mp4');
    const result = await createFilm({ source: v3Only, output });
    expect(result.plan.mode).toBe('copy');
    expect(result.frames).toBe(60);
    expect(readFrames(output).map((frame) => Math.round(frame.y / 40) * 40)).toEqual([...Array(30).fill(80), ...Array(30).fill(160)]);
  });

  it('--from/--to select by covered time; an empty folder and a broken file are clear errors naming them', async () => {
    const windowed = await createFilm({ source: mixed, output: join(dir.path, 'window.mp4'), from: new Date(Date.UTC(2025, 9, 1, 12)), to: new Date(Date.UTC(2025, 9, 2, 12)), dryRun: true });
    expect(windowed.plan.parts.map((part) => part.path.slice(mixed.length + 1))).toEqual(['Site_2025_10_03_0000.avi']);
    const empty = join(dir.path, 'empty');
    await mkdir(empty);
    const none = await createFilm({ source: empty, output: join(dir.path, 'none.mp4') }).catch((error: unknown) => error);
    expect(isMediaError(none, 'ERR_MEDIA_INVALID_OPTIONS')).toBe(true);
    expect((none as Error).message).toContain(empty);
    const broken = join(dir.path, 'broken');
    await mkdir(broken);
    await writeFile(join(broken, 'Site_2025_10_05_0000.mp4'), 'truncated');
    const unreadable = await createFilm({ source: broken, output: join(dir.path, 'broken.mp4') }).catch((error: unknown) => error);
    expect(isMediaError(unreadable, 'ERR_MEDIA_UNREADABLE')).toBe(true);
    expect((unreadable as Error).message).toContain(join(broken, 'Site_2025_10_05_0000.mp4'));
    await expect(stat(join(dir.path, 'broken.mp4'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('Ctrl+C leaves no partial film', async () => {
    const output = join(dir.path, 'aborted.mp4');
    const controller = new AbortController();
    const pending = createFilm({
      source: mixed,
      output,
      stamp: true,
      signal: controller.signal,
      onEvent: (event) => {
        if (event.type === 'plan') setTimeout(() => controller.abort(new Error('Ctrl+C')), 20);
      },
    });
    await expect(pending).rejects.toMatchObject({ code: 'ERR_MEDIA_ABORTED' });
    const names = await readdir(dir.path);
    expect(names.filter((name) => name.startsWith('aborted') || name.startsWith('.camdl-film-'))).toEqual([]);
  });
});
