import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { closeAfterEach, makeTempDir, sha256 } from '@camdl/test-utils';
import { describe, expect, it } from 'vitest';
import { createTarget, isOffsiteError, type OffsiteTarget } from '@camdl/offsite';
import { allFiles } from './helpers.js';

const track = closeAfterEach();

async function setup(): Promise<{ target: OffsiteTarget; root: string; local: string }> {
  const work = track(await makeTempDir('camdl-offsite-dir-'));
  const root = join(work.path, 'nas');
  const local = join(work.path, 'local');
  await mkdir(root);
  await mkdir(local);
  const target = createTarget({ kind: 'directory', name: 'usb', path: root, retryDelayMs: 1 });
  return { target, root, local };
}

async function localFile(dir: string, name: string, content: Buffer): Promise<{ path: string; size: number; sha256: string }> {
  const path = join(dir, name);
  await writeFile(path, content);
  return { path, size: content.length, sha256: sha256(content) };
}


describe('directory target', () => {
  it('copies a file under its key, byte-identical, with no temporary file left', async () => {
    const { target, root, local } = await setup();
    const content = Buffer.alloc(3 * 1024 * 1024 + 17, 'camera');
    const file = await localFile(local, 'clip.mp4', content);
    const progress: number[] = [];
    const result = await target.put(file.path, 'north-gate/2026-05-01/clip.mp4', { size: file.size, sha256: file.sha256, onProgress: ({ bytes }) => progress.push(bytes) });
    expect(result).toEqual({ status: 'uploaded', size: file.size, sha256: file.sha256, partsReused: 0 });
    expect(sha256(await readFile(join(root, 'north-gate/2026-05-01/clip.mp4')))).toBe(file.sha256);
    expect(await allFiles(root)).toEqual(['north-gate/2026-05-01/clip.mp4']);
    expect(progress.at(-1)).toBe(file.size);
    expect(target.description).toBe(root);
  });

  it('answers the same content already there as already-there, without writing', async () => {
    const { target, root, local } = await setup();
    const file = await localFile(local, 'a.mp4', Buffer.from('same bytes'));
    await target.put(file.path, 'cam/a.mp4', { size: file.size, sha256: file.sha256 });
    const before = await stat(join(root, 'cam/a.mp4'));
    const again = await target.put(file.path, 'cam/a.mp4', { size: file.size, sha256: file.sha256 });
    expect(again.status).toBe('already-there');
    expect((await stat(join(root, 'cam/a.mp4'))).ino).toBe(before.ino);
  });

  it('leaves other content at the key alone and reports a conflict; replace overwrites it', async () => {
    const { target, root, local } = await setup();
    await mkdir(join(root, 'cam'));
    await writeFile(join(root, 'cam/a.mp4'), 'someone else');
    const file = await localFile(local, 'a.mp4', Buffer.from('camdl recording'));
    const error = await target.put(file.path, 'cam/a.mp4', { size: file.size, sha256: file.sha256 }).catch((caught: unknown) => caught);
    expect(isOffsiteError(error, 'ERR_OFFSITE_CONFLICT')).toBe(true);
    expect(String(error)).toContain(`target "usb" (${root}) "cam/a.mp4"`);
    expect(await readFile(join(root, 'cam/a.mp4'), 'utf8')).toBe('someone else');
    const replaced = await target.put(file.path, 'cam/a.mp4', { size: file.size, sha256: file.sha256, ifExists: 'replace' });
    expect(replaced.status).toBe('uploaded');
    expect(await readFile(join(root, 'cam/a.mp4'), 'utf8')).toBe('camdl recording');
    expect(await allFiles(root)).toEqual(['cam/a.mp4']);
  });

  it('refuses a local file that no longer matches the sha256 given, copying nothing', async () => {
    const { target, root, local } = await setup();
    const file = await localFile(local, 'a.mp4', Buffer.from('original'));
    await writeFile(file.path, 'tampered');
    const error = await target.put(file.path, 'cam/a.mp4', { size: file.size, sha256: file.sha256 }).catch((caught: unknown) => caught);
    expect(isOffsiteError(error, 'ERR_OFFSITE_VERIFY')).toBe(true);
    expect(await allFiles(root)).toEqual([]);
  });

  it('fails on a missing directory without creating it (an unmounted share)', async () => {
    const work = track(await makeTempDir('camdl-offsite-dir-'));
    const root = join(work.path, 'not-mounted');
    const target = createTarget({ kind: 'directory', name: 'nas', path: root });
    const file = await localFile(work.path, 'a.mp4', Buffer.from('x'));
    for (const attempt of [target.check(), target.put(file.path, 'cam/a.mp4', { size: file.size, sha256: file.sha256 })]) {
      const error = await attempt.catch((caught: unknown) => caught);
      expect(isOffsiteError(error, 'ERR_OFFSITE_NOT_FOUND')).toBe(true);
      expect(String(error)).toContain('mount the share');
    }
    await expect(stat(root)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('stats, hashes and lists what it holds, recursively under a prefix, skipping temporary files', async () => {
    const { target, root, local } = await setup();
    const files = ['north/2026-05-01/a.mp4', 'north/2026-05-01/b.mp4', 'north/2026-05-02/c.mp4', 'northeast/d.mp4', 'south/e.mp4'];
    for (const key of files) {
      const file = await localFile(local, 'x', Buffer.from(key));
      await target.put(file.path, key, { size: file.size, sha256: file.sha256 });
    }
    await writeFile(join(root, 'north/2026-05-01/.a.mp4.0123.camdl-part'), 'half');
    const listed = async (prefix: string) => {
      const keys: string[] = [];
      for await (const object of target.list(prefix)) keys.push(object.key);
      return keys;
    };
    expect(await listed('north/')).toEqual(files.slice(0, 3));
    expect(await listed('north')).toEqual(files.slice(0, 4));
    expect(await listed('north/2026-05-01/b')).toEqual(['north/2026-05-01/b.mp4']);
    expect(await listed('')).toEqual(files);
    expect(await listed('west/')).toEqual([]);
    const object = await target.stat('north/2026-05-01/a.mp4');
    expect(object).toMatchObject({ key: 'north/2026-05-01/a.mp4', size: Buffer.byteLength(files[0]!), sha256: undefined });
    expect(await target.stat('north/2026-05-01/zz.mp4')).toBeUndefined();
    expect(await target.hash('south/e.mp4')).toEqual({ size: 11, sha256: sha256(Buffer.from('south/e.mp4')) });
    await writeFile(join(root, 'south/e.mp4'), 'tampered!!!');
    expect((await target.hash('south/e.mp4')).sha256).toBe(sha256(Buffer.from('tampered!!!')));
    await expect(target.hash('south/none.mp4')).rejects.toMatchObject({ code: 'ERR_OFFSITE_NOT_FOUND' });
  });

  it('gets a copy back atomically, and leaves nothing when it does not match the expected sha256', async () => {
    const { target, local } = await setup();
    const file = await localFile(local, 'a.mp4', Buffer.from('restore me'));
    await target.put(file.path, 'cam/a.mp4', { size: file.size, sha256: file.sha256 });
    const restored = join(local, 'restore/cam/a.mp4');
    expect(await target.get('cam/a.mp4', restored, { expectedSha256: file.sha256 })).toEqual({ size: file.size, sha256: file.sha256 });
    expect(await readFile(restored, 'utf8')).toBe('restore me');
    const wrong = join(local, 'restore/cam/wrong.mp4');
    const error = await target.get('cam/a.mp4', wrong, { expectedSha256: 'f'.repeat(64) }).catch((caught: unknown) => caught);
    expect(isOffsiteError(error, 'ERR_OFFSITE_VERIFY')).toBe(true);
    expect(await allFiles(join(local, 'restore'))).toEqual(['cam/a.mp4']);
  });

  it('refuses keys that would leave the directory or are not plain paths', async () => {
    const { target, local } = await setup();
    const file = await localFile(local, 'a.mp4', Buffer.from('x'));
    for (const key of ['../escape.mp4', '/abs.mp4', 'a//b.mp4', 'a/./b', 'a\\b', '', 'a\nb']) {
      const error = await target.put(file.path, key, { size: file.size, sha256: file.sha256 }).catch((caught: unknown) => caught);
      expect(isOffsiteError(error, 'ERR_OFFSITE_CONFIG'), key).toBe(true);
    }
    await expect(target.put(file.path, 'a.mp4', { size: file.size, sha256: 'ABC' })).rejects.toMatchObject({ code: 'ERR_OFFSITE_CONFIG' });
  });

  it('stops on abort with ERR_OFFSITE_ABORTED and leaves nothing under the key', async () => {
    const { target, root, local } = await setup();
    const file = await localFile(local, 'a.mp4', Buffer.alloc(8 * 1024 * 1024, 1));
    const controller = new AbortController();
    const put = target.put(file.path, 'cam/a.mp4', {
      size: file.size,
      sha256: file.sha256,
      signal: controller.signal,
      onProgress: ({ bytes }) => {
        if (bytes > 1024 * 1024) controller.abort();
      },
    });
    await expect(put).rejects.toMatchObject({ code: 'ERR_OFFSITE_ABORTED' });
    expect(await allFiles(root)).toEqual([]);
  });
});
