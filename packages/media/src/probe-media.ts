import { MediaError, isMediaError } from './errors.js';
import { runTool } from './ffmpeg-tools.js';

/** The video parameters that must match for parts to be stream-copied into one file. */
export interface VideoFormat {
  /** ffprobe `codec_name`: `h264`, `hevc`, `mjpeg`... */
  codec: string;
  /** `High`, `Main`... when the codec has profiles. */
  profile: string | undefined;
  width: number;
  height: number;
  /** `yuv420p`, `yuvj420p`... */
  pixelFormat: string | undefined;
  /** ffprobe `r_frame_rate`, e.g. `25/1`. */
  frameRate: string;
  /** ffprobe `time_base`, e.g. `1/90000` (informational: the concat demuxer rescales timestamps). */
  timeBase: string | undefined;
}

/** The audio parameters that must match for parts to be stream-copied into one file. */
export interface AudioFormat {
  codec: string;
  sampleRate: number;
  channels: number;
}

/** The stream layout of a part or an output. */
export interface StreamFormat {
  video: VideoFormat;
  /** `undefined` when there is no audio stream. */
  audio: AudioFormat | undefined;
}

/** What ffprobe says about one media file. */
export interface MediaProbe extends StreamFormat {
  path: string;
  /** ffprobe `format_name` (`mov,mp4,m4a,3gp,3g2,mj2`, `matroska,webm`, `dhav`, `avi`...). */
  container: string;
  /**
   * The video stream's duration when the container gives one, else the container's; for a streamed file
   * that says neither (an Axis Matroska export: no Duration, no Cues), measured from its video packets
   * (the last one's end less the first one's start), else `fallbackDurationSeconds`. In seconds.
   */
  durationSeconds: number;
  /** Whether `durationSeconds` came from the video stream. */
  fromVideoStream: boolean;
  /** Where `durationSeconds` came from: the container's header, the video packets read to the end, or the caller. */
  durationFrom: 'container' | 'packets' | 'fallback';
  /** The container's duration, in seconds. */
  formatDurationSeconds: number | undefined;
  /** Seconds between the first two key frames seen near the start, when there are two. */
  keyframeIntervalSeconds: number | undefined;
  /** The video frames the container's index counts (MP4 sample table, AVI header), when it says. */
  frameCount?: number | undefined;
  /** The video stream's first presentation time in seconds (what a seek to `n / fps` is relative to), when the container says. */
  videoStartSeconds?: number | undefined;
}

export interface ProbeMediaOptions {
  /** Kills ffprobe. @default undefined */
  signal?: AbortSignal;
  /** Force a demuxer (`dhav` for Dahua `.dav`). @default by the extension: `dhav` for `.dav`, else ffprobe's guess */
  inputFormat?: string;
  /**
   * Seconds the file lasts by another account (a recording's listed start and stop), used only when
   * neither the container nor its video packets say: without it such a file is `ERR_MEDIA_UNREADABLE`.
   * @default undefined
   */
  fallbackDurationSeconds?: number | undefined;
}

interface FfprobeStream {
  index?: number;
  codec_type?: string;
  codec_name?: string;
  profile?: string;
  width?: number;
  height?: number;
  pix_fmt?: string;
  r_frame_rate?: string;
  time_base?: string;
  sample_rate?: string;
  channels?: number;
  duration?: string;
  nb_frames?: string;
  start_time?: string;
}

function finite(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  return Number.isFinite(number) ? number : undefined;
}

function positiveInteger(value: string | undefined): number | undefined {
  const number = finite(value);
  return number !== undefined && Number.isInteger(number) && number > 0 ? number : undefined;
}

/** `dhav` for `.dav` files (ffmpeg's demuxer for Dahua NVR files), else undefined. */
export function inputFormatFor(path: string): string | undefined {
  return /\.dav$/i.test(path) ? 'dhav' : undefined;
}

