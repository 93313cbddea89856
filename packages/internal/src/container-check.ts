import { open, type FileHandle } from 'node:fs/promises';

/** A container a downloaded video can be checked as. */
export type CheckedContainer = 'avi' | 'mp4' | 'matroska';

/** Whether a local file is a whole container, with its duration when the container says it. */
export type ContainerCheck = { ok: true; durationSec: number | undefined } | { ok: false; reason: string };

export interface ContainerCheckOptions {
  /**
   * AVI only: bytes the first RIFF size may overcount the file by (Timelapse2 1.0–1.1.2 count the
   * `movi` list header twice). @default 0
   */
  riffOvercount?: number;
}

/**
 * Reads the structure of `path` to its end: an AVI whose RIFF size fits the file, an MP4 whose
 * top-level boxes tile the file exactly (duration from `mvhd`), a Matroska file whose EBML elements
 * (known or unknown sizes, as a streamed export writes them) end exactly at the end of the file
 * (duration from `Info/Duration`, else from the last block's time). A file cut short ends inside an
 * element and fails; a file cut exactly between clusters is whole structurally, so callers compare
 * the duration with what the recording should last.
 */
export async function checkContainerFile(path: string, container: CheckedContainer, options: ContainerCheckOptions = {}): Promise<ContainerCheck> {
  let file: FileHandle;
  try {
    file = await open(path, 'r');
  } catch (error) {
    return { ok: false, reason: `cannot read the local file (${(error as NodeJS.ErrnoException).code ?? 'error'})` };
  }
  try {
    const size = (await file.stat()).size;
    if (container === 'avi') return await checkAvi(file, size, options.riffOvercount ?? 0);
    if (container === 'mp4') return await checkIsoBmff(file, size);
    return await checkMatroska(file, size);
  } catch (error) {
    return { ok: false, reason: `cannot read the local file (${(error as NodeJS.ErrnoException).code ?? String(error)})` };
  } finally {
    await file.close().catch(() => {});
  }
}

async function read(file: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  const { bytesRead } = await file.read(buffer, 0, length, position);
  return buffer.subarray(0, bytesRead);
}

async function checkAvi(file: FileHandle, size: number, riffOvercount: number): Promise<ContainerCheck> {
  const head = await read(file, 0, 12);
  if (head.length < 12 || head.toString('latin1', 0, 4) !== 'RIFF' || head.toString('latin1', 8, 12) !== 'AVI ') {
    return { ok: false, reason: 'the local file is not an AVI (no RIFF/AVI header)' };
  }
  // The first RIFF chunk's size (OpenDML files have more RIFF AVIX chunks after it).
  const riffEnd = head.readUInt32LE(4) + 8;
  if (riffEnd > size && riffEnd !== size + riffOvercount) return { ok: false, reason: `the local AVI is truncated (its header says ${riffEnd} bytes, the file has ${size})` };
  return { ok: true, durationSec: undefined };
}

