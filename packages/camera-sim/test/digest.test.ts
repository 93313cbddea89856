import { describe, expect, it } from 'vitest';
import { DigestServer, parseDigestAuthorization, startCameraSim } from '@camdl/camera-sim';
import { authorization, parseChallenge, rawRequest } from './digest-client.js';

const LIST = '/local/timelapse2/archive';

describe('digest on the simulator', () => {
  it('accepts the right password, challenges the wrong one and counts both', async () => {
    const sim = await startCameraSim({ profile: 'timelapse3', password: 'right', content: 'tiny' });
    try {
      const first = await rawRequest(sim.url, LIST);
      expect(first.status).toBe(401);
      const header = String(first.headers['www-authenticate']);
      expect(header).toMatch(/^Digest realm="AXIS_ACCC8EB3494E", nonce="[A-Za-z0-9+/]{11}=[0-9a-f]{40}", algorithm=MD5, qop="auth"$/);
      const challenge = parseChallenge(header);
      const wrong = await rawRequest(sim.url, LIST, { headers: { Authorization: authorization({ method: 'GET', uri: LIST, username: 'admin', password: 'nope', challenge, nc: 1 }) } });
      expect(wrong.status).toBe(401);
      const right = await rawRequest(sim.url, LIST, { headers: { Authorization: authorization({ method: 'GET', uri: LIST, username: 'admin', password: 'right', challenge, nc: 2 }) } });
      expect(right.status).toBe(200);
      expect(sim.counters).toMatchObject({ challenges: 2, authFailures: 1 });
    } finally {
      await sim.close();
    }
  });

  it('checks the uri including the query', async () => {
    const sim = await startCameraSim({ profile: 'timelapse3', password: 'right', content: 'tiny' });
    try {
      const challenge = parseChallenge(String((await rawRequest(sim.url, LIST)).headers['www-authenticate']));
      const target = `/local/timelapse2/download?filename=${sim.archives[0]!.filename}`;
      const mismatched = await rawRequest(sim.url, target, {
        headers: { Authorization: authorization({ method: 'GET', uri: '/local/timelapse2/download', username: 'admin', password: 'right', challenge, nc: 1 }) },
      });
      expect(mismatched.status).toBe(400);
      const matched = await rawRequest(sim.url, target, { headers: { Authorization: authorization({ method: 'GET', uri: target, username: 'admin', password: 'right', challenge, nc: 2 }) } });
      expect(matched.status).toBe(200);
    } finally {
      await sim.close();
    }
  });

  it("compares the uri with the request-target byte for byte by default (lighttpd, RFC 7616 §3.4); Apache's decoding only as an option", async () => {
    const content = { archives: [{ filename: "O'Brien_Site_2026_01_15_0000.avi", content: 'synthetic' as const, size: 1000 }] };
    const raw = "/local/timelapse2/download?filename=O'Brien_Site_2026_01_15_0000.avi";
    const encoded = '/local/timelapse2/download?filename=O%27Brien_Site_2026_01_15_0000.avi';
    const strict = await startCameraSim({ profile: 'timelapse2-v1', password: 'right', content });
    const lenient = await startCameraSim({ profile: 'timelapse2-v1', password: 'right', content, digest: { uriMatch: 'decoded' } });
    try {
      for (const [sim, expected] of [[strict, 400], [lenient, 200]] as const) {
        const challenge = parseChallenge(String((await rawRequest(sim.url, LIST)).headers['www-authenticate']));
        // The raw `'` on the wire, its percent-encoded form in the uri.
        const mixed = await rawRequest(sim.url, raw, { headers: { Authorization: authorization({ method: 'GET', uri: encoded, username: 'admin', password: 'right', challenge, nc: 1 }) } });
        expect(mixed.status).toBe(expected);
        const exact = await rawRequest(sim.url, raw, { headers: { Authorization: authorization({ method: 'GET', uri: raw, username: 'admin', password: 'right', challenge, nc: 2 }) } });
        expect(exact.status).toBe(200);
      }
    } finally {
      await strict.close();
      await lenient.close();
    }
  });

  it('expires nonces with stale=true (injected clock)', async () => {
    let now = 1_000_000;
    const sim = await startCameraSim({ profile: 'timelapse3', password: 'right', content: 'tiny', now: () => now, digest: { nonceLifetimeMs: 60_000 } });
    try {
      const challenge = parseChallenge(String((await rawRequest(sim.url, LIST)).headers['www-authenticate']));
      const send = (nc: number) => rawRequest(sim.url, LIST, { headers: { Authorization: authorization({ method: 'GET', uri: LIST, username: 'admin', password: 'right', challenge, nc }) } });
      expect((await send(1)).status).toBe(200);
      now += 61_000;
      const stale = await send(2);
      expect(stale.status).toBe(401);
      expect(String(stale.headers['www-authenticate'])).toMatch(/, stale=true, algorithm=MD5, qop="auth"$/);
      expect(sim.counters.staleChallenges).toBe(1);
      expect(sim.counters.authFailures).toBe(0);
    } finally {
      await sim.close();
    }
  });

  it('strict nc: a repeated or lower nc is refused; one-time nonces refuse any reuse', async () => {
    const strict = await startCameraSim({ profile: 'timelapse3', password: 'right', content: 'tiny', digest: { strictNc: true } });
    try {
      const challenge = parseChallenge(String((await rawRequest(strict.url, LIST)).headers['www-authenticate']));
      const send = (nc: number) => rawRequest(strict.url, LIST, { headers: { Authorization: authorization({ method: 'GET', uri: LIST, username: 'admin', password: 'right', challenge, nc }) } });
      expect((await send(1)).status).toBe(200);
      expect((await send(3)).status).toBe(200);
      expect((await send(3)).status).toBe(401);
      expect((await send(2)).status).toBe(401);
      expect((await send(4)).status).toBe(200);
    } finally {
      await strict.close();
    }
    const oneTime = await startCameraSim({ profile: 'amcrest', password: 'right', content: 'tiny', digest: { oneTimeNonce: true } });
    try {
      const target = '/cgi-bin/global.cgi?action=getCurrentTime';
      const challenge = parseChallenge(String((await rawRequest(oneTime.url, target)).headers['www-authenticate']));
      const send = (nc: number) => rawRequest(oneTime.url, target, { headers: { Authorization: authorization({ method: 'GET', uri: target, username: 'admin', password: 'right', challenge, nc }) } });
      expect((await send(1)).status).toBe(200);
      expect((await send(2)).status).toBe(401);
    } finally {
      await oneTime.close();
    }
  });

  it('offers SHA-256 with an MD5 fallback as two challenges, or SHA-256 alone; refuses what it did not offer', async () => {
    const both = await startCameraSim({ profile: 'timelapse3', password: 'right', content: 'tiny', digest: { algorithms: ['SHA-256', 'MD5'] } });
    const only = await startCameraSim({ profile: 'axis-edge', password: 'right', digest: { algorithms: ['SHA-256'] } });
    try {
      const first = await rawRequest(both.url, LIST);
      const headers = first.headers['www-authenticate'] === undefined ? [] : String(first.headers['www-authenticate']).split(/, (?=Digest )/);
      expect(headers).toHaveLength(2);
      expect(headers[0]).toMatch(/^Digest realm="AXIS_ACCC8EB3494E", nonce="[^"]+", algorithm=SHA-256, qop="auth"$/);
      expect(headers[1]).toMatch(/, algorithm=MD5, qop="auth"$/);
      const [sha, md5] = headers.map(parseChallenge) as [ReturnType<typeof parseChallenge>, ReturnType<typeof parseChallenge>];
      const send = (challenge: typeof sha, algorithm: 'MD5' | 'SHA-256') =>
        rawRequest(both.url, LIST, { headers: { Authorization: authorization({ method: 'GET', uri: LIST, username: 'admin', password: 'right', challenge, nc: 1, algorithm }) } });
      expect((await send(sha, 'SHA-256')).status).toBe(200);
      expect((await send(md5, 'MD5')).status).toBe(200);
      // A nonce answers for the algorithm of its own challenge.
      expect((await send({ ...sha, nonce: md5.nonce }, 'SHA-256')).status).toBe(400);
      expect(both.counters.authorized).toEqual({ 'SHA-256 auth': 1, 'MD5 auth': 1 });

      const target = '/axis-cgi/record/list.cgi?recordingid=all';
      const lone = await rawRequest(only.url, target);
      expect(String(lone.headers['www-authenticate'])).toMatch(/^Digest [^,]+, nonce="[^"]+", algorithm=SHA-256, qop="auth"$/);
      const challenge = parseChallenge(String(lone.headers['www-authenticate']));
      const md5Refused = await rawRequest(only.url, target, { headers: { Authorization: authorization({ method: 'GET', uri: target, username: 'admin', password: 'right', challenge, nc: 1 }) } });
      expect(md5Refused.status).toBe(400);
      const shaAccepted = await rawRequest(only.url, target, { headers: { Authorization: authorization({ method: 'GET', uri: target, username: 'admin', password: 'right', challenge, nc: 2, algorithm: 'SHA-256' }) } });
      expect(shaAccepted.status).toBe(200);
      expect(shaAccepted.body.toString()).toContain('<recordings ');
    } finally {
      await both.close();
      await only.close();
    }
  });

  it('qop="auth,auth-int": either is accepted (auth-int over an empty body); only what was offered', async () => {
    const offered = await startCameraSim({ profile: 'hikvision', password: 'right', digest: { qop: 'auth,auth-int' } });
    const plain = await startCameraSim({ profile: 'hikvision', password: 'right' });
    try {
      const target = '/ISAPI/System/deviceInfo';
      for (const [sim, authInt] of [[offered, 200], [plain, 400]] as const) {
        const header = String((await rawRequest(sim.url, target)).headers['www-authenticate']);
        expect(header).toMatch(sim === offered ? /^Digest qop="auth,auth-int", realm=/ : /^Digest qop="auth", realm=/);
        const challenge = parseChallenge(header);
        const send = (qop: 'auth' | 'auth-int', nc: number, password = 'right') =>
          rawRequest(sim.url, target, { headers: { Authorization: authorization({ method: 'GET', uri: target, username: 'admin', password, challenge, nc, qop }) } });
        expect((await send('auth', 1)).status).toBe(200);
        expect((await send('auth-int', 2)).status).toBe(authInt);
      }
      const challenge = parseChallenge(String((await rawRequest(offered.url, target)).headers['www-authenticate']));
      const wrong = await rawRequest(offered.url, target, { headers: { Authorization: authorization({ method: 'GET', uri: target, username: 'admin', password: 'wrong', challenge, nc: 1, qop: 'auth-int' }) } });
      expect(wrong.status).toBe(401);
      expect(offered.counters.authorized).toEqual({ 'MD5 auth': 1, 'MD5 auth-int': 1 });
    } finally {
      await offered.close();
      await plain.close();
    }
  });

  it('a recorder answers a reused nonce 403 without a challenge when asked to', async () => {
    const sim = await startCameraSim({ profile: 'amcrest', password: 'right', content: 'tiny', digest: { oneTimeNonce: true, replayStatus: 403 } });
    try {
      const target = '/cgi-bin/global.cgi?action=getCurrentTime';
      const challenge = parseChallenge(String((await rawRequest(sim.url, target)).headers['www-authenticate']));
      const send = (nc: number) => rawRequest(sim.url, target, { headers: { Authorization: authorization({ method: 'GET', uri: target, username: 'admin', password: 'right', challenge, nc }) } });
      expect((await send(1)).status).toBe(200);
      const reused = await send(2);
      expect(reused.status).toBe(403);
      expect(reused.headers['www-authenticate']).toBeUndefined();
    } finally {
      await sim.close();
    }
  });

  it('amcrest requires the opaque to be echoed', async () => {
    const sim = await startCameraSim({ profile: 'amcrest', password: 'right', content: 'tiny' });
    try {
      const target = '/cgi-bin/magicBox.cgi?action=getSerialNo';
      const challenge = parseChallenge(String((await rawRequest(sim.url, target)).headers['www-authenticate']));
      const without = await rawRequest(sim.url, target, {
        headers: { Authorization: authorization({ method: 'GET', uri: target, username: 'admin', password: 'right', challenge: { ...challenge, opaque: undefined }, nc: 1 }) },
      });
      expect(without.status).toBe(401);
      const withOpaque = await rawRequest(sim.url, target, { headers: { Authorization: authorization({ method: 'GET', uri: target, username: 'admin', password: 'right', challenge, nc: 2 }) } });
      expect(withOpaque.status).toBe(200);
    } finally {
      await sim.close();
    }
  });

  it('refuses qop or nc sent as quoted strings (RFC 7616 tokens; Dahua firmware refuses them); a quoted algorithm passes', async () => {
    const sim = await startCameraSim({ profile: 'amcrest', password: 'right', content: 'tiny' });
    try {
      const target = '/cgi-bin/magicBox.cgi?action=getSerialNo';
      const challenge = parseChallenge(String((await rawRequest(sim.url, target)).headers['www-authenticate']));
      const header = (nc: number) => authorization({ method: 'GET', uri: target, username: 'admin', password: 'right', challenge, nc });
      for (const [index, quote] of [(text: string) => text.replace('qop=auth', 'qop="auth"'), (text: string) => text.replace(/nc=(\w+)/, 'nc="$1"')].entries()) {
        expect((await rawRequest(sim.url, target, { headers: { Authorization: quote(header(index + 1)) } })).status).toBe(400);
      }
      expect((await rawRequest(sim.url, target, { headers: { Authorization: header(3).replace('algorithm=MD5', 'algorithm="MD5"') } })).status).toBe(200);
      expect((await rawRequest(sim.url, target, { headers: { Authorization: header(4) } })).status).toBe(200);
    } finally {
      await sim.close();
    }
  });

  it('an empty opaque="" must come back as opaque=""', async () => {
    const sim = await startCameraSim({ profile: 'amcrest', password: 'right', content: 'tiny', digest: { opaque: '' } });
    try {
      const target = '/cgi-bin/magicBox.cgi?action=getSerialNo';
      const header = String((await rawRequest(sim.url, target)).headers['www-authenticate']);
      expect(header).toMatch(/,opaque=""$/);
      const challenge = parseChallenge(header);
      const send = (opaque: string | undefined, nc: number) =>
        rawRequest(sim.url, target, { headers: { Authorization: authorization({ method: 'GET', uri: target, username: 'admin', password: 'right', challenge: { ...challenge, opaque }, nc }) } });
      expect((await send(undefined, 1)).status).toBe(401);
      expect((await send('', 2)).status).toBe(200);
    } finally {
      await sim.close();
    }
  });

  it('locks the account after repeated failures when asked to', async () => {
    const sim = await startCameraSim({ profile: 'timelapse3', password: 'right', content: 'tiny', digest: { lockoutAfterFailures: 2 } });
    try {
      const challenge = parseChallenge(String((await rawRequest(sim.url, LIST)).headers['www-authenticate']));
      const send = (password: string, nc: number) =>
        rawRequest(sim.url, LIST, { headers: { Authorization: authorization({ method: 'GET', uri: LIST, username: 'admin', password, challenge, nc }) } });
      expect((await send('bad', 1)).status).toBe(401);
      expect((await send('bad', 2)).status).toBe(401);
      expect((await send('right', 3)).status).toBe(401);
    } finally {
      await sim.close();
    }
  });
});

