/**
 * Writes Dahua `.dav` (DHAV) containers, the format NVRs store, from an Annex B H.264/H.265 stream.
 *
 * Framing (as ffmpeg's `dhav` demuxer reads it): every frame is a 24-byte `DHAV` header (frame type
 * 0xfd key video / 0xfc other video, sub-type, channel, sub-number, u32 sequence, u32 total length,
 * u32 packed date, u16 millisecond counter, extension length, checksum), then extension headers (0x82
 * exact width/height, 0x81 codec and frame rate), the payload, and an 8-byte `dhav` + u32 length trailer.
 */

/** Video codecs a `.dav` file can carry here. */
export type DhavVideoCodec = 'h264' | 'hevc';

export interface DhavWriteOptions {
  /** The video codec of the access units to wrap. */
  codec: DhavVideoCodec;
  /** Frame width in pixels, written in every frame header. */
  width: number;
  /** Frame height in pixels. */
  height: number;
  /** Frames per second (whole number, as the camera writes it). */
  fps: number;
  /** Camera wall-clock time of the first frame, as a Date whose UTC fields are the camera's. */
  start: Date;
  /** @default 0 */
  channel?: number;
}

const CODEC_IDS: Record<DhavVideoCodec, number> = { h264: 0x02, hevc: 0x0c };

/** Splits an Annex B stream into NAL units (without start codes). */
function nalUnits(stream: Buffer): Buffer[] {
  const starts: Array<{ at: number; length: number }> = [];
  for (let index = 0; index + 3 <= stream.length; index++) {
    if (stream[index] === 0 && stream[index + 1] === 0) {
      if (stream[index + 2] === 1) {
        starts.push({ at: index, length: 3 });
        index += 2;
      } else if (stream[index + 2] === 0 && stream[index + 3] === 1) {
        starts.push({ at: index, length: 4 });
        index += 3;
      }
    }
  }
  return starts.map((start, index) => stream.subarray(start.at + start.length, starts[index + 1]?.at ?? stream.length));
}

/** Groups NAL units into access units (frames), starting a new one at each access unit delimiter. */
export function accessUnits(stream: Buffer, codec: DhavVideoCodec): Array<{ data: Buffer; key: boolean }> {
  const frames: Array<{ nals: Buffer[]; key: boolean }> = [];
  for (const nal of nalUnits(stream)) {
    if (nal.length === 0) continue;
    const type = codec === 'h264' ? (nal[0]! & 0x1f) : ((nal[0]! >> 1) & 0x3f);
    const isDelimiter = codec === 'h264' ? type === 9 : type === 35;
    const isKey = codec === 'h264' ? type === 5 : type >= 16 && type <= 21;
    if (isDelimiter || frames.length === 0) frames.push({ nals: [], key: false });
    const frame = frames[frames.length - 1]!;
    frame.nals.push(nal);
    if (isKey) frame.key = true;
  }
  const startCode = Buffer.from([0, 0, 0, 1]);
  return frames.map((frame) => ({ data: Buffer.concat(frame.nals.flatMap((nal) => [startCode, nal])), key: frame.key }));
}

function packDate(date: Date): number {
  return (
    (((date.getUTCFullYear() - 2000) & 0x3f) << 26) |
    (((date.getUTCMonth() + 1) & 0x0f) << 22) |
    ((date.getUTCDate() & 0x1f) << 17) |
    ((date.getUTCHours() & 0x1f) << 12) |
    ((date.getUTCMinutes() & 0x3f) << 6) |
    (date.getUTCSeconds() & 0x3f)
  ) >>> 0;
}

/**
 * Wraps an Annex B stream whose frames are separated by access unit delimiters (ffmpeg:
 * `-bsf:v h264_metadata=aud=insert` / `hevc_metadata=aud=insert`) in DHAV framing.
 * The first frame must be a key frame (the demuxer creates the video stream on the first 0xfd frame).
 */
export function writeDhav(annexB: Buffer, options: DhavWriteOptions): Buffer {
  const frames = accessUnits(annexB, options.codec);
  if (frames.length === 0 || !frames[0]!.key) throw new Error('a .dav stream must start with a key frame');
  const out: Buffer[] = [];
  const startMs = options.start.getTime();
  for (const [sequence, frame] of frames.entries()) {
    const timeMs = startMs + Math.round((sequence * 1000) / options.fps);
    const extension = Buffer.alloc(frame.key ? 12 : 0);
    if (frame.key) {
      extension[0] = 0x82;
      extension.writeUInt16LE(options.width, 4);
      extension.writeUInt16LE(options.height, 6);
      extension[8] = 0x81;
      extension[10] = CODEC_IDS[options.codec];
      extension[11] = options.fps;
    }
    const total = 24 + extension.length + frame.data.length + 8;
    const header = Buffer.alloc(24);
    header.write('DHAV', 0, 'latin1');
    header[4] = frame.key ? 0xfd : 0xfc;
    header[5] = 0;
    header[6] = options.channel ?? 0;
    header[7] = 0;
    header.writeUInt32LE(sequence, 8);
    header.writeUInt32LE(total, 12);
    header.writeUInt32LE(packDate(new Date(timeMs)), 16);
    header.writeUInt16LE(timeMs % 65536, 20);
    header[22] = extension.length;
    let checksum = 0;
    for (let index = 0; index < 23; index++) checksum = (checksum + header[index]!) & 0xff;
    header[23] = checksum;
    const trailer = Buffer.alloc(8);
    trailer.write('dhav', 0, 'latin1');
    trailer.writeUInt32LE(total, 4);
    out.push(header, extension, frame.data, trailer);
  }
  return Buffer.concat(out);
}
