import { describe, expect, it } from 'vitest';
import { formatBytes, formatDuration, formatProgressLine } from '../src/format.js';

describe('format', () => {
  it('formats bytes in binary multiples, labelled KiB/MiB/GiB, never MB for MiB', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(133_640_000)).toBe('127.45 MiB');
    expect(formatBytes(209_715_200)).toBe('200.00 MiB');
    expect(formatBytes(235 * 1024 * 1024)).toBe('235.00 MiB');
  });

  it('formats durations', () => {
    expect(formatDuration(10)).toBe('10s');
    expect(formatDuration(245)).toBe('4m05s');
    expect(formatDuration(7380)).toBe('2h03m');
    expect(formatDuration(undefined)).toBe('?');
  });

  it('renders the seed progress bar', () => {
    const line = formatProgressLine({ bytes: 133_640_000, total: 235 * 1024 * 1024, speed: 10.23 * 1024 * 1024, eta: 10 }, 50);
    expect(line).toBe(`[${'='.repeat(27)}>${'-'.repeat(22)}] 54.2% 127.45 MiB/235.00 MiB 10.23 MiB/s ETA: 10s`);
  });
});
