import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { buildAuthorizationHeader, computeDigestResponse, computeUserhash, formatNonceCount } from './compute-digest.js';
import { parseChallenges } from './parse-challenges.js';

const rfc7616 = {
  username: 'Mufasa',
  password: 'Circle of Life',
  realm: 'http-auth@example.org',
  nonce: '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v',
  cnonce: 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ',
  nc: '00000001',
  qop: 'auth',
  method: 'GET',
  uri: '/dir/index.html',
} as const;

const rfc7616Sha512 = {
  username: 'J\u00e4s\u00f8n Doe',
  password: 'Secret, or not?',
  realm: 'api@example.org',
  nonce: '5TsQWLVdgBdmrQ0XsxbDODV+57QdFR34I9HAbC/RVvkK',
  cnonce: 'NTg6RKcb9boFIAS3KrFK9BGeh+iDa/sm6jUMp2wds69v',
  nc: 1,
  qop: 'auth',
  method: 'GET',
  uri: '/doe.json',
} as const;

describe('computeDigestResponse known answers', () => {
  it('RFC 2617 §3.5 (MD5, qop=auth)', () => {
    expect(
      computeDigestResponse({
        algorithm: 'MD5',
        username: 'Mufasa',
        password: 'Circle Of Life',
        realm: 'testrealm@host.com',
        nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093',
        cnonce: '0a4f113b',
        nc: '00000001',
        qop: 'auth',
        method: 'GET',
        uri: '/dir/index.html',
      }),
    ).toBe('6629fae49393a05397450978507c4ef1');
  });

  it('RFC 7616 §3.9.1 MD5', () => {
    expect(computeDigestResponse({ ...rfc7616, algorithm: 'MD5' })).toBe('8ca523f5e9506fed4657c9700eebdbec');
  });

  it('RFC 7616 §3.9.1 SHA-256', () => {
    expect(computeDigestResponse({ ...rfc7616, algorithm: 'SHA-256' })).toBe(
      '753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1',
    );
  });

  it('RFC 7616 §3.9.2 SHA-512-256 with userhash: the corrected (errata 4897) values', () => {
    expect(computeUserhash('SHA-512-256', rfc7616Sha512.username, rfc7616Sha512.realm)).toBe(
      '793263caabb707a56211940d90411ea4a575adeccb7e360aeb624ed06ece9b0b',
    );
    expect(computeDigestResponse({ ...rfc7616Sha512, algorithm: 'SHA-512-256' })).toBe(
      '3798d4131c277846293534c3edc11bd8a5e4cdcbff78b05db9d95eeb1cec68a5',
    );
  });

  it('does not reproduce the values printed in RFC 7616 §3.9.2 (SHA-512 cut to 256 bits)', () => {
    const printedUserhash = '488869477bf257147b804c45308cd62ac4e25eb717b12b298c79e62dcea254ec';
    const printedResponse = 'ae66e67d6b427bd3f120414a82e4acff38e8ecd9101d6c861229025f607a79dd';
    // The printed userhash really is truncated SHA-512, which is not SHA-512/256.
    const truncated = createHash('sha512').update(`${rfc7616Sha512.username}:${rfc7616Sha512.realm}`).digest('hex').slice(0, 64);
    expect(truncated).toBe(printedUserhash);
    expect(computeUserhash('SHA-512-256', rfc7616Sha512.username, rfc7616Sha512.realm)).not.toBe(printedUserhash);
    expect(computeDigestResponse({ ...rfc7616Sha512, algorithm: 'SHA-512-256' })).not.toBe(printedResponse);
  });

  it('legacy RFC 2069 (no qop): H(HA1:nonce:HA2)', () => {
    const md5 = (s: string): string => createHash('md5').update(s).digest('hex');
    const ha1 = md5('u:r:p');
    const ha2 = md5('GET:/x');
    expect(computeDigestResponse({ algorithm: 'MD5', username: 'u', password: 'p', realm: 'r', nonce: 'n', method: 'GET', uri: '/x' })).toBe(
      md5(`${ha1}:n:${ha2}`),
    );
  });

  it('-sess and auth-int follow RFC 7616 §3.4.2/3.4.3', () => {
    const sha = (s: string): string => createHash('sha256').update(s).digest('hex');
    const ha1 = sha(`${sha('u:r:p')}:n:c`);
    const ha2 = sha(`POST:/x:${sha('body')}`);
    expect(
      computeDigestResponse({ algorithm: 'SHA-256-sess', username: 'u', password: 'p', realm: 'r', nonce: 'n', cnonce: 'c', nc: 2, qop: 'auth-int', method: 'POST', uri: '/x', body: 'body' }),
    ).toBe(sha(`${ha1}:n:00000002:c:auth-int:${ha2}`));
  });

  it('requires a cnonce with qop', () => {
    expect(() => computeDigestResponse({ ...rfc7616, cnonce: undefined, algorithm: 'MD5' })).toThrow(/cnonce/);
  });

  it('formats nc as 8 hex digits', () => {
    expect(formatNonceCount(1)).toBe('00000001');
    expect(formatNonceCount(255)).toBe('000000ff');
  });
});

