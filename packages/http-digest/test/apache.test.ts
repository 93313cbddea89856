import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { missingSystemTools, startApacheServer, type RunningTestServer } from '@camdl/test-utils';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDigestFetch, digestInterceptor, isDigestAuthError } from '@camdl/http-digest';

const skip = missingSystemTools('apache2');
const realm = 'camdl apache';
const username = 'camera';
const password = 'p4ss, "word"';

function apacheDigestConfig(extra = ''): Parameters<typeof startApacheServer>[0] {
  return {
    files: { 'clip.txt': 'clip-'.repeat(1000) },
    extraConfig: 'AuthDigestShmemSize 1048576',
    prepare: async (root) => {
      const ha1 = createHash('md5').update(`${username}:${realm}:${password}`).digest('hex');
      await writeFile(join(root, 'htdigest'), `${username}:${realm}:${ha1}\n`);
    },
    directoryConfig: `
  AuthType Digest
  AuthName "${realm}"
  AuthDigestProvider file
  AuthUserFile "__ROOT__/htdigest"
  AuthDigestNcCheck On
  ${extra}
  Require valid-user`,
  };
}

async function start(extra?: string): Promise<RunningTestServer> {
  const config = apacheDigestConfig(extra);
  // The htdigest path depends on the temp root: patch it in from prepare.
  let rootSeen = '';
  const server = await startApacheServer({
    ...config,
    prepare: async (root) => {
      rootSeen = root;
      await config?.prepare?.(root);
    },
    get directoryConfig() {
      return config?.directoryConfig?.replace('__ROOT__', rootSeen);
    },
  });
  return server;
}

const statusCounts = (lines: string[]): Record<string, number> =>
  lines.reduce<Record<string, number>>((acc, line) => {
    const status = / (\d{3}) /.exec(line)?.[1] ?? '?';
    acc[status] = (acc[status] ?? 0) + 1;
    return acc;
  }, {});

describe.skipIf(skip)('Apache mod_auth_digest (AuthDigestNcCheck On)', () => {
  let server: RunningTestServer;
  beforeAll(async () => {
    server = await start();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('50 requests, 8 at a time, all 200, about one server request each after the first challenge', async () => {
    const before = (await server.readAccessLog()).length;
    const fetch = createDigestFetch({ username, password });
    const first = await fetch(`${server.url}/clip.txt`);
    expect(first.status).toBe(200);
    await first.arrayBuffer();
    const afterFirst = (await server.readAccessLog()).length;
    expect(afterFirst - before).toBe(2); // challenge + authenticated request

    let next = 0;
    const statuses: number[] = [];
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < 50) {
          next++;
          const response = await fetch(`${server.url}/clip.txt?n=${next}`);
          statuses.push(response.status);
          expect((await response.text()).length).toBe(5000);
        }
      }),
    );
    expect(statuses).toHaveLength(50);
    expect(statuses.every((status) => status === 200)).toBe(true);
    const lines = (await server.readAccessLog()).slice(afterFirst);
    const counts = statusCounts(lines);
    expect(counts['200']).toBe(50);
    // With the default nonceConcurrency 'exclusive', each of the 8 workers collects its own nonce
    // once (at most 7 extra 401s), then every request is a single round trip.
    expect(lines.length).toBeLessThanOrEqual(50 + 7);
    console.info(`apache: 50 concurrent requests reached the server as ${lines.length} requests`, counts);
  });

  it('works through undici request() and stream() with a Range header', async () => {
    const dispatcher = new Agent().compose(digestInterceptor({ username, password }));
    const ranged = await request(`${server.url}/clip.txt`, { dispatcher, headers: { range: 'bytes=5-9' } });
    expect(ranged.statusCode).toBe(206);
    expect(await ranged.body.text()).toBe('clip-');
    const second = await request(`${server.url}/clip.txt`, { dispatcher, headers: [['range', 'bytes=0-3']] as unknown as string[] });
    expect(second.statusCode).toBe(206);
    expect(await second.body.text()).toBe('clip');
    await dispatcher.close();
  });

  it('wrong password: one retry, then ERR_DIGEST_BAD_CREDENTIALS; the server saw exactly 2 requests', async () => {
    const before = (await server.readAccessLog()).length;
    const fetch = createDigestFetch({ username, password: 'wrong' });
    const error = await fetch(`${server.url}/clip.txt`).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isDigestAuthError(error)).toBe(true);
    const digestError = error as Error;
    expect(digestError).toMatchObject({ code: 'ERR_DIGEST_BAD_CREDENTIALS', status: 401, attempt: 2 });
    expect(String((digestError as Error).message)).not.toContain('wrong');
    const lines = (await server.readAccessLog()).slice(before);
    expect(lines).toHaveLength(2);
    expect(statusCounts(lines)['401']).toBe(2);
  });
});

