import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deterministicBytes } from '@camdl/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { hashFile } from './archive-files.js';

let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('hashFile', () => {
  it('hashes files of every size around its 1 MiB read buffer, reusing the buffer between files', async () => {
    dir = await mkdtemp(join(tmpdir(), 'camdl-hash-'));
    for (const size of [0, 1, 1024 * 1024 - 1, 1024 * 1024, 2.5 * 1024 * 1024 + 3]) {
      const bytes = deterministicBytes(size, size % 97);
      const path = join(dir, `f${size}`);
      await writeFile(path, bytes);
      expect(await hashFile(path)).toEqual({ sha256: createHash('sha256').update(bytes).digest('hex'), size });
    }
  });

  it('an aborted signal stops it; a missing file rejects with ENOENT', async () => {
    dir = await mkdtemp(join(tmpdir(), 'camdl-hash-'));
    const path = join(dir, 'f');
    await writeFile(path, deterministicBytes(3 * 1024 * 1024, 1));
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    await expect(hashFile(path, controller.signal)).rejects.toThrow('stop');
    await expect(hashFile(join(dir, 'missing'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
