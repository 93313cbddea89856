import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { missingSystemTools, startLighttpdServer, type RunningTestServer } from '@camdl/test-utils';
import { Agent, request, type Dispatcher } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDigestFetch, digestInterceptor, isDigestAuthError, parseChallenges } from '@camdl/http-digest';

const skip = missingSystemTools('lighttpd');
const realm = 'camdl lighttpd';
const username = 'camera';
const password = 'Secret, or not?';

/**
 * lighttpd's htdigest backend tells the algorithm from the hash length, and SHA-256 and SHA-512/256
 * are both 64 hex digits: the file holds the MD5 line plus the 64-digit line of the strongest offered
 * algorithm. `plain` (cleartext passwords) serves every algorithm.
 */
async function startWith(algorithm: string, backend: 'htdigest' | 'plain' = 'htdigest'): Promise<RunningTestServer> {
  const wide = algorithm.includes('SHA-512-256') ? 'sha512-256' : 'sha256';
  return startLighttpdServer({
    files: { 'clip.txt': 'lighttpd clip' },
    modules: ['mod_auth', 'mod_authn_file'],
    prepare: async (root) => {
      await writeFile(join(root, 'plain'), `${username}:${password}\n`);
      const lines = ['md5', wide].map((hash) => `${username}:${realm}:${createHash(hash).update(`${username}:${realm}:${password}`).digest('hex')}`);
      await writeFile(join(root, 'htdigest'), `${lines.join('\n')}\n`);
    },
    extraConfig: (root) => `
auth.backend = "${backend}"
auth.backend.htdigest.userfile = "${join(root, 'htdigest')}"
auth.backend.plain.userfile = "${join(root, 'plain')}"
auth.require = ("/" => ("method" => "digest", "realm" => "${realm}", "require" => "valid-user", "algorithm" => "${algorithm}"))`,
  });
}

/** The algorithm of the Authorization header that succeeded can't be seen from the log; ask the server by probing. */
async function challengeAlgorithms(url: string): Promise<string[]> {
  const response = await fetch(url);
  await response.arrayBuffer();
  return parseChallenges(response.headers.get('www-authenticate') ?? '').map((c) => c.params['algorithm'] ?? 'MD5');
}