describe.skipIf(skip)('Apache stale nonce (AuthDigestNonceLifetime 1)', () => {
  it('retries once with the new nonce after stale=true, silently', async () => {
    const server = await start('AuthDigestNonceLifetime 1');
    try {
      const fetch = createDigestFetch({ username, password });
      expect((await fetch(`${server.url}/clip.txt`)).status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 2100));
      const before = (await server.readAccessLog()).length;
      const response = await fetch(`${server.url}/clip.txt`);
      expect(response.status).toBe(200);
      const lines = (await server.readAccessLog()).slice(before);
      expect(lines.map((line) => / (\d{3}) /.exec(line)?.[1])).toEqual(['401', '200']);
    } finally {
      await server.stop();
    }
  });
});

describe.skipIf(skip)('Apache: bytes beyond ASCII (UTF-8 realm and user name, raw request-target)', () => {
  const utf8Realm = 'Kämera Süd';
  const utf8User = 'jösé';
  let server: RunningTestServer;
  beforeAll(async () => {
    let root = '';
    server = await startApacheServer({
      files: { 'clip.txt': 'plain clip' },
      extraConfig: 'AuthDigestShmemSize 1048576',
      prepare: async (dir) => {
        root = dir;
        // A file whose name is the single byte 0xE9 ("é" in latin1), as an old camera might have.
        await writeFile(Buffer.from(join(dir, 'htdocs', 'caf\xe9.txt'), 'latin1'), 'latin1 name');
        const line = (user: string): string => `${user}:${utf8Realm}:${createHash('md5').update(`${user}:${utf8Realm}:${password}`, 'utf8').digest('hex')}`;
        await writeFile(join(dir, 'htdigest'), `${line(utf8User)}\n${line(username)}\n`, 'utf8');
      },
      get directoryConfig() {
        return `
  AuthType Digest
  AuthName "${utf8Realm}"
  AuthDigestProvider file
  AuthUserFile "${root}/htdigest"
  AuthDigestNcCheck On
  Require valid-user`;
      },
    });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('a realm sent as UTF-8 bytes is echoed and hashed as those bytes', async () => {
    const fetch = createDigestFetch({ username, password });
    for (let i = 0; i < 3; i++) expect((await fetch(`${server.url}/clip.txt`)).status).toBe(200);
  });

  it('a non-ASCII user name goes as its UTF-8 bytes to a server without charset=UTF-8', async () => {
    const fetch = createDigestFetch({ username: utf8User, password });
    const response = await fetch(`${server.url}/clip.txt`);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('plain clip');
  });

  it('the Digest uri is the request-target as sent: raw latin1 bytes, "//" and dot segments', async () => {
    const dispatcher = new Agent().compose(digestInterceptor({ username, password }));
    try {
      const raw = await dispatcher.request({ origin: server.url, method: 'GET', path: '/caf\xe9.txt' });
      expect(raw.statusCode).toBe(200);
      expect(await raw.body.text()).toBe('latin1 name');
      for (const path of ['//clip.txt', '/x/../clip.txt', '/%63lip.txt?a=%C3%A9&b=%e9']) {
        const response = await dispatcher.request({ origin: server.url, method: 'GET', path });
        expect(response.statusCode, path).toBe(200);
        expect(await response.body.text()).toBe('plain clip');
      }
    } finally {
      await dispatcher.close();
    }
  });
});