/** Top-level boxes of an MP4 must tile the file exactly: a truncated file ends inside its last box. */
async function checkIsoBmff(file: FileHandle, size: number): Promise<ContainerCheck> {
  const first = await read(file, 4, 4);
  if (first.toString('latin1') !== 'ftyp') return { ok: false, reason: 'the local file is not an MP4 (no ftyp box)' };
  let position = 0;
  let durationSec: number | undefined;
  let movie: MovieBoxes | undefined;
  const fragmentEnds = new Map<number, number>();
  for (let boxes = 0; position < size; boxes += 1) {
    if (boxes > 100_000) return { ok: false, reason: 'the local MP4 has too many top-level boxes' };
    const header = await read(file, position, 16);
    if (header.length < 8) return { ok: false, reason: `the local MP4 is truncated (a box header at byte ${position})` };
    let boxSize = header.readUInt32BE(0);
    let headerSize = 8;
    if (boxSize === 1) {
      if (header.length < 16) return { ok: false, reason: `the local MP4 is truncated (a box header at byte ${position})` };
      boxSize = Number(header.readBigUInt64BE(8));
      headerSize = 16;
    } else if (boxSize === 0) {
      boxSize = size - position;
    }
    if (boxSize < headerSize) return { ok: false, reason: `the local MP4 has a broken box at byte ${position}` };
    const type = header.toString('latin1', 4, 8);
    if (type === 'moov' && position + boxSize <= size) {
      movie = readMovieBoxes(await read(file, position + headerSize, Math.min(boxSize - headerSize, MAX_MOOV_BYTES)));
      durationSec = movie.durationSec;
    } else if (type === 'moof' && position + boxSize <= size && boxSize - headerSize <= MAX_MOOF_BYTES) {
      addFragmentEnds(await read(file, position + headerSize, boxSize - headerSize), fragmentEnds);
    }
    position += boxSize;
  }
  if (position !== size) return { ok: false, reason: `the local MP4 is truncated (its last box ends at byte ${position}, the file has ${size})` };
  // A fragmented file (written as a stream) has no duration in mvhd: its fragments' times say it.
  if (durationSec === undefined && movie !== undefined && fragmentEnds.size > 0) {
    let longest = 0;
    for (const [trackId, end] of fragmentEnds) {
      const timescale = movie.trackTimescales.get(trackId);
      if (timescale !== undefined && timescale > 0) longest = Math.max(longest, end / timescale);
    }
    if (longest > 0) durationSec = longest;
  }
  return { ok: true, durationSec };
}

const MAX_MOOV_BYTES = 16 * 1024 * 1024;
const MAX_MOOF_BYTES = 4 * 1024 * 1024;

interface MovieBoxes {
  /** `mvhd` duration ÷ timescale; undefined when zero (a fragmented file) or absent. */
  durationSec: number | undefined;
  /** `mdhd` timescale of each track, by `tkhd` track ID. */
  trackTimescales: Map<number, number>;
}

/** The child boxes of a box body: type, body offset and body length, each inside `bytes`. */
function childBoxes(bytes: Buffer, start = 0, end = bytes.length): Array<{ type: string; body: number; length: number }> {
  const out: Array<{ type: string; body: number; length: number }> = [];
  for (let offset = start; offset + 8 <= end; ) {
    const boxSize = bytes.readUInt32BE(offset);
    if (boxSize < 8 || offset + boxSize > end) break;
    out.push({ type: bytes.toString('latin1', offset + 4, offset + 8), body: offset + 8, length: boxSize - 8 });
    offset += boxSize;
  }
  return out;
}

function readMovieBoxes(moov: Buffer): MovieBoxes {
  let durationSec: number | undefined;
  let fragmentDuration: number | undefined;
  let movieTimescale = 0;
  const trackTimescales = new Map<number, number>();
  for (const box of childBoxes(moov)) {
    if (box.type === 'mvhd' && box.length >= 20) {
      const version = moov[box.body];
      movieTimescale = version === 1 ? moov.readUInt32BE(box.body + 20) : moov.readUInt32BE(box.body + 12);
      const duration = version === 1 ? Number(moov.readBigUInt64BE(box.body + 24)) : moov.readUInt32BE(box.body + 16);
      durationSec = movieTimescale > 0 && duration > 0 ? duration / movieTimescale : undefined;
    } else if (box.type === 'mvex') {
      const mehd = childBoxes(moov, box.body, box.body + box.length).find((each) => each.type === 'mehd');
      if (mehd !== undefined && mehd.length >= 8) fragmentDuration = moov[mehd.body] === 1 ? Number(moov.readBigUInt64BE(mehd.body + 4)) : moov.readUInt32BE(mehd.body + 4);
    } else if (box.type === 'trak') {
      const children = childBoxes(moov, box.body, box.body + box.length);
      const tkhd = children.find((each) => each.type === 'tkhd');
      const mdia = children.find((each) => each.type === 'mdia');
      const mdhd = mdia === undefined ? undefined : childBoxes(moov, mdia.body, mdia.body + mdia.length).find((each) => each.type === 'mdhd');
      if (tkhd === undefined || mdhd === undefined || tkhd.length < 16 || mdhd.length < 16) continue;
      const trackId = moov[tkhd.body] === 1 ? moov.readUInt32BE(tkhd.body + 20) : moov.readUInt32BE(tkhd.body + 12);
      const timescale = moov[mdhd.body] === 1 ? moov.readUInt32BE(mdhd.body + 20) : moov.readUInt32BE(mdhd.body + 12);
      trackTimescales.set(trackId, timescale);
    }
  }
  if (durationSec === undefined && fragmentDuration !== undefined && fragmentDuration > 0 && movieTimescale > 0) durationSec = fragmentDuration / movieTimescale;
  return { durationSec, trackTimescales };
}

