import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { ensureMedia } from '@camdl/camera-sim';
import { makeTempDir, missingSystemTools } from '@camdl/test-utils';
import { describe, expect, it } from 'vitest';

/** Top-level elements of the Segment as [id hex, size or 'unknown'], and the Info's children ids. */
function layout(bytes: Buffer): { segmentSize: number | 'unknown'; elements: Array<[string, number | 'unknown']>; info: string[] } {
  const number = (at: number, marker: boolean): [number, number, boolean] => {
    const first = bytes[at] as number;
    const length = Math.clz32(first) - 23;
    let value = marker ? first : first & (0xff >> length);
    let ones = (first & (0xff >> length)) === 0xff >> length;
    for (let index = 1; index < length; index += 1) {
      value = value * 256 + (bytes[at + index] as number);
      ones &&= bytes[at + index] === 0xff;
    }
    return [value, length, ones];
  };
  const element = (at: number): { id: string; data: number; size: number | 'unknown' } => {
    const [id, idLength] = number(at, true);
    const [size, sizeLength, unknown] = number(at + idLength, false);
    return { id: id.toString(16), data: at + idLength + sizeLength, size: unknown ? 'unknown' : size };
  };
  const header = element(0);
  const segment = element(header.data + (header.size as number));
  expect(segment.id).toBe('18538067');
  const elements: Array<[string, number | 'unknown']> = [];
  const info: string[] = [];
  let at = segment.data;
  while (at < bytes.length) {
    const item = element(at);
    elements.push([item.id, item.size]);
    if (item.id === '1549a966') {
      for (let inner = item.data; inner < item.data + (item.size as number); ) {
        const child = element(inner);
        info.push(child.id);
        inner = child.data + (child.size as number);
      }
    }
    if (item.size === 'unknown') {
      // A Cluster of unknown size ends where the next top-level element (a Cluster) starts.
      const next = bytes.indexOf(Buffer.from([0x1f, 0x43, 0xb6, 0x75]), item.data + 1);
      at = next === -1 ? bytes.length : next;
    } else {
      at = item.data + item.size;
    }
  }
  return { segmentSize: segment.size, elements, info };
}

describe.skipIf(missingSystemTools('ffmpeg', 'ffprobe'))('the Axis export clip: Matroska as a camera streams it', () => {
  it('has a Segment and Clusters of unknown size, no SeekHead, no Cues, no Duration, and every frame readable', async () => {
    const cache = await makeTempDir('camdl-sim-mkv-');
    try {
      const clip = await ensureMedia({ container: 'mkv-h264-live', durationSec: 4 }, cache.path);
      const shape = layout(await readFile(clip.path));
      expect(shape.segmentSize).toBe('unknown');
      const ids = shape.elements.map(([id]) => id);
      expect(ids).not.toContain('114d9b74');
      expect(ids).not.toContain('1c53bb6b');
      expect(shape.info).not.toContain('4489');
      const clusters = shape.elements.filter(([id]) => id === '1f43b675');
      expect(clusters.length).toBeGreaterThanOrEqual(4);
      expect(clusters.every(([, size]) => size === 'unknown')).toBe(true);
      const frames = execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-count_packets', '-show_entries', 'stream=nb_read_packets:format=duration', '-of', 'json', clip.path], { encoding: 'utf8' });
      const parsed = JSON.parse(frames) as { streams: Array<{ nb_read_packets: string }>; format: { duration?: string } };
      expect(parsed.streams[0]?.nb_read_packets).toBe('40');
      expect(parsed.format.duration).toBeUndefined();
    } finally {
      await cache.cleanup();
    }
  });
});
