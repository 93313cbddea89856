import { closeAfterEach } from '@camdl/test-utils';
import { describe, expect, it } from 'vitest';
import { isOffsiteError } from '@camdl/offsite';
import { MIB, proxiedS3, writeLocalFile } from './helpers.js';

const track = closeAfterEach();

const setup = () => proxiedS3(track);

const isPart = (number: number) => (request: { method: string; url: string }) => request.method === 'PUT' && request.url.includes(`partNumber=${number}&`);
const isPutObject = (request: { method: string; url: string }) => request.method === 'PUT' && !request.url.includes('uploadId=');

describe('s3 target behind a fault proxy', () => {
  it('retries a 500 and a SlowDown, then succeeds', async () => {
    const { proxy, work, target } = await setup();
    const small = await writeLocalFile(work.path, 'small.mp4', 1000);
    proxy.inject(isPutObject, { kind: 'status', status: 503, code: 'SlowDown' });
    proxy.inject(isPutObject, { kind: 'status', status: 500, code: 'InternalError' });
    expect((await target.put(small.path, 'cam/small.mp4', { size: small.size, sha256: small.sha256 })).status).toBe('uploaded');
    expect(proxy.requests.filter(isPutObject).map((request) => request.outcome)).toEqual(['status', 'status', 'forwarded']);
    const big = await writeLocalFile(work.path, 'big.mp4', 11 * MIB, 2);
    proxy.inject(isPart(2), { kind: 'status', status: 500, code: 'InternalError' });
    expect((await target.put(big.path, 'cam/big.mp4', { size: big.size, sha256: big.sha256 })).status).toBe('uploaded');
    expect(proxy.requests.filter(isPart(2)).map((request) => request.outcome)).toEqual(['status', 'forwarded']);
    expect(await target.hash('cam/big.mp4')).toEqual({ size: big.size, sha256: big.sha256 });
  });

  it('retries a part whose connection was reset mid-body', async () => {
    const { proxy, work, target } = await setup();
    const big = await writeLocalFile(work.path, 'big.mp4', 11 * MIB, 3);
    proxy.inject(isPart(1), { kind: 'reset', afterBytes: 2 * MIB });
    expect((await target.put(big.path, 'cam/big.mp4', { size: big.size, sha256: big.sha256 })).status).toBe('uploaded');
    expect(proxy.requests.filter(isPart(1)).map((request) => request.outcome)).toEqual(['reset', 'forwarded']);
    expect(await target.hash('cam/big.mp4')).toEqual({ size: big.size, sha256: big.sha256 });
  });

  it('gives up after the attempts with a retryable error, the upload left resumable', async () => {
    const { proxy, work, target } = await setup();
    const big = await writeLocalFile(work.path, 'big.mp4', 11 * MIB, 4);
    proxy.inject(isPart(2), { kind: 'status', status: 503, code: 'SlowDown' }, 3);
    const ids: (string | undefined)[] = [];
    const error = await target.put(big.path, 'cam/big.mp4', { size: big.size, sha256: big.sha256, onUploadId: (id) => ids.push(id) }).catch((caught: unknown) => caught);
    expect(isOffsiteError(error, 'ERR_OFFSITE_THROTTLED')).toBe(true);
    expect((error as { retryable: boolean }).retryable).toBe(true);
    expect(proxy.requests.filter(isPart(2))).toHaveLength(3);
    expect(ids).toHaveLength(1);
    const resumed = await target.put(big.path, 'cam/big.mp4', { size: big.size, sha256: big.sha256, uploadId: ids[0]! });
    expect(resumed.status).toBe('resumed');
    expect(resumed.partsReused).toBeGreaterThanOrEqual(2);
  });

  it('names clock skew and quota as such, without retrying them', async () => {
    const { proxy, work, target } = await setup();
    const small = await writeLocalFile(work.path, 'small.mp4', 1000);
    proxy.inject(isPutObject, { kind: 'status', status: 403, code: 'RequestTimeTooSkewed' });
    await expect(target.put(small.path, 'cam/a.mp4', { size: small.size, sha256: small.sha256 })).rejects.toMatchObject({ code: 'ERR_OFFSITE_CLOCK_SKEW', retryable: false });
    proxy.inject(isPutObject, { kind: 'status', status: 403, code: 'QuotaExceeded' });
    const quota = await target.put(small.path, 'cam/a.mp4', { size: small.size, sha256: small.sha256 }).catch((caught: unknown) => caught);
    expect(isOffsiteError(quota, 'ERR_OFFSITE_QUOTA')).toBe(true);
    expect(String(quota)).toContain('free space or raise the quota');
    expect(proxy.requests.filter(isPutObject)).toHaveLength(2);
  });

  it('gives up on a request that gets no answer within timeoutMs, and retries it', async () => {
    const { proxy, target } = await proxiedS3(track, { timeoutMs: 400, attempts: 2 });
    const isHead = (request: { method: string }) => request.method === 'HEAD';
    proxy.inject(isHead, { kind: 'stall' });
    expect(await target.stat('cam/none.mp4')).toBeUndefined();
    expect(proxy.requests.filter(isHead).map((request) => request.outcome)).toEqual(['stall', 'forwarded']);
    proxy.inject(isHead, { kind: 'stall' }, 2);
    const error = await target.stat('cam/none.mp4').catch((caught: unknown) => caught);
    expect(isOffsiteError(error, 'ERR_OFFSITE_UNREACHABLE')).toBe(true);
    expect(String(error)).toContain('not done within 400 ms');
  });

  it('a body cut off mid-way is given up at its deadline and read again', async () => {
    const { proxy, work, target } = await proxiedS3(track, { timeoutMs: 300, attempts: 2 });
    const file = await writeLocalFile(work.path, 'a.mp4', 1000, 6);
    await target.put(file.path, 'cam/a.mp4', { size: file.size, sha256: file.sha256 });
    const isGet = (request: { method: string; url: string }) => request.method === 'GET' && request.url.includes('cam/a.mp4');
    proxy.inject(isGet, { kind: 'stall-response', afterBytes: 100 });
    expect(await target.hash('cam/a.mp4')).toEqual({ size: file.size, sha256: file.sha256 });
    expect(proxy.requests.filter(isGet).map((request) => request.outcome)).toEqual(['stall-response', 'forwarded']);
  });
});
