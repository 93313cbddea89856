import { closeAfterEach } from '@camdl/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { isOffsiteError } from '@camdl/offsite';
import { proxiedS3, writeLocalFile } from './helpers.js';

const track = closeAfterEach();

const setup = () => proxiedS3(track);

const isHeadBucket = (request: { method: string; url: string }) => request.method === 'HEAD' && /^\/camdl\/?(\?|$)/.test(request.url);
const isPutObject = (request: { method: string; url: string }) => request.method === 'PUT' && !request.url.includes('uploadId=');

afterEach(() => {
  vi.useRealTimers();
});

describe('a bucket in another region than the one configured', () => {
  it('HeadBucket answered 400 with x-amz-bucket-region (no body, as AWS does): one request, a config error naming the region', async () => {
    const { proxy, target } = await setup();
    proxy.inject(isHeadBucket, { kind: 'status', status: 400, code: 'AuthorizationHeaderMalformed', headers: { 'x-amz-bucket-region': 'eu-central-1' } });
    const error = await target.check().catch((caught: unknown) => caught);
    expect(isOffsiteError(error, 'ERR_OFFSITE_CONFIG')).toBe(true);
    expect(String(error)).toContain('region "eu-central-1"');
    expect(String(error)).not.toContain('credentials');
    expect(proxy.requests.filter(isHeadBucket)).toHaveLength(1);
  });

  it('a 301 PermanentRedirect (virtual-hosted AWS) is a config error naming the region, not retried', async () => {
    const { proxy, target } = await setup();
    proxy.inject(isHeadBucket, { kind: 'status', status: 301, code: 'PermanentRedirect', headers: { 'x-amz-bucket-region': 'ap-southeast-2' } });
    const error = await target.check().catch((caught: unknown) => caught);
    expect(isOffsiteError(error, 'ERR_OFFSITE_CONFIG')).toBe(true);
    expect(String(error)).toContain('region "ap-southeast-2"');
    expect(proxy.requests.filter(isHeadBucket)).toHaveLength(1);
  });

  it('a bodiless 400 to HeadBucket that names no region (Garage signed for another region) points at region, endpoint and path-style', async () => {
    const { proxy, target } = await setup();
    proxy.inject(isHeadBucket, { kind: 'status', status: 400, code: 'AuthorizationHeaderMalformed' });
    const error = await target.check().catch((caught: unknown) => caught);
    expect(isOffsiteError(error, 'ERR_OFFSITE_CONFIG')).toBe(true);
    expect(String(error)).toMatch(/check region .*endpoint and path-style/);
    expect(proxy.requests.filter(isHeadBucket)).toHaveLength(1);
  });

  it('a redirect from a store in the configured region names the endpoint, not a region to change to', async () => {
    const { proxy, target } = await setup();
    proxy.inject(isHeadBucket, { kind: 'status', status: 307, code: 'TemporaryRedirect', headers: { 'x-amz-bucket-region': 'us-east-1' } });
    const error = await target.check().catch((caught: unknown) => caught);
    expect(isOffsiteError(error, 'ERR_OFFSITE_CONFIG')).toBe(true);
    expect(String(error)).toContain('behind another endpoint');
    expect(String(error)).not.toContain('set region');
  });

  it('AuthorizationHeaderMalformed with the expected region in its document is a region error, not refused credentials', async () => {
    const { proxy, work, target } = await setup();
    const small = await writeLocalFile(work.path, 'small.mp4', 1000);
    proxy.inject(isPutObject, {
      kind: 'status',
      status: 400,
      code: 'AuthorizationHeaderMalformed',
      fields: { Region: 'eu-central-1' },
    });
    const error = await target.put(small.path, 'cam/a.mp4', { size: small.size, sha256: small.sha256 }).catch((caught: unknown) => caught);
    expect(isOffsiteError(error, 'ERR_OFFSITE_CONFIG')).toBe(true);
    expect(String(error)).toContain('region "eu-central-1"');
    expect(String(error)).not.toContain('credentials');
    expect(proxy.requests.filter(isPutObject)).toHaveLength(1);
  });
});

describe('a storage class the store does not offer', () => {
  it('is a config error naming storage-class, not retried', async () => {
    const { proxy, work, target } = await proxiedS3(track, { storageClass: 'DEEP_ARCHIVE' });
    const small = await writeLocalFile(work.path, 'small.mp4', 1000);
    proxy.inject(isPutObject, { kind: 'status', status: 400, code: 'InvalidStorageClass' });
    const error = await target.put(small.path, 'cam/a.mp4', { size: small.size, sha256: small.sha256 }).catch((caught: unknown) => caught);
    expect(isOffsiteError(error, 'ERR_OFFSITE_CONFIG')).toBe(true);
    expect(String(error)).toContain('storage-class');
    expect(proxy.requests.filter(isPutObject)).toHaveLength(1);
  });
});

describe('a key that may not list the bucket', () => {
  it('a 403 to the HeadObject before an upload (AWS, for a missing object) names s3:ListBucket', async () => {
    const { proxy, work, target } = await setup();
    const small = await writeLocalFile(work.path, 'small.mp4', 1000);
    proxy.inject((request) => request.method === 'HEAD' && request.url.includes('/cam/'), { kind: 'status', status: 403, code: 'AccessDenied' });
    const error = await target.put(small.path, 'cam/a.mp4', { size: small.size, sha256: small.sha256 }).catch((caught: unknown) => caught);
    expect(isOffsiteError(error, 'ERR_OFFSITE_AUTH')).toBe(true);
    expect(String(error)).toContain('s3:ListBucket');
    expect(proxy.requests.filter(isPutObject)).toEqual([]);
  });
});

describe('a machine clock the S3 server refuses (a real server, this process two hours ahead)', () => {
  it('the first request of a target (HeadBucket, a HEAD without a body) is named clock skew, not refused credentials', async () => {
    const { server, target } = await setup();
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 2 * 3_600_000 });
    const error = await target.check().catch((caught: unknown) => caught);
    expect(isOffsiteError(error, 'ERR_OFFSITE_CLOCK_SKEW')).toBe(true);
    expect(String(error)).toMatch(/clock/);
    expect(String(error)).toContain('2 h');
    expect((await server.settledRequests()).filter((request) => request.method === 'HEAD')).toEqual([expect.objectContaining({ status: 403 })]);
  });

  it('a HeadObject before an upload is clock skew too, and nothing is sent after it', async () => {
    const { server, work, target } = await setup();
    const small = await writeLocalFile(work.path, 'small.mp4', 1000);
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() - 3 * 3_600_000 });
    const error = await target.put(small.path, 'cam/a.mp4', { size: small.size, sha256: small.sha256 }).catch((caught: unknown) => caught);
    expect(isOffsiteError(error, 'ERR_OFFSITE_CLOCK_SKEW')).toBe(true);
    expect((error as { retryable: boolean }).retryable).toBe(false);
    vi.useRealTimers();
    expect((await server.settledRequests()).filter((request) => !request.url.includes('camdl-flush'))).toHaveLength(1);
  });
});
