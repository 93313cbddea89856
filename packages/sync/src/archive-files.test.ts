import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { closeAfterEach, deterministicBytes, makeTempDir } from '@camdl/test-utils';
import { describe, expect, it } from 'vitest';
import { hashFile } from './archive-files.js';

describe('hashFile', () => {
  const track = closeAfterEach();

  it('hashes files of every size around its 1 MiB read buffer, reusing the buffer between files', async () => {
    const dir = track(await makeTempDir('camdl-hash-'));
    for (const size of [0, 1, 1024 * 1024 - 1, 1024 * 1024, 2.5 * 1024 * 1024 + 3]) {
      const bytes = deterministicBytes(size, size % 97);
      const path = join(dir.path, `f${size}`);
      await writeFile(path, bytes);
      expect(await hashFile(path)).toEqual({ sha256: createHash('sha256').update(bytes).digest('hex'), size });
    }
  });

  it('an aborted signal stops it; a missing file rejects with ENOENT', async () => {
    const dir = track(await makeTempDir('camdl-hash-'));
    const path = join(dir.path, 'f');
    await writeFile(path, deterministicBytes(3 * 1024 * 1024, 1));
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    await expect(hashFile(path, controller.signal)).rejects.toThrow('stop');
    await expect(hashFile(join(dir.path, 'missing'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
