import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { inspect } from 'node:util';
import { Agent, interceptors, request, stream } from 'undici';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { createDigestFetch, DigestAuthError, digestInterceptor, isDigestAuthError, parseChallenges } from '@camdl/http-digest';
import { startDigestTestServer } from './digest-test-server.js';

type TestServer = Awaited<ReturnType<typeof startDigestTestServer>>;
const servers: TestServer[] = [];
async function server(options?: Parameters<typeof startDigestTestServer>[0]): Promise<TestServer> {
  const started = await startDigestTestServer(options);
  servers.push(started);
  return started;
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

describe('pre-emptive authentication and nonce counts', () => {
  it('one round trip after the first challenge; uri keeps the query, drops the fragment', async () => {
    const s = await server();
    const fetch = createDigestFetch({ username: 'admin', password: 'secret' });
    expect(await (await fetch(`${s.url}/a?x=1#frag`)).text()).toBe('hello /a?x=1');
    expect(await (await fetch(`${s.url}/b`)).text()).toBe('hello /b');
    expect(s.seen.map((r) => r.status)).toEqual([401, 200, 200]);
    expect(s.seen[1]?.params).toMatchObject({ uri: '/a?x=1', nc: '00000001', qop: 'auth', algorithm: 'MD5', opaque: '' });
    expect(s.seen[2]?.params?.['nc']).toBe('00000002');
    expect(s.seen[1]?.authorization).toMatch(/qop=auth, nc=00000001/);
  });

  it("nonceConcurrency: 'share': 8 concurrent requests on one nonce get distinct, increasing nc", async () => {
    const s = await server();
    const fetch = createDigestFetch({ username: 'admin', password: 'secret', nonceConcurrency: 'share' });
    await (await fetch(`${s.url}/warm`)).text();
    const responses = await Promise.all(Array.from({ length: 8 }, (_, i) => fetch(`${s.url}/c${i}`)));
    expect(responses.every((r) => r.status === 200)).toBe(true);
    const authenticated = s.seen.slice(2);
    expect(authenticated).toHaveLength(8);
    const ncs = authenticated.map((r) => Number.parseInt(r.params?.['nc'] ?? '0', 16)).sort((a, b) => a - b);
    expect(ncs).toEqual([2, 3, 4, 5, 6, 7, 8, 9]);
    expect(new Set(authenticated.map((r) => r.params?.['nonce'])).size).toBe(1);
  });

  it('preemptive: false answers a challenge for every request (two round trips)', async () => {
    const s = await server();
    const fetch = createDigestFetch({ username: 'admin', password: 'secret', preemptive: false });
    for (let i = 0; i < 3; i++) expect((await fetch(`${s.url}/n${i}`)).status).toBe(200);
    expect(s.seen.map((r) => r.status)).toEqual([401, 200, 401, 200, 401, 200]);
  });

  it('follows Authentication-Info nextnonce with nc restarting at 1', async () => {
    const s = await server({ nextnonce: true });
    const fetch = createDigestFetch({ username: 'admin', password: 'secret' });
    for (let i = 0; i < 3; i++) expect((await fetch(`${s.url}/n${i}`)).status).toBe(200);
    expect(s.seen.map((r) => r.status)).toEqual([401, 200, 200, 200]);
    const nonces = s.seen.slice(1).map((r) => r.params?.['nonce']);
    expect(new Set(nonces).size).toBe(3);
    expect(s.seen.slice(1).map((r) => r.params?.['nc'])).toEqual(['00000001', '00000001', '00000001']);
  });

  it('stale=true: retries silently with the new nonce', async () => {
    const s = await server();
    const fetch = createDigestFetch({ username: 'admin', password: 'secret' });
    expect((await fetch(`${s.url}/1`)).status).toBe(200);
    s.expireNonces();
    expect((await fetch(`${s.url}/2`)).status).toBe(200);
    expect(s.seen.map((r) => r.status)).toEqual([401, 200, 401, 200]);
  });

  it('a reused nonce the server forgot: one fresh challenge, then success', async () => {
    const s = await server();
    const fetch = createDigestFetch({ username: 'admin', password: 'secret' });
    expect((await fetch(`${s.url}/1`)).status).toBe(200);
    s.forgetNonces();
    expect((await fetch(`${s.url}/2`)).status).toBe(200);
    expect((await fetch(`${s.url}/3`)).status).toBe(200);
    expect(s.seen.map((r) => r.status)).toEqual([401, 200, 401, 200, 200]);
  });
});

describe("nonceConcurrency: 'exclusive' (default)", () => {
  it('never has two requests in flight on one nonce; each nonce counts up in order', async () => {
    const s = await server();
    const fetch = createDigestFetch({ username: 'admin', password: 'secret' });
    await (await fetch(`${s.url}/warm`)).text();
    for (let round = 0; round < 3; round++) {
      const responses = await Promise.all(Array.from({ length: 4 }, (_, i) => fetch(`${s.url}/r${round}-${i}`)));
      expect(responses.every((r) => r.status === 200)).toBe(true);
    }
    // Round 1 collects 3 more nonces (3 extra 401s); rounds 2 and 3 go straight through.
    expect(s.seen.filter((r) => r.status === 401)).toHaveLength(1 + 3);
    expect(s.seen.filter((r) => r.status === 200)).toHaveLength(13);
    const byNonce = new Map<string, number[]>();
    for (const r of s.seen) {
      if (r.status !== 200) continue;
      const list = byNonce.get(r.params?.['nonce'] ?? '') ?? [];
      list.push(Number.parseInt(r.params?.['nc'] ?? '0', 16));
      byNonce.set(r.params?.['nonce'] ?? '', list);
    }
    expect(byNonce.size).toBe(4);
    for (const counts of byNonce.values()) expect(counts).toEqual(counts.map((_, i) => i + 1));
  });
});

describe('failures', () => {
  it('wrong password: fails after one try with the fresh challenge; no secret in the error', async () => {
    const s = await server();
    const fetch = createDigestFetch({ username: 'admin', password: 'hunter2-secret' });
    const error = await fetch(`${s.url}/x`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DigestAuthError);
    expect(error).toMatchObject({ code: 'ERR_DIGEST_BAD_CREDENTIALS', status: 401, attempt: 2 });
    expect(s.seen).toHaveLength(2);
    const authorization = s.seen[1]?.authorization ?? '';
    const dump = JSON.stringify({ ...(error as object), message: (error as Error).message, stack: (error as Error).stack });
    for (const secret of ['hunter2-secret', authorization, s.seen[1]?.params?.['response'] ?? '']) {
      expect(secret).not.toBe('');
      expect(dump).not.toContain(secret);
    }
  });

  it('401 without a challenge: ERR_DIGEST_NO_CHALLENGE', async () => {
    const s = await server({ onRequest: (_req, res) => (res.writeHead(401).end(), true) });
    const fetch = createDigestFetch({ username: 'a', password: 'b' });
    await expect(fetch(`${s.url}/`)).rejects.toMatchObject({ code: 'ERR_DIGEST_NO_CHALLENGE' });
  });

  it('Basic only over http: refused (ERR_DIGEST_UNSUPPORTED_CHALLENGE); allowBasic: true uses it', async () => {
    const s = await server({ basicOnly: true });
    await expect(createDigestFetch({ username: 'admin', password: 'secret' })(`${s.url}/`)).rejects.toMatchObject({ code: 'ERR_DIGEST_UNSUPPORTED_CHALLENGE' });
    expect(s.seen).toHaveLength(1);
    const fetch = createDigestFetch({ username: 'admin', password: 'secret', allowBasic: true });
    expect((await fetch(`${s.url}/1`)).status).toBe(200);
    expect((await fetch(`${s.url}/2`)).status).toBe(200);
    expect(s.seen.slice(1).map((r) => r.status)).toEqual([401, 200, 200]);
  });

  it('prefers Digest when a Basic challenge is offered too (Hikvision style)', async () => {
    const s = await server({ extraChallenges: ['Basic realm="test realm"'] });
    const fetch = createDigestFetch({ username: 'admin', password: 'secret', allowBasic: true });
    expect((await fetch(`${s.url}/`)).status).toBe(200);
    expect(s.seen[1]?.authorization).toMatch(/^Digest /);
  });
});

describe('origins', () => {
  it('never sends credentials to another origin after a redirect', async () => {
    const target = await server();
    const origin = await server({
      onRequest: (req, res) => {
        if (req.url !== '/go') return false;
        res.writeHead(302, { location: `${target.url}/landing` }).end();
        return true;
      },
    });
    const fetch = createDigestFetch({ username: 'admin', password: 'secret' });
    expect((await fetch(`${origin.url}/warm`)).status).toBe(200);
    const error = await fetch(`${origin.url}/go`).catch((e: unknown) => e);
    expect(isDigestAuthError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'ERR_DIGEST_ORIGIN_NOT_ALLOWED' });
    expect(target.seen.map((r) => r.authorization)).toEqual([undefined]);
  });

  it("onForeignChallenge: 'pass' hands the foreign 401 to the caller", async () => {
    const first = await server();
    const other = await server();
    const fetch = createDigestFetch({ username: 'admin', password: 'secret', onForeignChallenge: 'pass' });
    expect((await fetch(`${first.url}/`)).status).toBe(200);
    expect((await fetch(`${other.url}/`)).status).toBe(401);
    expect(other.seen.every((r) => r.authorization === undefined)).toBe(true);
  });
});

