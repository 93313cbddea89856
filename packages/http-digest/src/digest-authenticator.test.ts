import { describe, expect, it } from 'vitest';
import { DigestAuthenticator } from './digest-authenticator.js';

const url = new URL('http://127.0.0.1:8080/clip');
let counter = 0;
const challenge = (): ((name: string) => string | undefined) => {
  const value = `Digest realm="r", qop="auth", nonce="n${++counter}"`;
  return (name) => (name === 'www-authenticate' ? value : undefined);
};
const none = (): undefined => undefined;

describe('DigestAuthenticator nonce slots', () => {
  it('never forgets a nonce that a request in flight uses (maxNoncesPerRealm is a cap on idle ones)', () => {
    const auth = new DigestAuthenticator({ username: 'u', password: 'p', maxNoncesPerRealm: 1 });
    const first = auth.begin(url, 'GET', undefined, true);
    const second = auth.begin(url, 'GET', undefined, true);
    expect(auth.authorize(first)).toBeUndefined();
    expect(auth.authorize(second)).toBeUndefined();
    expect(auth.onResponse(first, 401, challenge())).toMatchObject({ kind: 'retry', authorization: expect.stringMatching(/nonce="n\d+"/) });
    // The second challenge arrives while the first nonce is in use: both are kept.
    expect(auth.onResponse(second, 401, challenge())).toMatchObject({ kind: 'retry' });
    expect(auth.onResponse(first, 200, none)).toEqual({ kind: 'done' });
    expect(auth.onResponse(second, 200, none)).toEqual({ kind: 'done' });
    // Two concurrent requests now find a nonce each: neither goes out without credentials.
    const third = auth.begin(url, 'GET', undefined, true);
    const fourth = auth.begin(url, 'GET', undefined, true);
    const a = auth.authorize(third);
    const b = auth.authorize(fourth);
    expect(a).toMatch(/^Digest /);
    expect(b).toMatch(/^Digest /);
    expect(/nonce="([^"]+)"/.exec(a ?? '')?.[1]).not.toBe(/nonce="([^"]+)"/.exec(b ?? '')?.[1]);
  });
});

describe('qop choice', () => {
  const offer = (name: string): string | undefined => (name === 'www-authenticate' ? 'Digest realm="r", qop="auth,auth-int", nonce="q"' : undefined);

  it('"auth,auth-int" → auth by default; auth-int with preferAuthInt and a hashable body', () => {
    for (const [preferAuthInt, replayable, expected] of [
      [false, true, 'auth'],
      [true, true, 'auth-int'],
      [true, false, 'auth'],
    ] as const) {
      const auth = new DigestAuthenticator({ username: 'u', password: 'p', preferAuthInt });
      const exchange = auth.begin(url, 'POST', 'body', replayable);
      auth.authorize(exchange);
      const decision = auth.onResponse(exchange, 401, offer);
      const header = decision.kind === 'retry' ? (decision.authorization ?? '') : '';
      if (replayable) expect(header).toMatch(new RegExp(`, qop=${expected}, `));
      else expect(decision).toEqual({ kind: 'done' }); // a stream body: the 401 goes to the caller
    }
  });
});