describe.skipIf(skip)('lighttpd mod_auth (htdigest)', () => {
  let server: RunningTestServer;
  beforeAll(async () => {
    server = await startWith('SHA-512-256|SHA-256|MD5');
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('offers three algorithms; we pick SHA-512-256 and succeed in one round trip afterwards', async () => {
    expect(await challengeAlgorithms(`${server.url}/clip.txt`)).toEqual(['SHA-512-256', 'SHA-256', 'MD5']);
    const sent: string[] = [];
    // Record what goes on the wire, underneath the digest interceptor.
    const recorder: Dispatcher.DispatcherComposeInterceptor = (dispatch) => (opts, handler) => {
      const headers = opts.headers as Record<string, string>;
      if (headers['authorization'] !== undefined) sent.push(headers['authorization']);
      return dispatch(opts, handler);
    };
    const fetch = createDigestFetch({ username, password, dispatcher: new Agent().compose(recorder) });
    const before = (await server.readAccessLog()).length;
    const response = await fetch(`${server.url}/clip.txt`);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('lighttpd clip');
    for (let i = 0; i < 5; i++) expect((await fetch(`${server.url}/clip.txt`)).status).toBe(200);
    const lines = (await server.readAccessLog()).slice(before);
    expect(lines).toHaveLength(2 + 5);
    expect(sent).toHaveLength(6);
    const params = sent.map((header) => parseChallenges(header)[0]?.params);
    expect(params.every((p) => p?.['algorithm'] === 'SHA-512-256')).toBe(true);
    // One nonce, counted up: nc 1..6.
    expect(params.map((p) => p?.['nc'])).toEqual(['00000001', '00000002', '00000003', '00000004', '00000005', '00000006']);
  });

  it('only SHA-512-256 in the preference list still works (proves the SHA-512/256 path)', async () => {
    const fetch = createDigestFetch({ username, password, algorithms: ['SHA-512-256'] });
    expect((await fetch(`${server.url}/clip.txt`)).status).toBe(200);
  });

  it('a SHA-256-only client fails: the server’s 64-digit hash is SHA-512/256, so the default choice above was SHA-512-256', async () => {
    const fetch = createDigestFetch({ username, password, algorithms: ['SHA-256'] });
    await expect(fetch(`${server.url}/clip.txt`)).rejects.toMatchObject({ code: 'ERR_DIGEST_BAD_CREDENTIALS' });
  });

  it('a preference for MD5 picks MD5 among the offered challenges', async () => {
    const fetch = createDigestFetch({ username, password, algorithms: ['MD5'] });
    expect((await fetch(`${server.url}/clip.txt`)).status).toBe(200);
  });

  it('wrong password: ERR_DIGEST_BAD_CREDENTIALS after exactly 2 requests', async () => {
    const before = (await server.readAccessLog()).length;
    const fetch = createDigestFetch({ username, password: 'nope' });
    await expect(fetch(`${server.url}/clip.txt`)).rejects.toMatchObject({ code: 'ERR_DIGEST_BAD_CREDENTIALS' });
    const lines = (await server.readAccessLog()).slice(before);
    expect(lines).toHaveLength(2);
  });

  it('rejects with ERR_DIGEST_UNSUPPORTED_CHALLENGE when no offered algorithm is accepted', async () => {
    const only = await startWith('MD5');
    try {
      const fetch = createDigestFetch({ username, password, algorithms: ['SHA-256'] });
      const error = await fetch(`${only.url}/clip.txt`).catch((e: unknown) => e);
      expect(isDigestAuthError(error)).toBe(true);
      expect(error).toMatchObject({ code: 'ERR_DIGEST_UNSUPPORTED_CHALLENGE' });
    } finally {
      await only.stop();
    }
  });
});

describe.skipIf(skip)('lighttpd plain backend, all three algorithms', () => {
  for (const algorithm of ['SHA-512-256', 'SHA-256', 'MD5'] as const) {
    it(`client preferring ${algorithm}`, async () => {
      const server = await startWith('SHA-512-256|SHA-256|MD5', 'plain');
      try {
        const fetch = createDigestFetch({ username, password, algorithms: [algorithm] });
        expect((await fetch(`${server.url}/clip.txt`)).status).toBe(200);
      } finally {
        await server.stop();
      }
    });
  }
});

describe.skipIf(skip)('lighttpd single-algorithm configs', () => {
  for (const algorithm of ['MD5', 'SHA-256']) {
    it(`${algorithm} only`, async () => {
      const server = await startWith(algorithm);
      try {
        expect(await challengeAlgorithms(`${server.url}/clip.txt`)).toEqual([algorithm]);
        const fetch = createDigestFetch({ username, password });
        expect((await fetch(`${server.url}/clip.txt`)).status).toBe(200);
        expect((await fetch(`${server.url}/clip.txt`)).status).toBe(200);
      } finally {
        await server.stop();
      }
    });
  }
});

/**
 * lighttpd compares Digest's `uri` with the request-target byte for byte (RFC 7616 §3.4). The
 * interceptor must sign exactly what undici sends: the path with undici's own serialisation of
 * `query`, and a target rewritten by another interceptor that runs before it.
 */
describe.skipIf(skip)('lighttpd: the uri is the request-target as sent', () => {
  let server: RunningTestServer;
  beforeAll(async () => {
    server = await startLighttpdServer({
      files: { "O'Brien (1).txt": 'quoted', 'Café.txt': 'accented' },
      modules: ['mod_auth', 'mod_authn_file'],
      prepare: async (root) => {
        await writeFile(join(root, 'plain'), `${username}:${password}\n`);
      },
      extraConfig: (root) => `
auth.backend = "plain"
auth.backend.plain.userfile = "${join(root, 'plain')}"
auth.require = ("/" => ("method" => "digest", "realm" => "${realm}", "require" => "valid-user", "algorithm" => "MD5"))`,
    });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("request() with `query`: signed and sent in undici's own spelling", async () => {
    const dispatcher = new Agent().compose(digestInterceptor({ username, password }));
    const before = (await server.readAccessLog()).length;
    const response = await request(`${server.url}/Caf%C3%A9.txt`, { dispatcher, query: { who: "O'Brien (1)", n: 2 } });
    expect(response.statusCode).toBe(200);
    expect(await response.body.text()).toBe('accented');
    // node:querystring, as undici serialises `query` without an interceptor: `'` `(` `)` stay raw.
    const lines = (await server.readAccessLog()).slice(before);
    expect(lines.at(-1)).toContain(`"GET /Caf%C3%A9.txt?who=O'Brien%20(1)&n=2 HTTP/1.1" 200`);
  });

  it('a target rewritten by an interceptor composed after the digest interceptor (runs first) is what gets signed', async () => {
    // Raw bytes on the wire: `'` and UTF-8 unescaped in the path and the query, as Timelapse2 1.x needs.
    const raw = Buffer.from("/O'Brien (1).txt?name=O'Brien_Café", 'utf8').toString('latin1').replace(' ', '%20');
    const rewrite: Dispatcher.DispatcherComposeInterceptor = (dispatch) => (opts, handler) =>
      dispatch(opts.path.startsWith('/O') ? { ...opts, path: raw } : opts, handler);
    const dispatcher = new Agent().compose(digestInterceptor({ username, password }), rewrite);
    for (let i = 0; i < 2; i++) {
      const response = await request(`${server.url}/O'Brien%20(1).txt?name=x`, { dispatcher });
      expect(response.statusCode).toBe(200);
      expect(await response.body.text()).toBe('quoted');
    }
    const fetch = createDigestFetch({ username, password, dispatcher: new Agent() });
    // fetch keeps a trailing `?` on the wire: the interceptor sees and signs it too.
    const withMark = await fetch(`${server.url}/clip-missing.txt?`);
    expect(withMark.status).toBe(404);
  });
});
