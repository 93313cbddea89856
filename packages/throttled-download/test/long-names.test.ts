import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { describe, expect, it } from 'vitest';
import { deterministicBytes, sha256 } from '@camdl/test-utils';
import { download, temporaryPaths, TEMPORARY_DIRECTORY_NAME } from '../src/index.js';
import { leftovers, useHarness } from './helpers.js';

// A final name may use all 255 bytes most file systems allow: the temporary files (`.part`,
// `.part.json`, the lock and its `.<pid>.new` owner file) are named after a shortened form then, so no
// suffix pushes a name past the limit (ENAMETOOLONG).

const content = deterministicBytes(200_000, 8);
const names = {
  ascii: `${'a'.repeat(251)}.mp4`,
  multibyte: `${'é'.repeat(125)}.avi`, // 250 + 4 bytes of UTF-8
  limitMinusSuffix: `${'b'.repeat(227)}.mp4`, // the longest name kept as is
};

describe('names at the file-system limit', () => {
  const h = useHarness({ '/file': { content, etag: true } });

  it.each(Object.entries(names))('%s: downloads to its final name, nothing left behind', async (_label, name) => {
    expect(Buffer.byteLength(name, 'utf8')).toBeLessThanOrEqual(255);
    const dest = h.dest(name);
    const result = await download(h.server.url('/file'), dest, h.options());
    expect(result).toMatchObject({ status: 'downloaded', size: content.length });
    expect(sha256(readFileSync(dest))).toBe(sha256(content));
    expect(leftovers(dest)).toEqual({ final: true, part: false, sidecar: false });
    expect(existsSync(`${h.dir.path}/${TEMPORARY_DIRECTORY_NAME}`)).toBe(false);
  });

  it('temporary names stay within 255 bytes with every suffix, and distinct names keep distinct ones', () => {
    const other = `${'a'.repeat(250)}b.mp4`;
    for (const name of [...Object.values(names), other]) {
      const paths = temporaryPaths(h.dest(name));
      for (const path of [paths.part, paths.state, `${paths.lock}.4194304.new`]) expect(Buffer.byteLength(basename(path), 'utf8')).toBeLessThanOrEqual(255);
    }
    expect(temporaryPaths(h.dest(names.ascii)).part).not.toBe(temporaryPaths(h.dest(other)).part);
    expect(basename(temporaryPaths(h.dest(names.limitMinusSuffix)).part)).toBe(`${names.limitMinusSuffix}.part`);
  });

  it('a cut download of a 255-byte name is resumed from its .part', async () => {
    const dest = h.dest(names.ascii);
    h.server.queueFaults('/file', { kind: 'reset', afterBytes: 120_000 });
    const result = await download(h.server.url('/file'), dest, h.options({ maxRetries: 1 }));
    expect(result).toMatchObject({ status: 'resumed', size: content.length });
    expect(sha256(readFileSync(dest))).toBe(sha256(content));
    expect(readdirSync(h.dir.path)).toEqual([names.ascii]);
  });
});