/** Each `traf` of a `moof`: its track's decode time after the fragment (`tfdt` + the `trun` sample durations). */
function addFragmentEnds(moof: Buffer, ends: Map<number, number>): void {
  for (const traf of childBoxes(moof).filter((each) => each.type === 'traf')) {
    let trackId: number | undefined;
    let defaultDuration = 0;
    let base: number | undefined;
    let total = 0;
    for (const box of childBoxes(moof, traf.body, traf.body + traf.length)) {
      const flags = box.length >= 4 ? moof.readUInt32BE(box.body) & 0xffffff : 0;
      if (box.type === 'tfhd' && box.length >= 8) {
        trackId = moof.readUInt32BE(box.body + 4);
        let offset = box.body + 8;
        if (flags & 0x01) offset += 8;
        if (flags & 0x02) offset += 4;
        if (flags & 0x08 && offset + 4 <= box.body + box.length) defaultDuration = moof.readUInt32BE(offset);
      } else if (box.type === 'tfdt' && box.length >= 8) {
        base = moof[box.body] === 1 && box.length >= 12 ? Number(moof.readBigUInt64BE(box.body + 4)) : moof.readUInt32BE(box.body + 4);
      } else if (box.type === 'trun' && box.length >= 8) {
        const count = moof.readUInt32BE(box.body + 4);
        let offset = box.body + 8;
        if (flags & 0x01) offset += 4;
        if (flags & 0x04) offset += 4;
        const perSample = [0x100, 0x200, 0x400, 0x800].filter((bit) => flags & bit).length * 4;
        if (!(flags & 0x100)) total += count * defaultDuration;
        else {
          for (let index = 0; index < count && offset + 4 <= box.body + box.length; index += 1, offset += perSample) total += moof.readUInt32BE(offset);
        }
      }
    }
    if (trackId !== undefined && base !== undefined) ends.set(trackId, Math.max(ends.get(trackId) ?? 0, base + total));
  }
}

const EBML_HEADER = 0x1a45dfa3;
const SEGMENT = 0x18538067;
const INFO = 0x1549a966;
const TRACKS = 0x1654ae6b;
const TRACK_ENTRY = 0xae;
const DEFAULT_DURATION = 0x23e383;
const CLUSTER = 0x1f43b675;
const TIMESTAMP_SCALE = 0x2ad7b1;
const DURATION = 0x4489;
const CLUSTER_TIMESTAMP = 0xe7;
const SIMPLE_BLOCK = 0xa3;
const BLOCK_GROUP = 0xa0;
const BLOCK = 0xa1;
/**
 * Segment-level elements that end a cluster of unknown size. Not CRC-32 (`BF`) and Void (`EC`): they may
 * sit inside a Cluster too (ffmpeg opens every cluster with a CRC-32), so they do not end one.
 */
const SEGMENT_CHILDREN = new Set([0x114d9b74, INFO, 0x1654ae6b, CLUSTER, 0x1c53bb6b, 0x1941a469, 0x1043a770, 0x1254c367]);
const MAX_ELEMENTS = 5_000_000;

interface Element {
  id: number;
  /** Undefined: unknown size (all value bits set), as a streaming muxer writes Segment and Cluster. */
  size: number | undefined;
  headerSize: number;
}

