import { describe, expect, it } from 'vitest';
import { childEnv, rcloneError, summarizeStderr, type RcloneRunner } from './rclone-process.js';

const runner: RcloneRunner = {
  identity: { name: 'nas', description: 'rclone nas:cameras' },
  binary: 'rclone',
  flags: [],
  env: { RCLONE_CONFIG_NAS_TYPE: 'webdav', RCLONE_CONFIG_NAS_PASS: 'obscured-pass-value', RCLONE_CONFIG_NAS_BEARER_TOKEN: 'tok-123456' },
};

describe('rclone stderr and environment', () => {
  it('keeps the last error lines, short, with configured values and control characters removed', () => {
    const stderr = [
      '2026/05/01 10:00:00 NOTICE: starting',
      '2026/05/01 10:00:01 ERROR : token tok-123456 refused by https://nas/?pass=obscured-pass-value',
      `2026/05/01 10:00:02 Failed to rcat: 401 Unauthorized \u001b[31m${'x'.repeat(400)}`,
    ].join('\n');
    const summary = summarizeStderr(stderr, Object.values(runner.env));
    expect(summary).not.toContain('tok-123456');
    expect(summary).not.toContain('obscured-pass-value');
    expect(summary).not.toContain('\u001b');
    expect(summary).toContain('401 Unauthorized');
    expect(summary.length).toBeLessThanOrEqual(301);
  });

  it('maps exit codes and messages to codes, naming the target', () => {
    const error = rcloneError(runner, { args: ['lsjson'] }, 1, 'ERROR : : error listing: 401 Unauthorized');
    expect(error.code).toBe('ERR_OFFSITE_AUTH');
    expect(error.message).toMatch(/^target "nas" \(rclone nas:cameras\): rclone lsjson failed \(exit 1\)/);
    expect(rcloneError(runner, { args: ['lsjson'] }, 3, 'ERROR : directory not found').code).toBe('ERR_OFFSITE_NOT_FOUND');
    expect(rcloneError(runner, { args: ['rcat'] }, 1, 'dial tcp 127.0.0.1:9: connect: connection refused')).toMatchObject({ code: 'ERR_OFFSITE_UNREACHABLE', retryable: true });
    expect(rcloneError(runner, { args: ['rcat'] }, 1, 'Failed to rcat: 507 Insufficient Storage').code).toBe('ERR_OFFSITE_QUOTA');
    expect(rcloneError(runner, { args: ['rcat'] }, 5, 'temporary failure').retryable).toBe(true);
  });

  it("gives the child an allowlist of camdl's environment plus the target's own variables", () => {
    process.env.CAMDL_SOMETHING_SECRET = 'x';
    process.env.AWS_SECRET_ACCESS_KEY_FOR_TEST = 'y';
    try {
      const env = childEnv(runner);
      expect(env.CAMDL_SOMETHING_SECRET).toBeUndefined();
      expect(env.AWS_SECRET_ACCESS_KEY_FOR_TEST).toBeUndefined();
      expect(env.AWS_CA_BUNDLE).toBeUndefined();
      expect(env.RCLONE_CONFIG_NAS_TYPE).toBe('webdav');
      expect(env.PATH).toBe(process.env.PATH);
    } finally {
      delete process.env.CAMDL_SOMETHING_SECRET;
      delete process.env.AWS_SECRET_ACCESS_KEY_FOR_TEST;
    }
  });
});
