import { describe, expect, it } from 'vitest';
import { toDigestChallenge } from './digest-challenge.js';
import { parseChallenges } from './parse-challenges.js';

describe('parseChallenges: real cameras', () => {
  it('Amcrest: no spaces after commas', () => {
    const challenges = parseChallenges('Digest realm="Login to AMC018NP69LM4VM2VY",qop="auth",nonce="1083253606",opaque="720000000000000000000007a9"');
    expect(challenges).toEqual([
      { scheme: 'Digest', params: { realm: 'Login to AMC018NP69LM4VM2VY', qop: 'auth', nonce: '1083253606', opaque: '720000000000000000000007a9' } },
    ]);
  });

  it('Axis: "=" inside the nonce, unquoted stale and algorithm', () => {
    const [challenge] = parseChallenges('Digest realm="AXIS_ACCC8EB3494E", nonce="PNHWZB6nBQA=3160c7e9a0a6d9b8f1c2", stale=true, algorithm=MD5, qop="auth"');
    expect(challenge?.params).toEqual({ realm: 'AXIS_ACCC8EB3494E', nonce: 'PNHWZB6nBQA=3160c7e9a0a6d9b8f1c2', stale: 'true', algorithm: 'MD5', qop: 'auth' });
    const digest = toDigestChallenge(challenge!);
    expect(digest).toMatchObject({ stale: true, algorithm: 'MD5', qop: ['auth'], nonce: 'PNHWZB6nBQA=3160c7e9a0a6d9b8f1c2' });
  });

  it('Hikvision: stale="FALSE" and a second Basic header', () => {
    const challenges = parseChallenges([
      'Digest qop="auth", realm="IP Camera(C8420)", nonce="4e5468694e7a42694e7a4d364f4449354d7a6b354d54513d", stale="FALSE"',
      'Basic realm="IP Camera(C8420)"',
    ]);
    expect(challenges.map((c) => c.scheme)).toEqual(['Digest', 'Basic']);
    expect(challenges[0]?.params['realm']).toBe('IP Camera(C8420)');
    expect(toDigestChallenge(challenges[0]!)?.stale).toBe(false);
    expect(challenges[1]?.params).toEqual({ realm: 'IP Camera(C8420)' });
  });

  it('lighttpd: one challenge per algorithm in one header', () => {
    const header =
      'Digest realm="cam", charset="UTF-8", algorithm=SHA-512-256, nonce="a1=", qop="auth", userhash=true, ' +
      'Digest realm="cam", charset="UTF-8", algorithm=SHA-256, nonce="a2", qop="auth", userhash=true, ' +
      'Digest realm="cam", charset="UTF-8", algorithm=MD5, nonce="a3", qop="auth", userhash=true';
    const digests = parseChallenges(header).map((c) => toDigestChallenge(c));
    expect(digests.map((d) => d?.algorithm)).toEqual(['SHA-512-256', 'SHA-256', 'MD5']);
    expect(digests.every((d) => d?.userhash === true && d.charset === 'UTF-8')).toBe(true);
    expect(digests[0]?.nonce).toBe('a1=');
  });
});

describe('parseChallenges: RFC 7235 and adversarial input', () => {
  it('commas and escaped quotes inside quoted strings', () => {
    const [challenge] = parseChallenges('Digest realm="a, \\"b\\", c", nonce="x,y", opaque=""');
    expect(challenge?.params).toEqual({ realm: 'a, "b", c', nonce: 'x,y', opaque: '' });
  });

  it('several challenges, token68 with padding, case-insensitive names', () => {
    const challenges = parseChallenges('Newauth realm="apps", type=1, title="Login to \\"apps\\"", Basic REALM="simple", Negotiate abc+/x==, DIGEST Realm=r, NONCE=n');
    expect(challenges.map((c) => c.scheme)).toEqual(['Newauth', 'Basic', 'Negotiate', 'DIGEST']);
    expect(challenges[0]?.params).toEqual({ realm: 'apps', type: '1', title: 'Login to "apps"' });
    expect(challenges[1]?.params['realm']).toBe('simple');
    expect(challenges[2]?.token68).toBe('abc+/x==');
    expect(toDigestChallenge(challenges[3]!)).toMatchObject({ realm: 'r', nonce: 'n', algorithm: 'MD5', qop: [] });
  });

  it('unquoted values with "=" (nonce=abc==) and spaces around "="', () => {
    const [challenge] = parseChallenges('Digest realm = "r" , nonce=abc==,qop=auth');
    expect(challenge?.params).toEqual({ realm: 'r', nonce: 'abc==', qop: 'auth' });
  });

  it('a scheme alone, empty headers, garbage', () => {
    expect(parseChallenges('')).toEqual([]);
    expect(parseChallenges(undefined)).toEqual([]);
    expect(parseChallenges(',,, ,')).toEqual([]);
    expect(parseChallenges('Basic')).toEqual([{ scheme: 'Basic', params: {} }]);
    expect(parseChallenges('"quoted" garbage, ===, Digest nonce="n"').map((c) => c.scheme)).toEqual(['Digest']);
    expect(parseChallenges('Digest=broken, Basic realm="ok"').map((c) => c.scheme)).toEqual(['Basic']);
  });

  it('an unterminated quote runs to the end without throwing or hanging', () => {
    const [challenge] = parseChallenges('Digest realm="never closed, nonce="n');
    expect(challenge?.params['realm']).toBe('never closed, nonce=');
    expect(challenge?.params['nonce']).toBeUndefined();
    expect(toDigestChallenge(challenge!)).toBeUndefined();
  });

  it('the first of duplicate params wins; __proto__ is just a name', () => {
    const [challenge] = parseChallenges('Digest nonce="1", nonce="2", __proto__="x"');
    expect(challenge?.params['nonce']).toBe('1');
    expect(challenge?.params['__proto__']).toBe('x');
  });

  it('rejects unsupported algorithms and nonce-less challenges', () => {
    expect(toDigestChallenge(parseChallenges('Digest realm="r", nonce="n", algorithm=SHA-1')[0]!)).toBeUndefined();
    expect(toDigestChallenge(parseChallenges('Digest realm="r"')[0]!)).toBeUndefined();
    expect(toDigestChallenge(parseChallenges('Digest realm="r", nonce="n", algorithm="sha-256-SESS"')[0]!)?.algorithm).toBe('SHA-256-sess');
  });

  it('survives long random input', () => {
    const alphabet = 'Digest realm=",\\ \t=abc';
    let seed = 7;
    for (let round = 0; round < 200; round++) {
      let text = '';
      for (let i = 0; i < 200; i++) {
        seed = (seed * 1103515245 + 12345) % 2147483648;
        text += alphabet[seed % alphabet.length];
      }
      expect(Array.isArray(parseChallenges(text))).toBe(true);
    }
  });
});
