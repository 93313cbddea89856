import { describe, expect, it } from 'vitest';
import { progressText } from '../src/timelapse2-render.js';

describe('timelapse2-dl progress line', () => {
  const progress = { bytes: 54_000_000, total: 100_000_000, speed: 10_000_000, eta: 5 };
  const name = 'North_Gate_Construction_Site_Camera_2025_09_30_0000.mp4';

  it('fits one row of an 80-column terminal: a narrower bar, then a shortened name', () => {
    const text = progressText(name, progress, 80);
    expect(text.length).toBeLessThanOrEqual(76);
    expect(text).toMatch(/^North_Gate\S*… \[=+>-+\] 54\.0% /);
  });

  it('keeps the whole name and the 30-column bar when there is room', () => {
    expect(progressText(name, progress, 200)).toMatch(new RegExp(`^${name} \\[[=>-]{30}\\] `));
  });

  it('shows only the bar on a very narrow terminal', () => {
    expect(progressText(name, progress, 50)).toMatch(/^\[[=>-]{10}\] 54\.0%/);
  });
});