describe('DigestServer unit', () => {
  it('parses quoted values with commas and escapes, and tokens with =', () => {
    const params = parseDigestAuthorization('Digest username="a\\"b", realm="x, y", nonce="abc=def", qop=auth, nc=00000001');
    expect(params).toMatchObject({ username: 'a"b', realm: 'x, y', nonce: 'abc=def', qop: 'auth', nc: '00000001' });
  });

  it('verifies the RFC 2617 example response', () => {
    const server = new DigestServer({ flavour: 'axis', realm: 'testrealm@host.com', username: 'Mufasa', password: 'Circle Of Life' });
    // Register the RFC nonce as if we had issued it.
    (server as unknown as { nonces: Map<string, unknown> }).nonces.set('dcd98b7102dd2f0e8b11d0f600bfb0c093', { issuedAt: Date.now(), lastNc: 0, uses: 0 });
    const verdict = server.verify(
      'GET',
      '/dir/index.html',
      'Digest username="Mufasa", realm="testrealm@host.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", uri="/dir/index.html", qop=auth, nc=00000001, cnonce="0a4f113b", response="6629fae49393a05397450978507c4ef1", opaque="5ccc069c403ebaf9f0171e9517f40e41"',
    );
    expect(verdict).toEqual({ ok: true, username: 'Mufasa' });
  });
});
