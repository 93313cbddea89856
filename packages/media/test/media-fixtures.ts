import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { writeDhav } from '@camdl/camera-sim';

/** What a generated clip holds. */
export interface ClipSpec {
  seconds: number;
  codec?: 'h264' | 'hevc';
  width?: number;
  height?: number;
  fps?: number;
  /** Tone frequency; no audio when undefined. */
  tone?: number;
  /** @default 1 s GOP */
  gop?: number;
}

function videoArgs(spec: ClipSpec): string[] {
  const fps = spec.fps ?? 10;
  const gop = String(spec.gop ?? fps);
  return spec.codec === 'hevc'
    ? ['-c:v', 'libx265', '-preset', 'ultrafast', '-x265-params', `log-level=error:keyint=${gop}:min-keyint=${gop}:scenecut=0`, '-pix_fmt', 'yuv420p']
    : ['-c:v', 'libx264', '-preset', 'ultrafast', '-g', gop, '-keyint_min', gop, '-sc_threshold', '0', '-pix_fmt', 'yuv420p'];
}

function source(spec: ClipSpec): string[] {
  return ['-f', 'lavfi', '-i', `testsrc=size=${spec.width ?? 320}x${spec.height ?? 240}:rate=${spec.fps ?? 10}:duration=${spec.seconds}`];
}

/** An MP4 (or MKV, by the extension) made by ffmpeg from testsrc and, with `tone`, a sine. */
export function makeClip(path: string, spec: ClipSpec): void {
  const audio = spec.tone === undefined ? [] : ['-f', 'lavfi', '-i', `sine=frequency=${spec.tone}:sample_rate=16000:duration=${spec.seconds}`];
  execFileSync('ffmpeg', [
    ...['-v', 'error', '-y', ...source(spec), ...audio],
    ...videoArgs(spec),
    ...(spec.tone === undefined ? [] : ['-c:a', 'aac', '-b:a', '32k', '-ac', '1', '-shortest']),
    ...(spec.codec === 'hevc' && path.endsWith('.mp4') ? ['-tag:v', 'hvc1'] : []),
    path,
  ]);
}

/** A Dahua `.dav` written by the tests: ffmpeg makes the Annex B frames, `writeDhav` frames them. */
export function makeDav(path: string, spec: ClipSpec & { start: Date }): void {
  const codec = spec.codec ?? 'h264';
  const raw = `${path}.${codec}`;
  execFileSync('ffmpeg', [
    ...['-v', 'error', '-y', ...source(spec)],
    ...videoArgs(spec),
    '-bsf:v',
    `${codec === 'hevc' ? 'hevc' : 'h264'}_metadata=aud=insert`,
    '-f',
    codec === 'hevc' ? 'hevc' : 'h264',
    raw,
  ]);
  writeFileSync(path, writeDhav(readFileSync(raw), { codec, width: spec.width ?? 320, height: spec.height ?? 240, fps: spec.fps ?? 10, start: spec.start }));
}

export interface Probed {
  duration: number;
  videoDuration: number | undefined;
  video: { codec: string; width: number; height: number; tag: string; frames?: number };
  audio: { codec: string; sampleRate: number; channels: number } | undefined;
}

/** ffprobe of a written file, independent of the library's own probe. */
export function probe(path: string, countFrames = false): Probed {
  const json = JSON.parse(
    execFileSync(
      'ffprobe',
      ['-v', 'error', ...(countFrames ? ['-count_frames'] : []), '-show_entries', 'format=duration:stream=codec_type,codec_name,codec_tag_string,width,height,sample_rate,channels,duration,nb_read_frames', '-of', 'json', path],
      { encoding: 'utf8' },
    ),
  ) as {
    format: { duration: string };
    streams: Array<{ codec_type: string; codec_name: string; codec_tag_string: string; width?: number; height?: number; sample_rate?: string; channels?: number; duration?: string; nb_read_frames?: string }>;
  };
  const video = json.streams.find((stream) => stream.codec_type === 'video');
  const audio = json.streams.find((stream) => stream.codec_type === 'audio');
  if (!video) throw new Error(`no video in ${path}`);
  return {
    duration: Number(json.format.duration),
    videoDuration: video.duration ? Number(video.duration) : undefined,
    video: {
      codec: video.codec_name,
      width: video.width ?? 0,
      height: video.height ?? 0,
      tag: video.codec_tag_string,
      ...(video.nb_read_frames ? { frames: Number(video.nb_read_frames) } : {}),
    },
    audio: audio ? { codec: audio.codec_name, sampleRate: Number(audio.sample_rate), channels: audio.channels ?? 0 } : undefined,
  };
}

/**
 * Decodes the whole video stream; returns ffmpeg's error output (empty when every frame decodes in
 * order). Audio is checked by duration instead: at a stream-copy joint AAC frames may round to the same
 * millisecond in Matroska, which the null muxer reports although every sample plays.
 */
export function decodeErrors(path: string): string {
  const run = spawnSync('ffmpeg', ['-v', 'error', '-nostdin', '-i', path, '-map', '0:v:0', '-f', 'null', '-'], { encoding: 'utf8' });
  return `${run.stderr}${run.status === 0 ? '' : `exit ${run.status}`}`.trim();
}