describe('undici interceptor', () => {
  it('request(), stream() and fetch-through-dispatcher authenticate; the 401 body is drained', async () => {
    const s = await server();
    const dispatcher = new Agent({ connections: 1 }).compose(digestInterceptor({ username: 'admin', password: 'secret' }));
    const first = await request(`${s.url}/r`, { dispatcher, headers: { range: 'bytes=0-3' } });
    expect(first.statusCode).toBe(200);
    expect(await first.body.text()).toBe('hello /r');
    const chunks: Buffer[] = [];
    await stream(`${s.url}/s`, { dispatcher, method: 'GET' }, () =>
      new Writable({
        write(chunk: Buffer, _encoding, callback) {
          chunks.push(chunk);
          callback();
        },
      }),
    );
    expect(Buffer.concat(chunks).toString()).toBe('hello /s');
    expect(s.seen.map((r) => r.status)).toEqual([401, 200, 200]);
    await dispatcher.close();
  });

  it('a stream body cannot be replayed: the 401 goes to the caller, and the next request is pre-emptive', async () => {
    const s = await server();
    const dispatcher = new Agent().compose(digestInterceptor({ username: 'admin', password: 'secret' }));
    const response = await request(`${s.url}/upload`, { dispatcher, method: 'PUT', body: Readable.from([Buffer.from('data')]) });
    expect(response.statusCode).toBe(401);
    await response.body.dump();
    const again = await request(`${s.url}/upload`, { dispatcher, method: 'PUT', body: Readable.from([Buffer.from('data')]) });
    expect(again.statusCode).toBe(200);
    await again.body.dump();
    await dispatcher.close();
  });

  it('a string body is replayed after the challenge', async () => {
    const s = await server();
    const dispatcher = new Agent().compose(digestInterceptor({ username: 'admin', password: 'secret' }));
    const response = await request(`${s.url}/post`, { dispatcher, method: 'POST', body: 'payload' });
    expect(response.statusCode).toBe(200);
    await response.body.dump();
    expect(s.seen.map((r) => r.status)).toEqual([401, 200]);
    await dispatcher.close();
  });

  it('an error from the server side (reset) reaches the caller', async () => {
    const broken = createServer((req) => req.socket.destroy());
    await new Promise<void>((resolve) => broken.listen(0, '127.0.0.1', resolve));
    const dispatcher = new Agent().compose(digestInterceptor({ username: 'a', password: 'b' }));
    await expect(request(`http://127.0.0.1:${(broken.address() as AddressInfo).port}/`, { dispatcher })).rejects.toThrow();
    await dispatcher.close();
    await new Promise<void>((resolve) => broken.close(() => resolve()));
  });
});

