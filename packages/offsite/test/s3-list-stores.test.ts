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
