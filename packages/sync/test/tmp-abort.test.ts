import { writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { it, expect } from 'vitest';
import { createTarget } from '@camdl/offsite';
import { RateLimiter } from '@camdl/throttled-download';
import { startS3Server } from '@camdl/test-utils';
it('abort during a rate-limited multipart put', async () => {
  const server = await startS3Server();
  const body = Buffer.alloc(11 * 1024 * 1024, 7);
  await writeFile('/tmp/abrt/f', body);
  const target = createTarget({ kind: 's3', name: 'x', endpoint: server.endpoint, region: server.region, bucket: 'camdl', pathStyle: true, accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey, partSizeBytes: 5 * 1024 * 1024 });
  const stop = new AbortController();
  setTimeout(() => stop.abort(), 1500);
  const error = await target.put('/tmp/abrt/f', 'k', { size: body.length, sha256: createHash('sha256').update(body).digest('hex'), rateLimiter: new RateLimiter(40), signal: stop.signal }).catch((e: unknown) => e);
  expect((error as { code?: string }).code).toBe('ERR_OFFSITE_ABORTED');
  await target.close();
  await server.close();
});