describe('the Authorization header', () => {
  it('echoes algorithm as spelled in the challenge (md5); none when the challenge had none (RFC 2069)', async () => {
    const seen: (string | undefined)[] = [];
    let challenge = 'Digest realm="r", nonce="n1", algorithm=md5, qop="auth"';
    const s = await server({
      onRequest: (req, res) => {
        seen.push(req.headers.authorization);
        if (req.headers.authorization === undefined) res.writeHead(401, { 'www-authenticate': challenge }).end();
        else res.writeHead(200).end('ok');
        return true;
      },
    });
    expect((await createDigestFetch({ username: 'a', password: 'b' })(`${s.url}/x`)).status).toBe(200);
    expect(seen[1]).toMatch(/, algorithm=md5, /);
    challenge = 'Digest realm="r", nonce="n2"';
    expect((await createDigestFetch({ username: 'a', password: 'b' })(`${s.url}/y`)).status).toBe(200);
    expect(seen[3]).not.toMatch(/algorithm|qop|nc=|cnonce/);
    const md5 = (text: string): string => createHash('md5').update(text).digest('hex');
    expect(parseChallenges(seen[3] ?? '')[0]?.params['response']).toBe(md5(`${md5('a:r:b')}:n2:${md5('GET:/y')}`));
  });
});

