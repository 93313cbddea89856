import { describe, expect, it } from 'vitest';
import { AmcrestProgress } from '../src/amcrest-progress.js';
import { mergeProgressText } from '../src/amcrest-render.js';

describe('amcrest-dl progress line', () => {
  const progress = new AmcrestProgress(15, 45 * 1024 * 1024);
  progress.update('a', { bytes: 12 * 1024 * 1024, transferred: 0, total: undefined, percent: undefined, speed: 5 * 1024 * 1024, eta: undefined });

  it('shows everything on a wide terminal, in MiB', () => {
    expect(progress.text(120)).toBe('0/15 files  12.00 MiB/45.00 MiB  5.00 MiB/s  ETA 7s  (1 active)');
  });

  it('shortens to fit a narrow terminal (one row: no stale fragment when it narrows)', () => {
    for (const columns of [60, 50, 40, 30, 20]) {
      const text = progress.text(columns);
      expect(text.length, `${columns}: ${text}`).toBeLessThanOrEqual(columns - 4);
      expect(text.startsWith('0/15 files')).toBe(true);
    }
  });
});

describe('merge progress', () => {
  it('shows the percentage and an ETA from the pace so far', () => {
    expect(mergeProgressText(30, 120, 10)).toBe('merging 25.0%  30s / 2m00s  ETA 30s');
    expect(mergeProgressText(0, 120, 1)).toBe('merging 0.0%  0s / 2m00s  ETA ?');
    expect(mergeProgressText(130, 120, 10)).toBe('merging 100.0%  2m00s / 2m00s  ETA 0s');
  });
});
