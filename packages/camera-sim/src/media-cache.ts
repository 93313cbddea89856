import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { writeDhav } from './dhav-writer.js';
import { toStreamedMatroska } from './streamed-matroska.js';
import { CameraSimError } from './errors.js';

const execFileAsync = promisify(execFile);
// Part of every cache key: raised when a container's bytes change, so no clip of the old shape is served.
const CACHE_VERSION = 2;

/**
 * Which real media file ffmpeg makes: Timelapse 1.x MJPEG AVI, MP4 with H.264 or H.265 (`hvc1`), with
 * or without AAC, Dahua `.dav` (DHAV framing written by {@link writeDhav}) with H.264 or H.265, Matroska
 * with H.264 — also as a camera streams an export (Axis edge storage: Segment and Clusters of unknown size, no
 * SeekHead, no Duration, no Cues) — a fragmented MP4 as a stream writes it, and an MPEG program stream with H.264 (Hikvision NVR
 * downloads).
 */
export type MediaContainer = 'avi-mjpeg' | 'mp4-h264' | 'mp4-h264-aac' | 'mp4-h265' | 'mp4-h265-aac' | 'dav-h264' | 'dav-h265' | 'mkv-h264' | 'mkv-h264-live' | 'mp4-h264-fragmented' | 'ps-h264';

/** Parameters of one generated clip; the cache is keyed by all of them. */
export interface MediaRequest {
  container: MediaContainer;
  /** Media duration in seconds. */
  durationSec: number;
  /** @default 160 */
  width?: number;
  /** @default 120 */
  height?: number;
  /** @default 10 */
  fps?: number;
  /** Audio tone (Hz) for `mp4-h264-aac`; varies per clip so every file differs. @default 440 */
  toneHz?: number;
  /** testsrc pattern variant (`testsrc` or `testsrc2`). @default 'testsrc' */
  pattern?: 'testsrc' | 'testsrc2';
  /** Frames between key frames (H.264/H.265). @default fps (one second) */
  gop?: number;
  /** `.dav` only: camera wall-clock time of the first frame (ms, UTC fields = camera clock). @default 2026-01-16 00:00:00 */
  startMs?: number;
}

/** A clip on disk in the cache. */
export interface MediaFile {
  path: string;
  size: number;
  sha256: string;
  /** Duration ffprobe reports (or the requested one when ffprobe is missing). */
  durationSec: number;
  frames: number;
  container: MediaContainer;
}

/** Where clips are cached unless told otherwise: `$CAMDL_SIM_CACHE` or `<os tmp>/camdl-sim-cache`. */
export function defaultMediaCacheDir(): string {
  return process.env['CAMDL_SIM_CACHE'] ?? join(tmpdir(), 'camdl-sim-cache');
}

const inFlight = new Map<string, Promise<MediaFile>>();
let running = 0;
const waiting: Array<() => void> = [];

