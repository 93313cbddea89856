import { describe, expect, it } from 'vitest';
import { assignLocalNames, FALLBACK_FILE_NAME, toSafeFileName } from './safe-file-name.js';
import { joinLikeSeed } from './download-archives.js';

describe('toSafeFileName', () => {
  it.each([
    ['North_Gate_2025_09_30_0000.avi', 'North_Gate_2025_09_30_0000.avi'],
    ["Tom_&_Jerry_(Backyard)_O'Brien #2.avi", "Tom_&_Jerry_(Backyard)_O'Brien #2.avi"],
    ['Café_Zürich.mp4', 'Café_Zürich.mp4'],
    ['Cafe\u0301.mp4', 'Café.mp4'],
    ['../../etc/passwd', '__.._etc_passwd'],
    ['a/b\\c.avi', 'a_b_c.avi'],
    ['Gate:East<>"|?*.avi', 'Gate_East______.avi'],
    ['tab\there\u0000.avi', 'tab_here_.avi'],
    ['trailing. . ', 'trailing'],
    ['.hidden.avi', '_hidden.avi'],
    ['CON', '_CON'],
    ['nul.avi', '_nul.avi'],
    ['COM1.mp4', '_COM1.mp4'],
    ['lpt9', '_lpt9'],
    ['NUL .avi', '_NUL .avi'],
    ['aux..tar.gz', '_aux..tar.gz'],
    ['CONSOLE .avi', 'CONSOLE .avi'],
    ['CONSOLE.avi', 'CONSOLE.avi'],
    ['..', FALLBACK_FILE_NAME],
    ['', FALLBACK_FILE_NAME],
    ['///', FALLBACK_FILE_NAME],
  ])('%j → %j', (input, expected) => {
    expect(toSafeFileName(input)).toBe(expected);
  });

  it('keeps names within 245 UTF-8 bytes (room for .part.json), extension included, without splitting characters', () => {
    const safe = toSafeFileName(`${'ü'.repeat(200)}.avi`);
    expect(Buffer.byteLength(`${safe}.part.json`, 'utf8')).toBeLessThanOrEqual(255);
    expect(Buffer.byteLength(safe, 'utf8')).toBeGreaterThan(240);
    expect(Buffer.byteLength(toSafeFileName(`${'a'.repeat(300)}.avi`), 'utf8')).toBe(245);
    // truncation must not produce a reserved device name
    expect(toSafeFileName(`CON${' '.repeat(300)}x.avi`)).toBe('_CON.avi');
    expect(safe.endsWith('ü.avi')).toBe(true);
    expect(toSafeFileName(`${'😀'.repeat(100)}.mp4`)).toMatch(/^(😀)+\.mp4$/u);
  });

  it('replaces lone surrogates', () => {
    expect(toSafeFileName('a\ud800b.avi')).toBe('a_b.avi');
  });
});

describe('assignLocalNames', () => {
  const archive = (filename: string, id = 'P') => ({ id, filename });
  const key = (filename: string, id = 'P') => `${id}\u0000${filename}`;

  it('gives colliding names distinct, deterministic names; the unchanged one keeps its name', () => {
    const list = [archive('Gate:East.avi'), archive('Gate_East.avi'), archive('gate_east.avi')];
    const names = assignLocalNames(list);
    expect(names.get(key('Gate_East.avi'))).toBe('Gate_East.avi');
    expect(names.get(key('Gate:East.avi'))).toMatch(/^Gate_East \([0-9a-f]{8}\)\.avi$/);
    expect(names.get(key('gate_east.avi'))).toMatch(/^gate_east \([0-9a-f]{8}\)\.avi$/);
    expect(new Set([...names.values()].map((name) => name.toLowerCase())).size).toBe(3);
    expect(assignLocalNames([...list].reverse())).toEqual(names);
  });

  it('separates one file name listed under two ids (TimelapseMe)', () => {
    const names = assignLocalNames([archive('N.avi', 'A'), archive('N.avi', 'B')]);
    expect(names.get(key('N.avi', 'A'))).toBe('N.avi');
    expect(names.get(key('N.avi', 'B'))).toMatch(/^N \([0-9a-f]{8}\)\.avi$/);
  });
});

describe('joinLikeSeed (the paths the seed printed after SAVE)', () => {
  it.each([
    ['.', './a.avi'],
    ['downloads', 'downloads/a.avi'],
    ['downloads/', 'downloads/a.avi'],
    ['./x//', './x//a.avi'],
    ['/', '/a.avi'],
    ['', 'a.avi'],
  ])('POSIX %j', (outdir, expected) => {
    expect(joinLikeSeed(outdir, 'a.avi', '/')).toBe(expected);
  });

  it.each([
    ['.', '.\\a.avi'],
    ['d\\', 'd\\a.avi'],
    ['d/', 'd/a.avi'],
    ['C:', 'C:a.avi'],
  ])('Windows %j', (outdir, expected) => {
    expect(joinLikeSeed(outdir, 'a.avi', '\\')).toBe(expected);
  });
});