/**
 * Probes a file with ffprobe: codec, profile, size, pixel format, frame rate, time base, audio codec,
 * sample rate, channels, duration and the key frame interval. A file ffprobe cannot read, or one
 * without video, throws `ERR_MEDIA_UNREADABLE` naming the file.
 */
export async function probeMedia(ffprobe: string, path: string, options: ProbeMediaOptions = {}): Promise<MediaProbe> {
  const signalOption = options.signal ? { signal: options.signal } : {};
  const inputFormat = options.inputFormat ?? inputFormatFor(path);
  const formatArgs = inputFormat ? ['-f', inputFormat] : [];
  let stdout: string;
  try {
    ({ stdout } = await runTool(
      ffprobe,
      [
        '-v',
        'error',
        ...formatArgs,
        // The first packets too, in the same run (one process per part): their key frames give the GOP.
        '-read_intervals',
        '%+#400',
        '-show_entries',
        'format=format_name,duration:stream=index,codec_type,codec_name,profile,width,height,pix_fmt,r_frame_rate,time_base,sample_rate,channels,duration,nb_frames,start_time:packet=stream_index,pts_time,dts_time,flags',
        '-of',
        'json',
        path,
      ],
      signalOption,
    ));
  } catch (error) {
    if (isMediaError(error, 'ERR_FFMPEG_FAILED')) {
      throw new MediaError(`cannot read ${path}: ${error.stderr || 'ffprobe failed'}`, { code: 'ERR_MEDIA_UNREADABLE', path, cause: error, ...(error.stderr ? { stderr: error.stderr } : {}) });
    }
    throw error;
  }
  let parsed: {
    format?: { duration?: string; format_name?: string };
    streams?: FfprobeStream[];
    packets?: Array<{ stream_index?: number; pts_time?: string; dts_time?: string; flags?: string }>;
  };
  try {
    parsed = JSON.parse(stdout) as typeof parsed;
  } catch (error) {
    throw new MediaError(`cannot read ${path}: ffprobe gave no JSON`, { code: 'ERR_MEDIA_UNREADABLE', path, cause: error });
  }
  const video = parsed.streams?.find((stream) => stream.codec_type === 'video');
  const audio = parsed.streams?.find((stream) => stream.codec_type === 'audio');
  if (!video?.codec_name || !video.width || !video.height) {
    throw new MediaError(`cannot read ${path}: no video stream`, { code: 'ERR_MEDIA_UNREADABLE', path });
  }
  const formatDuration = finite(parsed.format?.duration);
  const videoDuration = finite(video.duration);
  let durationSeconds = videoDuration ?? formatDuration;
  let durationFrom: MediaProbe['durationFrom'] = 'container';
  if (durationSeconds === undefined || durationSeconds <= 0) {
    durationSeconds = await videoPacketsSeconds(ffprobe, path, formatArgs, frameSeconds(video.r_frame_rate), signalOption).catch(() => undefined);
    durationFrom = 'packets';
  }
  if (durationSeconds === undefined || durationSeconds <= 0) {
    const fallback = options.fallbackDurationSeconds;
    if (fallback === undefined || !Number.isFinite(fallback) || fallback <= 0) throw new MediaError(`cannot read ${path}: no duration`, { code: 'ERR_MEDIA_UNREADABLE', path });
    durationSeconds = fallback;
    durationFrom = 'fallback';
  }
  const keyframes = (parsed.packets ?? [])
    .filter((packet) => packet.stream_index === video.index && packet.flags?.includes('K'))
    .map((packet) => finite(packet.pts_time) ?? finite(packet.dts_time))
    .filter((time): time is number => time !== undefined)
    .sort((a, b) => a - b);
  const keyframeIntervalSeconds = keyframes.length >= 2 ? (keyframes[1] as number) - (keyframes[0] as number) : undefined;
  return {
    path,
    container: parsed.format?.format_name ?? 'unknown',
    durationSeconds,
    fromVideoStream: videoDuration !== undefined,
    durationFrom,
    formatDurationSeconds: formatDuration,
    keyframeIntervalSeconds,
    frameCount: positiveInteger(video.nb_frames),
    videoStartSeconds: finite(video.start_time),
    video: {
      codec: video.codec_name,
      profile: video.profile && video.profile !== 'unknown' ? video.profile : undefined,
      width: video.width,
      height: video.height,
      pixelFormat: video.pix_fmt,
      frameRate: video.r_frame_rate ?? '0/0',
      timeBase: video.time_base,
    },
    audio:
      audio?.codec_name === undefined
        ? undefined
        : { codec: audio.codec_name, sampleRate: Number(audio.sample_rate ?? 0), channels: audio.channels ?? 0 },
  };
}

