import { closeAfterEach, makeTempDir, startS3Server, type S3ServerOptions } from '@camdl/test-utils';
import { describe, expect, it } from 'vitest';
import { createTarget } from '@camdl/offsite';
import { s3Options, writeLocalFile } from './helpers.js';

const track = closeAfterEach();

describe('a listing of a prefix against stores that page ListObjectsV2 differently', () => {
  it.each<[string, S3ServerOptions['listObjects']]>([
    ['pages of two keys with a continuation token', { pageSize: 2 }],
    ['pages of two keys without NextContinuationToken', { pageSize: 2, nextToken: false }],
  ])('%s: every key once, in order', async (_name, listObjects) => {
    const server = track(await startS3Server({ listObjects }));
    const work = track(await makeTempDir('camdl-offsite-list-'));
    const target = track(createTarget(s3Options(server)));
    const file = await writeLocalFile(work.path, 'a.mp4', 100);
    const keys = ['cam/2026-05-01/a.mp4', 'cam/2026-05-01/b.mp4', 'cam/2026-05-02/c d.mp4', 'cam/2026-05-03/é.mp4', 'cam/2026-05-04/z.mp4'];
    for (const key of keys) await target.put(file.path, key, { size: file.size, sha256: file.sha256 });
    const listed: string[] = [];
    for await (const object of target.list('cam/')) listed.push(object.key);
    expect(listed).toEqual(keys);
    const requests = (await server.settledRequests()).filter((request) => request.method === 'GET' && request.url.includes('prefix='));
    expect(requests).toHaveLength(3);
  });
});

describe('what is directly in a folder (children), on S3 and on a directory alike', () => {
  const keys = ['README.txt', 'a b/x.mp4', 'cam/2026-05-01/a.mp4', 'cam/2026-05-01/b.mp4', 'cam/2026-05-02/c.mp4', 'cam/SHA256SUMS', 'cam/\u{10FFFF}.mp4', 'cam-2/z.mp4', 'cam0', 'é/1.mp4'];

  it('files and folders once each, in key order, over pages of two keys; the folders on S3 cost one listing each', async () => {
    const server = track(await startS3Server({ listObjects: { pageSize: 2 } }));
    const work = track(await makeTempDir('camdl-offsite-children-'));
    const s3 = track(createTarget(s3Options(server)));
    const directory = createTarget({ kind: 'directory', name: 'usb', path: work.path, fsync: false });
    const file = await writeLocalFile(work.path, '.local', 100);
    for (const key of keys) {
      await s3.put(file.path, key, { size: file.size, sha256: file.sha256 });
      await directory.put(file.path, `tree/${key}`, { size: file.size, sha256: file.sha256 });
    }
    const childrenOf = async (target: typeof s3, folder: string) => {
      const entries: string[] = [];
      for await (const entry of target.children(folder)) entries.push(`${entry.name}${entry.folder ? '/' : ''}`);
      return entries;
    };
    const before = (await server.settledRequests()).length;
    // S3's order: '-' sorts before '/', which sorts before '0'.
    const root = ['README.txt', 'a b/', 'cam-2/', 'cam/', 'cam0', 'é/'];
    expect(await childrenOf(s3, '')).toEqual(root);
    // 2 files and 4 folders in pages of two keys: a request per folder or page of files, one more stepping past 'cam/\u{10FFFF}.mp4', a last empty one.
    expect((await server.settledRequests()).length - before).toBeLessThanOrEqual(8);
    // A name past the point the listing jumps to after a folder is still seen, and the folder listed once.
    expect(await childrenOf(s3, 'cam/')).toEqual(['2026-05-01/', '2026-05-02/', 'SHA256SUMS', '\u{10FFFF}.mp4']);
    expect(await childrenOf(s3, 'nothing/')).toEqual([]);
    // A directory sorts by name as JavaScript does; the same entries.
    expect((await childrenOf(directory, 'tree/')).sort()).toEqual([...root].sort());
    expect(await childrenOf(directory, 'tree/cam/')).toEqual(['2026-05-01/', '2026-05-02/', 'SHA256SUMS', '\u{10FFFF}.mp4']);
    expect(await childrenOf(directory, 'nothing/')).toEqual([]);
    await expect(childrenOf(s3, 'cam')).rejects.toMatchObject({ code: 'ERR_OFFSITE_CONFIG' });
  });
});