describe('buildAuthorizationHeader', () => {
  it('quotes values, leaves qop, nc and algorithm bare, and round-trips through the parser', () => {
    const header = buildAuthorizationHeader({ ...rfc7616, algorithm: 'SHA-256', opaque: '', realm: 'a "quoted", realm\\' });
    expect(header).toMatch(/^Digest /);
    expect(header).toContain('qop=auth,');
    expect(header).toContain('nc=00000001');
    expect(header).toContain('algorithm=SHA-256,');
    expect(header).toContain('opaque=""');
    const [parsed] = parseChallenges(header);
    expect(parsed?.params).toMatchObject({
      username: 'Mufasa',
      realm: 'a "quoted", realm\\',
      uri: '/dir/index.html',
      opaque: '',
      cnonce: rfc7616.cnonce,
    });
  });

  it('sends the RFC 7616 §3.9.2 userhash and response', () => {
    const header = buildAuthorizationHeader({ ...rfc7616Sha512, algorithm: 'SHA-512-256', userhash: true });
    const params = parseChallenges(header)[0]?.params;
    expect(params?.['username']).toBe('793263caabb707a56211940d90411ea4a575adeccb7e360aeb624ed06ece9b0b');
    expect(params?.['response']).toBe('3798d4131c277846293534c3edc11bd8a5e4cdcbff78b05db9d95eeb1cec68a5');
    expect(params?.['userhash']).toBe('true');
  });

  it('sends a non-ASCII name as username* (RFC 5987) when not hashed', () => {
    const header = buildAuthorizationHeader({ ...rfc7616Sha512, algorithm: 'SHA-512-256' });
    expect(header).toContain("username*=UTF-8''J%C3%A4s%C3%B8n%20Doe");
    expect(header).not.toMatch(/username="/);
  });
});

describe('bytes on the wire', () => {
  const md5 = (data: string | Buffer): string => createHash('md5').update(data).digest('hex');
  const base = { algorithm: 'MD5', username: 'u', password: 'p', nonce: 'n', cnonce: 'c', nc: 1, qop: 'auth', method: 'GET' } as const;

  it("wireEncoding 'latin1': a realm and uri given as header bytes hash as those bytes", () => {
    // "Kämera" sent as UTF-8 bytes arrives from undici as the latin1 string "KÃ¤mera".
    const asBytes = computeDigestResponse({ ...base, realm: 'K\u00c3\u00a4mera', uri: '/caf\u00e9', wireEncoding: 'latin1' });
    const ha1 = md5(Buffer.concat([Buffer.from('u:'), Buffer.from('Kämera', 'utf8'), Buffer.from(':p')]));
    const ha2 = md5(Buffer.from('GET:/caf\u00e9', 'latin1'));
    expect(asBytes).toBe(md5(`${ha1}:n:00000001:c:auth:${ha2}`));
    // The default takes the strings as text (UTF-8).
    expect(computeDigestResponse({ ...base, realm: 'Kämera', uri: '/x' })).toBe(md5(`${ha1}:n:00000001:c:auth:${md5('GET:/x')}`));
    expect(computeUserhash('MD5', 'u', 'K\u00c3\u00a4mera', 'latin1')).toBe(computeUserhash('MD5', 'u', 'Kämera'));
  });

  it('echoes the algorithm as the server spelled it, or leaves it out when the challenge had none', () => {
    const input = { ...base, realm: 'r', uri: '/x' };
    expect(buildAuthorizationHeader({ ...input, algorithmToken: 'md5' })).toMatch(/, algorithm=md5, /);
    expect(buildAuthorizationHeader({ ...input, algorithmToken: null })).not.toMatch(/algorithm/);
    expect(buildAuthorizationHeader(input)).toMatch(/, algorithm=MD5, /);
  });

  it("nonAsciiUsername 'utf8': the name's UTF-8 bytes inside username=\"...\" (RFC 2617 servers)", () => {
    const header = buildAuthorizationHeader({ ...base, realm: 'r', uri: '/x', username: 'jösé', nonAsciiUsername: 'utf8' });
    expect(header).toContain('username="j\u00c3\u00b6s\u00c3\u00a9"');
    expect(header).not.toContain('username*');
  });
});
