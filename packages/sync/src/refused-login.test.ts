import { describe, expect, it } from 'vitest';
import { isRefusedLogin, isRefusedLoginCode } from './refused-login.js';

function coded(code: string, cause?: unknown): Error {
  return Object.assign(new Error(code, cause === undefined ? undefined : { cause }), { code });
}

describe('a refused login', () => {
  it('is told by the code of every camera library, not by other failures', () => {
    for (const code of ['ERR_DIGEST_BAD_CREDENTIALS', 'ERR_DOWNLOAD_AUTH', 'ERR_AMCREST_AUTH', 'ERR_AMCREST_INVALID_AUTHORITY', 'ERR_HIKVISION_AUTH', 'ERR_AXIS_EDGE_AUTH']) {
      expect(isRefusedLoginCode(code), code).toBe(true);
    }
    for (const code of ['ERR_DOWNLOAD_NETWORK', 'ERR_SYNC_PASSWORD', 'ERR_HIKVISION_DEVICE', undefined]) expect(isRefusedLoginCode(code), code).toBe(false);
  });

  it('is found in the causes of a wrapping error, and a cause cycle ends the search', () => {
    expect(isRefusedLogin(coded('ERR_DOWNLOAD_NETWORK', coded('ERR_DIGEST_BAD_CREDENTIALS')))).toBe(true);
    expect(isRefusedLogin(coded('ERR_DOWNLOAD_NETWORK', new Error('reset')))).toBe(false);
    const loop = coded('ERR_DOWNLOAD_NETWORK');
    Object.defineProperty(loop, 'cause', { value: loop });
    expect(isRefusedLogin(loop)).toBe(false);
    expect(isRefusedLogin('ERR_AMCREST_AUTH')).toBe(false);
  });
});