/** One EBML variable-length integer: `length` bytes, the marker bit cleared (or kept, for IDs). */
function readVint(bytes: Buffer, offset: number, keepMarker: boolean): { value: number; length: number; allOnes: boolean } | undefined {
  const first = bytes[offset];
  if (first === undefined || first === 0) return undefined;
  const length = Math.clz32(first) - 23;
  if (length > 8 || offset + length > bytes.length) return undefined;
  let value = keepMarker ? first : first & (0xff >> length);
  let allOnes = value === 0xff >> length;
  for (let index = 1; index < length; index += 1) {
    const byte = bytes[offset + index] as number;
    value = value * 256 + byte;
    if (byte !== 0xff) allOnes = false;
  }
  return { value, length, allOnes };
}

async function readElement(file: FileHandle, position: number): Promise<Element | undefined> {
  const head = await read(file, position, 12);
  const id = readVint(head, 0, true);
  if (id === undefined || id.length > 4) return undefined;
  const size = readVint(head, id.length, false);
  if (size === undefined) return undefined;
  return { id: id.value, size: size.allOnes ? undefined : size.value, headerSize: id.length + size.length };
}

function readUnsigned(bytes: Buffer): number {
  let value = 0;
  for (const byte of bytes) value = value * 256 + byte;
  return value;
}

/**
 * Walks a Matroska file: the EBML header, then the Segment's children to the end of the file;
 * inside clusters every block is read for its time. Every element must end inside its parent and
 * the last one exactly at the end of the file.
 */
