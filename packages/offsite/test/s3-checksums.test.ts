import { createHash } from 'node:crypto';
import { closeAfterEach } from '@camdl/test-utils';
import { describe, expect, it } from 'vitest';
import { isOffsiteError } from '@camdl/offsite';
import { proxiedS3, writeLocalFile } from './helpers.js';

const track = closeAfterEach();

const setup = () => proxiedS3(track);

const isPutObject = (request: { method: string; url: string }) => request.method === 'PUT' && !request.url.includes('uploadId=');
const isHeadObject = (request: { method: string; url: string }) => request.method === 'HEAD' && request.url.includes('/cam/');
const base64Sha256 = (hex: string) => Buffer.from(hex, 'hex').toString('base64');

describe('s3 single PUT digests', () => {
  it('carries the sha256 as x-amz-checksum-sha256 and the MD5 as Content-MD5, and asks for the stored checksum back', async () => {
    const { proxy, work, target } = await setup();
    const small = await writeLocalFile(work.path, 'small.mp4', 1000);
    await target.put(small.path, 'cam/a.mp4', { size: small.size, sha256: small.sha256 });
    const [put] = proxy.requests.filter(isPutObject);
    expect(put!.headers['x-amz-checksum-sha256']).toBe(base64Sha256(small.sha256));
    expect(put!.headers['content-md5']).toBe(createHash('md5').update(small.content).digest('base64'));
    expect(put!.headers['content-encoding']).toBeUndefined();
    expect(proxy.requests.filter(isHeadObject).every((request) => request.headers['x-amz-checksum-mode'] === 'ENABLED')).toBe(true);
  });

  it.each([
    [400, 'InvalidArgument'],
    [400, 'BadRequest'],
    [501, 'NotImplemented'],
  ])('a store that refuses the checksum header (%i %s) gets the same PUT without it, once; later PUTs leave it out', async (status, code) => {
    const { proxy, work, target } = await setup();
    const first = await writeLocalFile(work.path, 'a.mp4', 1000, 1);
    const second = await writeLocalFile(work.path, 'b.mp4', 2000, 2);
    proxy.inject(isPutObject, { kind: 'status', status, code });
    expect((await target.put(first.path, 'cam/a.mp4', { size: first.size, sha256: first.sha256 })).status).toBe('uploaded');
    expect((await target.put(second.path, 'cam/b.mp4', { size: second.size, sha256: second.sha256 })).status).toBe('uploaded');
    const puts = proxy.requests.filter(isPutObject);
    expect(puts.map((request) => [request.outcome, request.headers['x-amz-checksum-sha256'] !== undefined])).toEqual([
      ['status', true],
      ['forwarded', false],
      ['forwarded', false],
    ]);
    expect(puts.every((request) => typeof request.headers['content-md5'] === 'string')).toBe(true);
    expect(await target.hash('cam/b.mp4')).toEqual({ size: second.size, sha256: second.sha256 });
  });

  it('a body the store found corrupted (BadDigest) is sent again', async () => {
    const { proxy, work, target } = await setup();
    const small = await writeLocalFile(work.path, 'small.mp4', 1000);
    proxy.inject(isPutObject, { kind: 'status', status: 400, code: 'BadDigest' });
    expect((await target.put(small.path, 'cam/a.mp4', { size: small.size, sha256: small.sha256 })).status).toBe('uploaded');
    expect(proxy.requests.filter(isPutObject).map((request) => request.outcome)).toEqual(['status', 'forwarded']);
  });

  it('is not verified when the checksum the store computed is not the sha256 sent, whatever the metadata says', async () => {
    const { proxy, work, target } = await setup();
    const small = await writeLocalFile(work.path, 'small.mp4', 1000);
    proxy.inject(isHeadObject, { kind: 'answer-headers', headers: { 'x-amz-checksum-sha256': base64Sha256('0'.repeat(64)), 'x-amz-checksum-type': 'FULL_OBJECT' } });
    const error = await target.put(small.path, 'cam/a.mp4', { size: small.size, sha256: small.sha256, ifExists: 'replace' }).catch((caught: unknown) => caught);
    expect(isOffsiteError(error, 'ERR_OFFSITE_VERIFY')).toBe(true);
    expect(String(error)).toContain(`sha256 ${'0'.repeat(64)}`);
    expect(await target.stat('cam/a.mp4')).toMatchObject({ size: small.size, sha256: small.sha256 });
  });
});
