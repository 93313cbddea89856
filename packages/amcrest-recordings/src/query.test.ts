import { describe, expect, it } from 'vitest';
import { buildQuery, encodeFilePath } from './query.js';

describe('buildQuery', () => {
  it('encodes spaces as %20, never +, and keeps : [ ] raw', () => {
    const query = buildQuery([
      ['action', 'findFile'],
      ['object', 123],
      ['condition.Channel', 1],
      ['condition.StartTime', '2026-01-16 20:00:00'],
      ['condition.EndTime', '2026-01-16 22:00:00'],
      ['condition.Types[0]', 'mp4'],
    ]);
    expect(query).toBe(
      'action=findFile&object=123&condition.Channel=1&condition.StartTime=2026-01-16%2020:00:00&condition.EndTime=2026-01-16%2022:00:00&condition.Types[0]=mp4',
    );
    expect(query).not.toContain('+');
  });

  it('escapes & = + # in values', () => {
    expect(buildQuery([['a', 'x&y=z+w#v']])).toBe('a=x%26y%3Dz%2Bw%23v');
  });
});

describe('encodeFilePath', () => {
  it('keeps / [ ] @ raw and encodes the rest', () => {
    expect(encodeFilePath('/mnt/sd/2026-01-16/001/dav/20/20.00.00-20.08.00[M][0@0][0].mp4')).toBe(
      '/mnt/sd/2026-01-16/001/dav/20/20.00.00-20.08.00[M][0@0][0].mp4',
    );
    expect(encodeFilePath('mnt/a b/%#?é.mp4')).toBe('/mnt/a%20b/%25%23%3F%C3%A9.mp4');
  });

  it('encodes the brackets and @ for a strict RFC 3986 server when asked', () => {
    expect(encodeFilePath('/mnt/sd/2026-01-16/001/dav/20/20.00.00-20.08.00[M][0@0][0].mp4', { rawBrackets: false })).toBe(
      '/mnt/sd/2026-01-16/001/dav/20/20.00.00-20.08.00%5BM%5D%5B0%400%5D%5B0%5D.mp4',
    );
  });
});
