import { describe, expect, it } from 'vitest';
import { renderLayout } from './layout.js';

const values = (file: string) => ({ camera: 'gate', channel: 0, cameraStart: '2026-01-16 10:00:00', file });

describe('renderLayout', () => {
  it.each([
    ['SHA256SUMS', 'gate/2026-01-16/_SHA256SUMS'],
    ['sha256sums', 'gate/2026-01-16/_sha256sums'],
    ['.SHA256SUMS.123.tmp', 'gate/2026-01-16/_.SHA256SUMS.123.tmp'],
    ['.camdl', 'gate/2026-01-16/_.camdl'],
    ['.camdl-tmp', 'gate/2026-01-16/_.camdl-tmp'],
    ['SHA256SUMS.mp4', 'gate/2026-01-16/SHA256SUMS.mp4'],
    ['clip.mp4', 'gate/2026-01-16/clip.mp4'],
  ])('never gives a recording one of camdl\'s own names: %s → %s', (file, path) => {
    expect(renderLayout('{camera}/{yyyy}-{mm}-{dd}/{file}', values(file))).toBe(path);
  });

  it('checks the whole last part a template makes, not only {file}', () => {
    expect(renderLayout('{camera}/SHA256{file}', values('SUMS'))).toBe('gate/_SHA256SUMS');
    expect(renderLayout('{camera}/{hh}-{file}', values('SHA256SUMS'))).toBe('gate/10-SHA256SUMS');
  });
});
