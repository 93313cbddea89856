import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { closeAfterEach, makeTempDir, startS3Server } from '@camdl/test-utils';
import { describe, expect, it } from 'vitest';
import { createTarget } from '@camdl/offsite';
import { MIB, s3Options, spawnPut, storedParts, writeLocalFile } from './helpers.js';

const track = closeAfterEach();

describe('s3 multipart upload killed mid-way', () => {
  it('resumes from the parts the server lists: none of them is sent again', async () => {
    const server = track(await startS3Server());
    const work = track(await makeTempDir('camdl-offsite-resume-'));
    const file = await writeLocalFile(work.path, 'big.mp4', 30 * MIB + 4321, 7);
    const options = s3Options(server, { connections: 1 });
    const child = spawnPut(options, file, 'cam/big.mp4');
    const { uploadId } = (await child.waitFor((line) => typeof line.uploadId === 'string')) as { uploadId: string };
    await child.waitFor((line) => typeof line.bytes === 'number' && line.bytes >= 2 * 5 * MIB);
    child.process.kill('SIGKILL');
    await child.exited;
    const had = storedParts(await server.settledRequests(), uploadId);
    expect(had.length).toBeGreaterThanOrEqual(2);
    expect(had.length).toBeLessThan(7);
    const before = server.requests.length;

    const target = track(createTarget(options));
    const ids: (string | undefined)[] = [];
    const result = await target.put(file.path, 'cam/big.mp4', { size: file.size, sha256: file.sha256, uploadId, onUploadId: (id) => ids.push(id) });
    expect(result).toEqual({ status: 'resumed', size: file.size, sha256: file.sha256, partsReused: had.length });
    expect(ids).toEqual([uploadId, undefined]);
    const after = (await server.settledRequests()).slice(before);
    expect(after.some((request) => request.method === 'GET' && request.url.includes(`uploadId=${uploadId}`) && request.status === 200)).toBe(true);
    const sent = storedParts(after, uploadId);
    expect(sent.filter((part) => had.includes(part))).toEqual([]);
    expect([...had, ...sent].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(await target.hash('cam/big.mp4')).toEqual({ size: file.size, sha256: file.sha256 });
  });

  it('an aborted upload id starts over with a new upload; abortUpload of a finished one is quiet', async () => {
    const server = track(await startS3Server());
    const work = track(await makeTempDir('camdl-offsite-resume-'));
    const file = await writeLocalFile(work.path, 'big.mp4', 12 * MIB, 8);
    const options = s3Options(server, { connections: 1 });
    const child = spawnPut(options, file, 'cam/big.mp4');
    const { uploadId } = (await child.waitFor((line) => typeof line.uploadId === 'string')) as { uploadId: string };
    await child.waitFor((line) => typeof line.bytes === 'number');
    child.process.kill('SIGKILL');
    await child.exited;
    const target = track(createTarget(options));
    await target.abortUpload('cam/big.mp4', uploadId);
    await target.abortUpload('cam/big.mp4', uploadId);
    const ids: (string | undefined)[] = [];
    const result = await target.put(file.path, 'cam/big.mp4', { size: file.size, sha256: file.sha256, uploadId, onUploadId: (id) => ids.push(id) });
    expect(result).toMatchObject({ status: 'uploaded', partsReused: 0 });
    expect(ids[0]).not.toBe(uploadId);
    expect(ids.at(-1)).toBeUndefined();
    expect(await target.hash('cam/big.mp4')).toEqual({ size: file.size, sha256: file.sha256 });
  });

  it('an aborted put keeps its upload resumable (the id is not withdrawn)', async () => {
    const server = track(await startS3Server());
    const work = track(await makeTempDir('camdl-offsite-resume-'));
    const file = await writeLocalFile(work.path, 'big.mp4', 21 * MIB, 9);
    const target = track(createTarget(s3Options(server, { connections: 1 })));
    const controller = new AbortController();
    const ids: (string | undefined)[] = [];
    const aborted = await target
      .put(file.path, 'cam/big.mp4', {
        size: file.size,
        sha256: file.sha256,
        signal: controller.signal,
        onUploadId: (id) => ids.push(id),
        onProgress: ({ bytes }) => {
          if (bytes >= 2 * 5 * MIB) controller.abort();
        },
      })
      .catch((caught: unknown) => caught);
    expect(aborted).toMatchObject({ code: 'ERR_OFFSITE_ABORTED' });
    expect(ids).toHaveLength(1);
    expect(await target.stat('cam/big.mp4')).toBeUndefined();
    const resumed = await target.put(file.path, 'cam/big.mp4', { size: file.size, sha256: file.sha256, uploadId: ids[0]! });
    expect(resumed.status).toBe('resumed');
    expect(resumed.partsReused).toBeGreaterThanOrEqual(2);
    expect(await target.hash('cam/big.mp4')).toEqual({ size: file.size, sha256: file.sha256 });
    const wrong = join(work.path, 'restore/wrong.mp4');
    await expect(target.get('cam/big.mp4', wrong, { expectedSha256: 'c'.repeat(64) })).rejects.toMatchObject({ code: 'ERR_OFFSITE_VERIFY' });
    await expect(stat(wrong)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
