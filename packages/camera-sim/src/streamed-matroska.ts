import { CameraSimError } from './errors.js';

const SEGMENT = 0x18538067;
const SEEK_HEAD = 0x114d9b74;
const VOID = 0xec;
const INFO = 0x1549a966;
const CLUSTER = 0x1f43b675;
const CUES = 0x1c53bb6b;
const DURATION = 0x4489;
/** An 8-byte EBML size with every value bit set: "unknown", as a writer that cannot seek back sends it. */
const UNKNOWN_SIZE = Buffer.from([0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);

interface Element {
  id: number;
  /** Where the element's header starts. */
  start: number;
  /** Where its content starts. */
  dataStart: number;
  /** Its content's size; undefined when the size is unknown. */
  size: number | undefined;
}

function fail(reason: string): never {
  throw new CameraSimError(`cannot rewrite the Matroska clip as a stream: ${reason}`, { code: 'ERR_SIM_FFMPEG_FAILED' });
}

function vint(bytes: Buffer, at: number, keepMarker: boolean): { value: number; length: number; allOnes: boolean } {
  const first = bytes[at];
  if (first === undefined || first === 0) fail(`no EBML number at byte ${at}`);
  let length = 1;
  let mask = 0x80;
  while ((first & mask) === 0) {
    mask >>= 1;
    length += 1;
  }
  if (at + length > bytes.length) fail(`an EBML number runs past the end at byte ${at}`);
  let value = keepMarker ? first : first & (mask - 1);
  let allOnes = (first & (mask - 1)) === mask - 1;
  for (let index = 1; index < length; index += 1) {
    const byte = bytes[at + index] as number;
    value = value * 256 + byte;
    allOnes &&= byte === 0xff;
  }
  return { value, length, allOnes };
}

function readElement(bytes: Buffer, at: number): Element {
  const id = vint(bytes, at, true);
  const size = vint(bytes, at + id.length, false);
  return { id: id.value, start: at, dataStart: at + id.length + size.length, size: size.allOnes ? undefined : size.value };
}

function children(bytes: Buffer, from: number, to: number): Element[] {
  const out: Element[] = [];
  let at = from;
  while (at < to) {
    const element = readElement(bytes, at);
    if (element.size === undefined) fail(`element 0x${element.id.toString(16)} of unknown size where ffmpeg writes sizes`);
    out.push(element);
    at = element.dataStart + element.size;
  }
  if (at !== to) fail('an element runs past its parent');
  return out;
}

/**
 * A Matroska file rewritten as a camera streams an export (Axis edge storage): a Segment and Clusters of
 * unknown size, no SeekHead (no positions are known ahead), no Cues, no Duration. Built from ffmpeg's
 * `-live 1` output, which already has no Cues and no Duration but still writes sizes and a SeekHead.
 */
export function toStreamedMatroska(bytes: Buffer): Buffer {
  const header = readElement(bytes, 0);
  if (header.size === undefined) fail('the EBML header has no size');
  const segment = readElement(bytes, header.dataStart + header.size);
  if (segment.id !== SEGMENT) fail('no Segment after the EBML header');
  const parts: Buffer[] = [bytes.subarray(0, segment.start + 4), UNKNOWN_SIZE];
  const segmentEnd = segment.size === undefined ? bytes.length : segment.dataStart + segment.size;
  for (const element of children(bytes, segment.dataStart, segmentEnd)) {
    const end = element.dataStart + (element.size as number);
    if (element.id === SEEK_HEAD || element.id === VOID) continue;
    if (element.id === CUES) fail('the clip has Cues');
    if (element.id === INFO && children(bytes, element.dataStart, end).some((child) => child.id === DURATION)) fail('the clip has a Duration');
    if (element.id === CLUSTER) parts.push(bytes.subarray(element.start, element.start + 4), UNKNOWN_SIZE, bytes.subarray(element.dataStart, end));
    else parts.push(bytes.subarray(element.start, end));
  }
  return Buffer.concat(parts);
}