async function withSlot<T>(task: () => Promise<T>): Promise<T> {
  if (running >= 2) await new Promise<void>((resolve) => waiting.push(resolve));
  running++;
  try {
    return await task();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

function normalize(request: MediaRequest): Required<MediaRequest> {
  return { width: 160, height: 120, fps: 10, toneHz: 440, pattern: 'testsrc', startMs: Date.UTC(2026, 0, 16), gop: request.fps ?? 10, ...request };
}

function ffmpegArgs(request: Required<MediaRequest>, output: string): string[] {
  const { durationSec, width, height, fps, toneHz, pattern, gop } = request;
  const video = ['-f', 'lavfi', '-i', `${pattern}=duration=${durationSec}:size=${width}x${height}:rate=${fps}`];
  const common = ['-hide_banner', '-loglevel', 'error', '-y', '-nostdin'];
  const x265 = ['-c:v', 'libx265', '-preset', 'ultrafast', '-x265-params', `log-level=error:keyint=${gop}:min-keyint=${gop}`, '-pix_fmt', 'yuv420p'];
  const audio = [
    '-f', 'lavfi', '-i', `sine=frequency=${toneHz}:duration=${durationSec}:sample_rate=16000`,
    '-c:a', 'aac', '-b:a', '32k', '-ac', '1', '-shortest',
  ];
  switch (request.container) {
    case 'mp4-h265':
      return [...common, ...video, ...x265, '-tag:v', 'hvc1', '-movflags', '+faststart', '-f', 'mp4', output];
    case 'mp4-h265-aac':
      return [...common, ...video, ...audio.slice(0, 4), ...x265, ...audio.slice(4), '-tag:v', 'hvc1', '-movflags', '+faststart', '-f', 'mp4', output];
    case 'dav-h264':
      return [...common, ...video, '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-g', String(gop), '-bsf:v', 'h264_metadata=aud=insert', '-f', 'h264', output];
    case 'dav-h265':
      return [...common, ...video, ...x265, '-bsf:v', 'hevc_metadata=aud=insert', '-f', 'hevc', output];
    case 'mkv-h264':
      return [...common, ...video, '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-g', String(gop), '-f', 'matroska', output];
    case 'mkv-h264-live':
      return [...common, ...video, '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-g', String(gop), '-live', '1', '-f', 'matroska', output];
    case 'mp4-h264-fragmented':
      return [...common, ...video, '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-g', String(gop), '-movflags', 'frag_keyframe+empty_moov+default_base_moof', '-f', 'mp4', output];
    case 'ps-h264':
      return [...common, ...video, '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-g', String(gop), '-f', 'mpeg', output];
    case 'avi-mjpeg':
      return [...common, ...video, '-c:v', 'mjpeg', '-q:v', '8', '-pix_fmt', 'yuvj420p', '-f', 'avi', output];
    case 'mp4-h264':
      return [...common, ...video, '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-g', String(gop), '-movflags', '+faststart', '-f', 'mp4', output];
    case 'mp4-h264-aac':
      return [
        ...common, ...video,
        '-f', 'lavfi', '-i', `sine=frequency=${toneHz}:duration=${durationSec}:sample_rate=16000`,
        '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-g', String(gop),
        '-c:a', 'aac', '-b:a', '32k', '-ac', '1', '-shortest', '-movflags', '+faststart', '-f', 'mp4', output,
      ];
  }
}

async function hashFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function probeDuration(path: string, fallback: number): Promise<number> {
  try {
    const format = path.endsWith('.dav') ? ['-f', 'dhav'] : [];
    const { stdout } = await execFileAsync('ffprobe', ['-v', 'error', ...format, '-show_entries', 'format=duration', '-of', 'default=nw=1:nk=1', path]);
    const value = Number.parseFloat(stdout.trim());
    return Number.isFinite(value) ? value : fallback;
  } catch {
    return fallback;
  }
}

async function generate(request: Required<MediaRequest>, cacheDir: string, key: string): Promise<MediaFile> {
  const extension = request.container === 'avi-mjpeg' ? 'avi' : request.container.startsWith('dav-') ? 'dav' : request.container.startsWith('mkv-') ? 'mkv' : request.container === 'ps-h264' ? 'ps' : 'mp4';
  const path = join(cacheDir, `${key}.${extension}`);
  const metaPath = join(cacheDir, `${key}.json`);
  if (existsSync(metaPath) && existsSync(path)) {
    try {
      const meta = JSON.parse(await readFile(metaPath, 'utf8')) as MediaFile;
      if ((await stat(path)).size === meta.size) return { ...meta, path };
    } catch {
      // regenerate below
    }
  }
  await mkdir(cacheDir, { recursive: true });
  const tag = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const tmpPath = join(cacheDir, `${key}.${tag}.tmp.${extension}`);
  try {
    if (request.container.startsWith('dav-')) {
      // ffmpeg writes the Annex B elementary stream; the DHAV framing is ours.
      const raw = `${tmpPath}.es`;
      try {
        await withSlot(() => execFileAsync('ffmpeg', ffmpegArgs(request, raw), { timeout: 60_000 }));
        const codec = request.container === 'dav-h265' ? 'hevc' : 'h264';
        await writeFile(tmpPath, writeDhav(await readFile(raw), { codec, width: request.width, height: request.height, fps: request.fps, start: new Date(request.startMs) }));
      } finally {
        await rm(raw, { force: true });
      }
    } else {
      await withSlot(() => execFileAsync('ffmpeg', ffmpegArgs(request, tmpPath), { timeout: 60_000 }));
      if (request.container === 'mkv-h264-live') await writeFile(tmpPath, toStreamedMatroska(await readFile(tmpPath)));
    }
  } catch (error) {
    await rm(tmpPath, { force: true });
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new CameraSimError('ffmpeg is not installed: install it (e.g. `apt-get install ffmpeg`) or ask for content kind "synthetic"', { code: 'ERR_SIM_FFMPEG_MISSING', cause: error });
    }
    throw new CameraSimError(`ffmpeg could not generate a ${request.container} clip`, { code: 'ERR_SIM_FFMPEG_FAILED', cause: error, context: { request } });
  }
  const size = (await stat(tmpPath)).size;
  const sha256 = await hashFile(tmpPath);
  // The DHAV header carries whole seconds only: the requested length is the true one.
  const durationSec = request.container.startsWith('dav-') ? request.durationSec : await probeDuration(tmpPath, request.durationSec);
  await rename(tmpPath, path);
  const meta: MediaFile = { path, size, sha256, durationSec, frames: Math.round(request.durationSec * request.fps), container: request.container };
  const metaTmp = join(cacheDir, `${key}.${tag}.tmp.json`);
  await writeFile(metaTmp, JSON.stringify(meta));
  await rename(metaTmp, metaPath);
  return meta;
}

/** Returns the clip for these parameters, generating it with ffmpeg once (cached across runs, concurrency-safe). */
export function ensureMedia(request: MediaRequest, cacheDir = defaultMediaCacheDir()): Promise<MediaFile> {
  const full = normalize(request);
  const key = createHash('sha256').update(JSON.stringify({ v: CACHE_VERSION, ...full })).digest('hex').slice(0, 24);
  const id = `${cacheDir}\0${key}`;
  let pending = inFlight.get(id);
  if (!pending) {
    pending = generate(full, cacheDir, key);
    inFlight.set(id, pending);
    pending.catch(() => inFlight.delete(id));
  }
  return pending;
}
