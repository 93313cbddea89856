import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { closeAfterEach, findFreePort, makeSelfSignedCert, makeTempDir, sha256, startS3Server } from '@camdl/test-utils';
import { describe, expect, it } from 'vitest';
import { createTarget, isOffsiteError } from '@camdl/offsite';
import { MIB, s3Options, writeLocalFile } from './helpers.js';

const track = closeAfterEach();

async function setup() {
  const server = track(await startS3Server());
  const work = track(await makeTempDir('camdl-offsite-s3-'));
  const target = track(createTarget(s3Options(server)));
  return { server, work, target };
}

describe('s3 target against a real S3 server', () => {
  it('uploads a small and a multipart file with their sha256 as metadata, and reads them back', async () => {
    const { server, work, target } = await setup();
    await target.check();
    const small = await writeLocalFile(work.path, 'small.mp4', 300 * 1024, 1);
    const large = await writeLocalFile(work.path, 'large.mp4', 12 * MIB + 123, 2);
    expect(await target.put(small.path, 'north/2026-05-01/small.mp4', { size: small.size, sha256: small.sha256 })).toEqual({ status: 'uploaded', size: small.size, sha256: small.sha256, partsReused: 0 });
    const ids: (string | undefined)[] = [];
    const progress: number[] = [];
    const result = await target.put(large.path, 'north/2026-05-01/large.mp4', {
      size: large.size,
      sha256: large.sha256,
      onUploadId: (id) => ids.push(id),
      onProgress: ({ bytes }) => progress.push(bytes),
    });
    expect(result.status).toBe('uploaded');
    expect(ids).toHaveLength(2);
    expect(ids[0]).toMatch(/^[0-9a-f]+$/);
    expect(ids[1]).toBeUndefined();
    expect(progress.at(-1)).toBe(large.size);
    const requests = await server.settledRequests();
    expect(requests.filter((request) => request.method === 'PUT' && request.url.includes('partNumber=')).length).toBe(3);
    expect(await target.stat('north/2026-05-01/large.mp4')).toMatchObject({ size: large.size, sha256: large.sha256 });
    expect(await target.stat('north/2026-05-01/none.mp4')).toBeUndefined();
    expect(await target.hash('north/2026-05-01/large.mp4')).toEqual({ size: large.size, sha256: large.sha256 });
    const restored = join(work.path, 'restore/north/large.mp4');
    await target.get('north/2026-05-01/large.mp4', restored, { expectedSha256: large.sha256 });
    expect(sha256(await readFile(restored))).toBe(large.sha256);
    const keys: string[] = [];
    for await (const object of target.list('north/')) keys.push(object.key);
    expect(keys).toEqual(['north/2026-05-01/large.mp4', 'north/2026-05-01/small.mp4']);
    // The prefix is part of the real key: a plain layout anyone can browse.
    const whole = track(createTarget(s3Options(server, { prefix: '' })));
    const raw: string[] = [];
    for await (const object of whole.list('')) raw.push(object.key);
    expect(raw).toEqual(['site-a/north/2026-05-01/large.mp4', 'site-a/north/2026-05-01/small.mp4']);
    expect(target.description).toBe(`s3://camdl/site-a/ (${server.endpoint})`);
  });

  it('leaves other content at the key alone; the same content is already-there without an upload', async () => {
    const { server, work, target } = await setup();
    const theirs = await writeLocalFile(work.path, 'theirs.mp4', 1000, 3);
    const ours = await writeLocalFile(work.path, 'ours.mp4', 1000, 4);
    await target.put(theirs.path, 'cam/a.mp4', { size: theirs.size, sha256: theirs.sha256 });
    const error = await target.put(ours.path, 'cam/a.mp4', { size: ours.size, sha256: ours.sha256 }).catch((caught: unknown) => caught);
    expect(isOffsiteError(error, 'ERR_OFFSITE_CONFLICT')).toBe(true);
    expect(String(error)).toContain('target "offsite" (s3://camdl/site-a/');
    expect((await target.hash('cam/a.mp4')).sha256).toBe(theirs.sha256);
    const before = (await server.settledRequests()).length;
    expect((await target.put(theirs.path, 'cam/a.mp4', { size: theirs.size, sha256: theirs.sha256 })).status).toBe('already-there');
    expect((await server.settledRequests()).slice(before).map((request) => request.method)).toEqual(['HEAD']);
    expect((await target.put(ours.path, 'cam/a.mp4', { size: ours.size, sha256: ours.sha256, ifExists: 'replace' })).status).toBe('uploaded');
    expect((await target.hash('cam/a.mp4')).sha256).toBe(ours.sha256);
  });

  it('refuses a local file that changed since it was hashed, and aborts its multipart upload', async () => {
    const { server, work, target } = await setup();
    const file = await writeLocalFile(work.path, 'a.mp4', 11 * MIB, 5);
    const ids: (string | undefined)[] = [];
    const error = await target.put(file.path, 'cam/a.mp4', { size: file.size, sha256: 'a'.repeat(64), onUploadId: (id) => ids.push(id) }).catch((caught: unknown) => caught);
    expect(isOffsiteError(error, 'ERR_OFFSITE_VERIFY')).toBe(true);
    expect(await target.stat('cam/a.mp4')).toBeUndefined();
    expect(ids.at(-1)).toBeUndefined();
    const requests = await server.settledRequests();
    expect(requests.some((request) => request.method === 'DELETE' && request.url.includes(`uploadId=${ids[0]}`) && request.status === 204)).toBe(true);
    expect(requests.some((request) => request.method === 'POST' && request.url.includes('uploadId='))).toBe(false);
  });

  it.each([
    ['a wrong secret', { secretAccessKey: 'wrong-secret-value-1234567890' }],
    ['an unknown key id', { accessKeyId: 'AKWRONGKEYID', secretAccessKey: 'wrong-secret-value-1234567890' }],
  ])('%s: one request, ERR_OFFSITE_AUTH, no secret in the message', async (_name, keys) => {
    const { server, work } = await setup();
    const secret = keys.secretAccessKey;
    const target = track(createTarget(s3Options(server, keys)));
    await expect(target.check()).rejects.toMatchObject({ code: 'ERR_OFFSITE_AUTH', retryable: false });
    const file = await writeLocalFile(work.path, 'a.mp4', 1000);
    const error = await target.put(file.path, 'cam/a.mp4', { size: file.size, sha256: file.sha256 }).catch((caught: unknown) => caught);
    expect(isOffsiteError(error, 'ERR_OFFSITE_AUTH')).toBe(true);
    expect(String(error)).toContain('check access-key-id');
    expect(String(error)).not.toContain(secret);
    expect(String(error)).not.toContain(server.secretAccessKey);
    expect((await server.settledRequests()).map((request) => `${request.method} ${request.status}`)).toEqual(['HEAD 403', 'HEAD 403']);
  });

  it('a missing bucket and an endpoint that is down each fail with one clear line', async () => {
    const { server } = await setup();
    const missing = track(createTarget(s3Options(server, { bucket: 'no-such-bucket' })));
    const error = await missing.check().catch((caught: unknown) => caught);
    expect(isOffsiteError(error, 'ERR_OFFSITE_NOT_FOUND')).toBe(true);
    expect(String(error)).toContain('create it');
    const port = await findFreePort();
    const down = track(createTarget(s3Options(server, { endpoint: `http://127.0.0.1:${port}`, attempts: 2 })));
    const downError = await down.stat('cam/a.mp4').catch((caught: unknown) => caught);
    expect(isOffsiteError(downError, 'ERR_OFFSITE_UNREACHABLE')).toBe(true);
    expect((downError as { retryable: boolean }).retryable).toBe(true);
    expect(String(downError)).toContain(`target "offsite" (s3://camdl/site-a/ (http://127.0.0.1:${port}))`);
  });

  it('rejects unusable options at once', () => {
    expect(() => createTarget({ kind: 's3', name: 'x', region: 'us-east-1', bucket: 'bucket', accessKeyId: 'k', secretAccessKey: 's', partSizeBytes: 1024 })).toThrow(/partSizeBytes/);
    expect(() => createTarget({ kind: 's3', name: 'x', region: 'us-east-1', bucket: 'bucket', accessKeyId: 'k', secretAccessKey: 's', endpoint: 'http://user:pw@host' })).toThrow(/without credentials/);
    expect(() => createTarget({ kind: 's3', name: 'x', region: '', bucket: 'bucket', accessKeyId: 'k', secretAccessKey: 's' })).toThrow(/region/);
  });

  it('an https endpoint: trusted through caFile (whatever AWS_CA_BUNDLE says), refused without it, accepted with insecure', async () => {
    const work = track(await makeTempDir('camdl-offsite-tls-'));
    const cert = await makeSelfSignedCert(work.path);
    const server = track(await startS3Server({ tls: cert }));
    expect(server.endpoint).toMatch(/^https:/);
    const bogusBundle = join(work.path, 'not-a-bundle.pem');
    const saved = process.env.AWS_CA_BUNDLE;
    process.env.AWS_CA_BUNDLE = bogusBundle;
    try {
      const trusted = track(createTarget(s3Options(server, { caFile: cert.certPath })));
      const file = await writeLocalFile(work.path, 'a.mp4', 2000);
      expect((await trusted.put(file.path, 'cam/a.mp4', { size: file.size, sha256: file.sha256 })).status).toBe('uploaded');
      const before = (await server.settledRequests()).length;
      const untrusted = track(createTarget(s3Options(server)));
      const error = await untrusted.check().catch((caught: unknown) => caught);
      expect(error).toMatchObject({ code: 'ERR_OFFSITE_CONFIG', retryable: false });
      expect(String(error)).toContain('set ca-file');
      expect((await server.settledRequests()).length).toBe(before);
      const insecure = track(createTarget(s3Options(server, { insecure: true })));
      await insecure.check();
    } finally {
      if (saved === undefined) delete process.env.AWS_CA_BUNDLE;
      else process.env.AWS_CA_BUNDLE = saved;
    }
  });
});