async function checkMatroska(file: FileHandle, size: number): Promise<ContainerCheck> {
  const header = await readElement(file, 0);
  if (header?.id !== EBML_HEADER || header.size === undefined) return { ok: false, reason: 'the local file is not a Matroska file (no EBML header)' };
  const segmentStart = header.headerSize + header.size;
  const segment = await readElement(file, segmentStart);
  if (segment?.id !== SEGMENT) return { ok: false, reason: 'the local Matroska file has no Segment after its EBML header' };
  const segmentEnd = segment.size === undefined ? size : segmentStart + segment.headerSize + segment.size;
  if (segmentEnd > size) return { ok: false, reason: `the local Matroska file is truncated (its Segment ends at byte ${segmentEnd}, the file has ${size})` };
  if (segmentEnd < size) return { ok: false, reason: `the local Matroska file has ${size - segmentEnd} bytes after its Segment` };
  let timestampScale = 1_000_000;
  let infoDuration: number | undefined;
  let lastBlockTime: number | undefined;
  /** The longest `DefaultDuration` of a track (ns): how long the last frame lasts past its start. */
  let frameNs = 0;
  let clusterTime = 0;
  let elements = 0;
  const cut = (what: string, at: number, end: number): ContainerCheck => ({ ok: false, reason: `the local Matroska file is truncated (${what} at byte ${at} ends at ${end}, the file has ${size})` });

  let position = segmentStart + segment.headerSize;
  while (position < segmentEnd) {
    if (++elements > MAX_ELEMENTS) return { ok: false, reason: 'the local Matroska file has too many elements' };
    const element = await readElement(file, position);
    if (element === undefined) return { ok: false, reason: `the local Matroska file is truncated or broken (an element header at byte ${position})` };
    const bodyStart = position + element.headerSize;
    if (element.id === CLUSTER) {
      // A cluster of unknown size ends where the next Segment-level element starts.
      const declaredEnd = element.size === undefined ? undefined : bodyStart + element.size;
      if (declaredEnd !== undefined && declaredEnd > segmentEnd) return cut('a Cluster', position, declaredEnd);
      let inner = bodyStart;
      const limit = declaredEnd ?? segmentEnd;
      while (inner < limit) {
        if (++elements > MAX_ELEMENTS) return { ok: false, reason: 'the local Matroska file has too many elements' };
        const child = await readElement(file, inner);
        if (child === undefined) return { ok: false, reason: `the local Matroska file is truncated or broken (an element header at byte ${inner})` };
        if (declaredEnd === undefined && SEGMENT_CHILDREN.has(child.id)) break;
        if (child.size === undefined) return { ok: false, reason: `the local Matroska file has an element of unknown size inside a Cluster (byte ${inner})` };
        const childEnd = inner + child.headerSize + child.size;
        if (childEnd > limit) return cut('a block', inner, childEnd);
        const childBody = inner + child.headerSize;
        if (child.id === CLUSTER_TIMESTAMP) clusterTime = readUnsigned(await read(file, childBody, Math.min(child.size, 8)));
        else if (child.id === SIMPLE_BLOCK) lastBlockTime = Math.max(lastBlockTime ?? 0, clusterTime + (await blockOffset(file, childBody)));
        else if (child.id === BLOCK_GROUP) {
          const block = await readElement(file, childBody);
          if (block?.id === BLOCK) lastBlockTime = Math.max(lastBlockTime ?? 0, clusterTime + (await blockOffset(file, childBody + block.headerSize)));
        }
        inner = childEnd;
      }
      position = inner;
      continue;
    }
    if (element.size === undefined) return { ok: false, reason: `the local Matroska file has an element of unknown size at byte ${position}` };
    const end = bodyStart + element.size;
    if (end > segmentEnd) return cut('an element', position, end);
    if (element.id === TRACKS) {
      const tracks = await read(file, bodyStart, Math.min(element.size, 65_536));
      for (const entry of ebmlChildren(tracks, 0, tracks.length).filter((each) => each.id === TRACK_ENTRY)) {
        const value = ebmlChildren(tracks, entry.start, entry.end).find((each) => each.id === DEFAULT_DURATION);
        if (value !== undefined) frameNs = Math.max(frameNs, readUnsigned(tracks.subarray(value.start, value.end)));
      }
    }
    if (element.id === INFO) {
      const info = await read(file, bodyStart, Math.min(element.size, 4096));
      for (let offset = 0; offset < info.length; ) {
        const id = readVint(info, offset, true);
        const length = id && readVint(info, offset + id.length, false);
        if (!id || !length) break;
        const valueStart = offset + id.length + length.length;
        const value = info.subarray(valueStart, valueStart + length.value);
        if (id.value === TIMESTAMP_SCALE) timestampScale = readUnsigned(value) || timestampScale;
        else if (id.value === DURATION && value.length === 4) infoDuration = value.readFloatBE(0);
        else if (id.value === DURATION && value.length === 8) infoDuration = value.readDoubleBE(0);
        offset = valueStart + length.value;
      }
    }
    position = end;
  }
  const scaleSec = timestampScale / 1e9;
  const durationSec = infoDuration !== undefined && infoDuration > 0 ? infoDuration * scaleSec : lastBlockTime === undefined ? undefined : lastBlockTime * scaleSec + frameNs / 1e9;
  return { ok: true, durationSec };
}

/** The elements directly inside `bytes[start, end)`: id and body range (an element running past `end` ends the list). */
function ebmlChildren(bytes: Buffer, start: number, end: number): Array<{ id: number; start: number; end: number }> {
  const out: Array<{ id: number; start: number; end: number }> = [];
  for (let offset = start; offset < end; ) {
    const id = readVint(bytes, offset, true);
    const length = id && readVint(bytes, offset + id.length, false);
    if (!id || !length || length.allOnes) break;
    const body = offset + id.length + length.length;
    if (body + length.value > end) break;
    out.push({ id: id.value, start: body, end: body + length.value });
    offset = body + length.value;
  }
  return out;
}

/** The signed 16-bit time of a block relative to its cluster (after the track number vint). */
async function blockOffset(file: FileHandle, position: number): Promise<number> {
  const head = await read(file, position, 11);
  const track = readVint(head, 0, false);
  if (track === undefined || head.length < track.length + 2) return 0;
  return head.readInt16BE(track.length);
}
