import { closeAfterEach, makeTempDir, startS3Server, type S3Server, type S3ServerOptions } from '@camdl/test-utils';
import { describe, expect, it } from 'vitest';
import { createTarget } from '@camdl/offsite';
import { MIB, s3Options, spawnPut, storedParts, writeLocalFile } from './helpers.js';

const track = closeAfterEach();

/** Kills a put after two parts were stored, then resumes it in this process; what was stored before and sent after. */
async function killThenResume(server: S3Server, key: string) {
  const work = track(await makeTempDir('camdl-offsite-resume-stores-'));
  const file = await writeLocalFile(work.path, 'big.mp4', 30 * MIB + 77, 11);
  const options = s3Options(server, { connections: 1 });
  const child = spawnPut(options, file, key);
  const { uploadId } = (await child.waitFor((line) => typeof line.uploadId === 'string')) as { uploadId: string };
  await child.waitFor((line) => typeof line.bytes === 'number' && line.bytes >= 3 * 5 * MIB);
  child.process.kill('SIGKILL');
  await child.exited;
  const had = storedParts(await server.settledRequests(), uploadId);
  const before = server.requests.length;
  const target = track(createTarget(options));
  const result = await target.put(file.path, key, { size: file.size, sha256: file.sha256, uploadId });
  const after = (await server.settledRequests()).slice(before);
  return { file, target, had, result, sent: storedParts(after, uploadId), listings: after.filter((request) => request.method === 'GET' && request.url.includes(`uploadId=${uploadId}`)) };
}

describe('a killed multipart upload resumes against stores that list parts differently', () => {
  it.each<[string, S3ServerOptions['listParts']]>([
    ['pages of two parts without NextPartNumberMarker', { pageSize: 2, nextMarker: false }],
    ['pages of one part with unquoted upper-case ETags', { pageSize: 1, etag: 'bare' }],
    ['ETags quoted as XML entities', { etag: 'entity' }],
  ])('%s: no part the server has is sent again', async (_name, listParts) => {
    const server = track(await startS3Server({ listParts }));
    const { file, target, had, result, sent, listings } = await killThenResume(server, 'cam/big.mp4');
    expect(had.length).toBeGreaterThanOrEqual(3);
    expect(result).toEqual({ status: 'resumed', size: file.size, sha256: file.sha256, partsReused: had.length });
    expect(sent.filter((part) => had.includes(part))).toEqual([]);
    expect([...had, ...sent].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(listings.length).toBe(Math.ceil(had.length / (listParts?.pageSize ?? 1000)));
    expect(await target.hash('cam/big.mp4')).toEqual({ size: file.size, sha256: file.sha256 });
  });

  it('a store that lists parts without their Size: the upload completes whole, its parts sent again, nothing aborted', async () => {
    const server = track(await startS3Server({ listParts: { size: false } }));
    const { file, target, result, sent } = await killThenResume(server, 'cam/big.mp4');
    expect(result).toEqual({ status: 'resumed', size: file.size, sha256: file.sha256, partsReused: 0 });
    expect(sent).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(server.requests.filter((request) => request.method === 'DELETE')).toEqual([]);
    expect(await target.hash('cam/big.mp4')).toEqual({ size: file.size, sha256: file.sha256 });
  });

  it('a key with characters that need escaping in a URL and a signature resumes and reads back', async () => {
    const server = track(await startS3Server({ listParts: { pageSize: 2 } }));
    const key = "north gate/2026-03-29/a+b %25 c&d=e#f?g~é (1)'!*.mp4";
    const { file, target, had, result, sent } = await killThenResume(server, key);
    expect(result).toMatchObject({ status: 'resumed', partsReused: had.length });
    expect(sent.filter((part) => had.includes(part))).toEqual([]);
    expect(await target.stat(key)).toMatchObject({ key, size: file.size, sha256: file.sha256 });
    const listed = [];
    for await (const object of target.list('north gate/')) listed.push(object.key);
    expect(listed).toEqual([key]);
    expect(await target.hash(key)).toEqual({ size: file.size, sha256: file.sha256 });
  });
});