describe('interceptor robustness', () => {
  const clip = Buffer.alloc(256 * 1024, 7);
  /** 200 for the whole clip (cut after 64 KiB the first time when `cutOnce`), 206 for a Range. */
  const serveClip = (state: { cut: boolean }) => (req: IncomingMessage, res: ServerResponse) => {
    const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
    if (range !== null) {
      const start = Number(range[1]);
      res.writeHead(206, { 'content-range': `bytes ${start}-${clip.length - 1}/${clip.length}`, 'content-length': clip.length - start, etag: '"e"' });
      res.end(clip.subarray(start));
      return;
    }
    res.writeHead(200, { 'content-length': clip.length, etag: '"e"', 'accept-ranges': 'bytes' });
    if (state.cut) {
      state.cut = false;
      res.write(clip.subarray(0, 64 * 1024), () => res.destroy());
    } else {
      res.end(clip);
    }
  };

  it('a 1 MiB 401 body is drained and the retry reuses the connection; HEAD works', async () => {
    const s = await server({ challengeBody: Buffer.alloc(1024 * 1024, 120) });
    const dispatcher = new Agent({ connections: 1 }).compose(digestInterceptor({ username: 'admin', password: 'secret' }));
    const response = await request(`${s.url}/big`, { dispatcher });
    expect(response.statusCode).toBe(200);
    expect(await response.body.text()).toBe('hello /big');
    const head = await request(`${s.url}/head`, { dispatcher, method: 'HEAD' });
    expect(head.statusCode).toBe(200);
    await head.body.dump();
    expect(s.seen.map((r) => `${r.method} ${r.status}`)).toEqual(['GET 401', 'GET 200', 'HEAD 200']);
    expect(new Set(s.seen.map((r) => r.port)).size).toBe(1);
    await dispatcher.close();
  });

  it('abort during the challenge round trip: rejects with the abort, nothing more is sent', async () => {
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    const s = await server({
      onRequest: (req, res) => {
        // Hold the 401 until the caller has aborted.
        if (req.headers.authorization !== undefined) return false;
        void held.then(() => res.writeHead(401, { 'www-authenticate': 'Digest realm="r", qop="auth", nonce="n"' }).end('x'));
        return true;
      },
    });
    const dispatcher = new Agent().compose(digestInterceptor({ username: 'admin', password: 'secret' }));
    const controller = new AbortController();
    const pending = request(`${s.url}/slow`, { dispatcher, signal: controller.signal });
    await new Promise((resolve) => setTimeout(resolve, 50));
    controller.abort(new Error('caller gave up'));
    await expect(pending).rejects.toThrow('caller gave up');
    release();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(s.seen.every((r) => r.authorization === undefined)).toBe(true);
    await dispatcher.close();
  });

  it('abort while the authenticated retry is in flight (fetch): rejects with AbortError', async () => {
    const s = await server({ respond: () => undefined /* never answers */ });
    const fetch = createDigestFetch({ username: 'admin', password: 'secret' });
    const controller = new AbortController();
    const pending = fetch(`${s.url}/hang`, { signal: controller.signal });
    for (let i = 0; i < 100 && s.seen.length < 2; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(s.seen.map((r) => r.status)).toEqual([401, 200]);
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('composes with undici interceptors.retry (digest inside retry): a cut body resumes with a Range request that authenticates anew (strict nc)', async () => {
    const state = { cut: true };
    const s = await server({ strictNc: true, respond: serveClip(state) });
    const retry = interceptors.retry({ maxRetries: 2, minTimeout: 1, timeoutFactor: 1 });
    // compose(a, b): `a` sits next to the connection, `b` sees the request first.
    const dispatcher = new Agent().compose(digestInterceptor({ username: 'admin', password: 'secret' }), retry);
    const response = await request(`${s.url}/clip`, { dispatcher });
    expect(response.statusCode).toBe(200);
    expect(Buffer.compare(Buffer.from(await response.body.arrayBuffer()), clip)).toBe(0);
    expect(state.cut).toBe(false);
    expect(s.seen.map((r) => [r.status, r.params?.['nc']])).toEqual([[401, undefined], [200, '00000001'], [200, '00000002']]);
    await dispatcher.close();
  });

  it('retry inside digest: the resumed request repeats the Authorization (fine where nc is not checked, a clean error where it is)', async () => {
    for (const strictNc of [false, true]) {
      const state = { cut: true };
      const s = await server({ strictNc, respond: serveClip(state) });
      const retry = interceptors.retry({ maxRetries: 2, minTimeout: 1, timeoutFactor: 1 });
      const dispatcher = new Agent().compose(retry, digestInterceptor({ username: 'admin', password: 'secret' }));
      const outcome = await (async () => {
        const response = await request(`${s.url}/clip`, { dispatcher });
        return Buffer.compare(Buffer.from(await response.body.arrayBuffer()), clip) === 0;
      })().catch((error: unknown) => error);
      if (strictNc) expect(outcome).toMatchObject({ statusCode: 401 });
      else expect(outcome).toBe(true);
      expect(s.seen.map((r) => r.params?.['nc'])).toEqual([undefined, '00000001', '00000001']);
      await dispatcher.close();
    }
  });
});

describe('secrets stay out of errors', () => {
  it('util.inspect of the error (fetch and request, with causes) holds no password, HA1, response or header', async () => {
    const s = await server();
    const password = 'Tr0ub4dor&3-unique';
    const errors: unknown[] = [];
    errors.push(await createDigestFetch({ username: 'admin', password })(`${s.url}/x`).catch((e: unknown) => e));
    const dispatcher = new Agent().compose(digestInterceptor({ username: 'admin', password }));
    errors.push(await request(`${s.url}/y`, { dispatcher }).catch((e: unknown) => e));
    await dispatcher.close();
    const md5 = (text: string): string => createHash('md5').update(text).digest('hex');
    const sent = s.seen.filter((r) => r.authorization !== undefined);
    expect(sent).toHaveLength(2);
    for (const error of errors) {
      expect(error).toMatchObject({ code: 'ERR_DIGEST_BAD_CREDENTIALS' });
      const text = inspect(error, { depth: 10, showHidden: true }) + JSON.stringify(error) + String((error as Error).stack);
      const secrets = [password, md5(`admin:test realm:${password}`), ...sent.flatMap((r) => [r.authorization ?? '', r.params?.['response'] ?? ''])];
      for (const secret of secrets) expect(text).not.toContain(secret);
    }
  });
});
