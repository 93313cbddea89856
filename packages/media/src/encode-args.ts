import type { StreamFormat } from './probe-media.js';

const X264_PROFILES: Record<string, string> = {
  Baseline: 'baseline',
  'Constrained Baseline': 'baseline',
  Main: 'main',
  High: 'high',
  'High 10': 'high10',
  'High 4:2:2': 'high422',
  'High 4:4:4 Predictive': 'high444',
};

const X265_PROFILES: Record<string, string> = { Main: 'main', 'Main 10': 'main10', 'Main Still Picture': 'mainstillpicture' };

/** `25/1` → 25 (0 when unknown). */
export function frameRateValue(rate: string): number {
  const [num, den] = rate.split('/').map(Number);
  if (!num || !Number.isFinite(num)) return 0;
  return den ? num / den : num;
}

function videoEncoder(target: StreamFormat['video']): string[] {
  const fps = frameRateValue(target.frameRate);
  const gop = fps > 0 ? ['-g', String(Math.max(1, Math.round(fps * 2)))] : [];
  const pix = target.pixelFormat ? ['-pix_fmt', target.pixelFormat] : [];
  switch (target.codec) {
    case 'h264': {
      const profile = target.profile ? X264_PROFILES[target.profile] : undefined;
      return ['-c:v', 'libx264', '-preset', 'veryfast', '-crf', '20', ...(profile ? ['-profile:v', profile] : []), ...pix, ...gop];
    }
    case 'hevc': {
      const profile = target.profile ? X265_PROFILES[target.profile] : undefined;
      return ['-c:v', 'libx265', '-preset', 'veryfast', '-crf', '24', '-x265-params', 'log-level=error', ...(profile ? ['-profile:v', profile] : []), ...pix, ...gop];
    }
    case 'mjpeg':
      return ['-c:v', 'mjpeg', '-q:v', '3', ...pix];
    default:
      return ['-c:v', target.codec, ...pix, ...gop];
  }
}

/**
 * ffmpeg arguments (after the source is input 0) that re-encode a source to a target format: scaled
 * (letterboxed, never stretched) to the target size, at its frame rate and pixel format; audio to the
 * target's codec, rate and channels, silence when the source has none, dropped when the target has none.
 * With `tsAudio`, audio that MPEG-TS cannot carry becomes AAC.
 */
export function encoderArgs(source: StreamFormat, target: StreamFormat, options: { tsAudio?: boolean; durationSeconds?: number } = {}): string[] {
  const { width, height } = target.video;
  const fps = frameRateValue(target.video.frameRate);
  const filters = [
    `scale=${width}:${height}:force_original_aspect_ratio=decrease`,
    `pad=${width}:${height}:(ow-iw)/2:(oh-ih)/2`,
    'setsar=1',
    ...(fps > 0 ? [`fps=${target.video.frameRate}`] : []),
  ];
  const args: string[] = [];
  const audio = target.audio;
  if (audio && !source.audio) {
    const layout = audio.channels === 1 ? 'mono' : audio.channels === 2 ? 'stereo' : `${audio.channels}c`;
    args.push('-f', 'lavfi', '-i', `anullsrc=r=${audio.sampleRate || 48000}:cl=${layout}`);
  }
  args.push('-map', '0:v:0');
  if (audio) args.push('-map', source.audio ? '0:a:0' : '1:a:0');
  args.push('-vf', filters.join(','), ...videoEncoder(target.video));
  if (audio) {
    const codec = options.tsAudio && !['aac', 'mp3', 'ac3'].includes(audio.codec) ? 'aac' : audio.codec;
    const encoder = codec === 'aac' ? ['-c:a', 'aac', '-b:a', '96k'] : codec === 'mp3' ? ['-c:a', 'libmp3lame'] : ['-c:a', codec];
    args.push(...encoder, ...(audio.sampleRate ? ['-ar', String(audio.sampleRate)] : []), ...(audio.channels ? ['-ac', String(audio.channels)] : []));
    if (!source.audio) args.push('-shortest');
  } else {
    args.push('-an');
  }
  if (options.durationSeconds !== undefined) args.push('-t', options.durationSeconds.toFixed(6));
  return args;
}