/** Seconds per frame at an ffprobe rate such as `25/1`; 0 when it is not one. */
function frameSeconds(rate: string | undefined): number {
  const [numerator, denominator] = (rate ?? '').split('/').map(Number);
  return numerator !== undefined && denominator !== undefined && numerator > 0 && denominator > 0 ? denominator / numerator : 0;
}

/**
 * How long the video of a file without a duration in its header lasts: its packets read to the end
 * (demuxed, not decoded), the last one's end less the earliest start. Undefined unless every packet has a time.
 */
async function videoPacketsSeconds(ffprobe: string, path: string, formatArgs: string[], frameSeconds: number, signalOption: { signal?: AbortSignal }): Promise<number | undefined> {
  const { stdout } = await runTool(ffprobe, ['-v', 'error', ...formatArgs, '-select_streams', 'v:0', '-show_entries', 'packet=pts_time,dts_time,duration_time', '-of', 'csv=p=0', path], signalOption);
  let first: number | undefined;
  let end: number | undefined;
  for (const line of stdout.split('\n')) {
    if (line.trim() === '') continue;
    const [pts, dts, duration] = line.trim().split(',');
    const time = finite(pts === 'N/A' ? dts : pts);
    // A stream whose packets are not all timed (raw H.264 times only its first) cannot be measured so.
    if (time === undefined) return undefined;
    first = first === undefined ? time : Math.min(first, time);
    // A block without its own duration (a track without DefaultDuration) lasts a frame.
    const until = time + (finite(duration) || frameSeconds);
    end = end === undefined ? until : Math.max(end, until);
  }
  return first === undefined || end === undefined ? undefined : end - first;
}

/** Key frames of a file's video stream. */
export interface KeyframeTimes {
  /** The earliest video presentation time in the file (seconds), the origin of offsets into it. */
  startSeconds: number;
  /** Presentation times of the key frames, in the file's own timestamps (seconds), ascending. */
  keyframes: number[];
}

/**
 * Presentation times of the video key frames, read from packet flags (demux only, no decoding).
 */
export async function keyframeTimes(
  ffprobe: string,
  path: string,
  options: ProbeMediaOptions & { /** Stop after this many video packets. @default all */ limitPackets?: number } = {},
): Promise<KeyframeTimes> {
  const inputFormat = options.inputFormat ?? inputFormatFor(path);
  const { stdout } = await runTool(
    ffprobe,
    [
      '-v',
      'error',
      ...(inputFormat ? ['-f', inputFormat] : []),
      '-select_streams',
      'v:0',
      ...(options.limitPackets ? ['-read_intervals', `%+#${options.limitPackets}`] : []),
      '-show_entries',
      'packet=pts_time,dts_time,flags',
      '-of',
      'csv=p=0',
      path,
    ],
    options.signal ? { signal: options.signal } : {},
  );
  const times: number[] = [];
  let first: number | undefined;
  for (const line of stdout.split('\n')) {
    const [pts, dts, flags] = line.trim().split(',');
    const time = finite(pts === 'N/A' ? dts : pts);
    if (time === undefined) continue;
    first = first === undefined ? time : Math.min(first, time);
    if (flags?.includes('K')) times.push(time);
  }
  return { startSeconds: first ?? 0, keyframes: times.sort((a, b) => a - b) };
}
