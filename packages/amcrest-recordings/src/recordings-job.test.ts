import { describe, expect, it } from 'vitest';
import { defaultOutputName, planAfterDownloads } from './recordings-job.js';

describe('defaultOutputName', () => {
  it('names the file after the camera-time window, with the channel when not 1', () => {
    const window = { start: '2026-01-16 20:00:00', end: '2026-01-16 22:00:00' };
    expect(defaultOutputName(window, 1, 'mp4')).toBe('amcrest_2026-01-16_20.00.00_2026-01-16_22.00.00.mp4');
    expect(defaultOutputName(window, 2, 'mkv')).toBe('amcrest_2026-01-16_20.00.00_2026-01-16_22.00.00_ch2.mkv');
  });
});

describe('planAfterDownloads', () => {
  it('merges only a complete set unless partial merges are allowed', () => {
    expect(planAfterDownloads({ interrupted: false, failed: 0, merge: true, allowPartial: false })).toEqual({ merge: true, outcome: 'done' });
    expect(planAfterDownloads({ interrupted: false, failed: 2, merge: true, allowPartial: false })).toEqual({ merge: false, outcome: 'some-failed' });
    expect(planAfterDownloads({ interrupted: false, failed: 2, merge: true, allowPartial: true })).toEqual({ merge: true, outcome: 'some-failed' });
  });

  it('never merges after an interruption or without merge', () => {
    expect(planAfterDownloads({ interrupted: true, failed: 0, merge: true, allowPartial: true })).toEqual({ merge: false, outcome: 'interrupted' });
    expect(planAfterDownloads({ interrupted: false, failed: 0, merge: false, allowPartial: false })).toEqual({ merge: false, outcome: 'done' });
    expect(planAfterDownloads({ interrupted: false, failed: 1, merge: false, allowPartial: true })).toEqual({ merge: false, outcome: 'some-failed' });
  });
});
