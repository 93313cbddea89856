import { describe, expect, it } from 'vitest';
import { openTarget } from './open-target.js';
import type { TargetConfig } from './targets-config.js';

const S3: TargetConfig = {
  name: 'offsite',
  kind: 's3',
  line: 3,
  connections: 4,
  endpoint: 'http://127.0.0.1:9',
  region: 'us-east-1',
  bucket: 'camdl',
  prefix: '',
  pathStyle: true,
  accessKeyId: { kind: 'env', name: 'OFFSITE_KEY_ID' },
  secretAccessKey: { kind: 'env', name: 'OFFSITE_SECRET' },
  storageClass: undefined,
};

describe('openTarget', () => {
  it('a secret variable that is not set is a config error naming the variable, not its neighbour\'s value', async () => {
    const error = await openTarget(S3, { OFFSITE_SECRET: 'the-secret-value' }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ name: 'SyncError', code: 'ERR_SYNC_CONFIG', message: `target "offsite": access-key-id-env: OFFSITE_KEY_ID is not set in camdl's environment` });
    expect(String(error)).not.toContain('the-secret-value');
  });

  it('options the library refuses are config errors, the secrets kept out of the message', async () => {
    const error = await openTarget({ ...S3, bucket: 'x' }, { OFFSITE_KEY_ID: 'AKEXAMPLE', OFFSITE_SECRET: 'the-secret-value' }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ name: 'SyncError', code: 'ERR_SYNC_CONFIG', cause: { code: 'ERR_OFFSITE_CONFIG' } });
    expect((error as Error).message).toMatch(/^target "offsite" .*bucket must be a bucket name/);
    expect(String(error)).not.toContain('the-secret-value');
  });
});
