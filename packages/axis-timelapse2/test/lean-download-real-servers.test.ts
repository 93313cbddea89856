import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deterministicBytes, makeTempDir, missingSystemTools, sha256, startApacheServer, startLighttpdServer, type RunningTestServer, type TempDir } from '@camdl/test-utils';
import { digestInterceptor } from '@camdl/http-digest';
import { download, DownloadAgent, temporaryPaths } from '@camdl/throttled-download';

// download() through DownloadAgent's lean HTTP/1.1 reader against real servers with Digest auth: the
// Authorization header comes from @camdl/http-digest's interceptor composed on the agent (pre-emptive
// after the first challenge, one 401 → one retry, stale nonces), the body from the lean reader.

const skip = missingSystemTools('lighttpd', 'apache2');
const username = 'camera';
const password = 'Secret, or not?';
const file = deterministicBytes(3 * 1024 * 1024 + 17, 9);
const statuses = (lines: string[]): string[] => lines.map((line) => / (\d{3}) /.exec(line)?.[1] ?? '?');

describe.skipIf(skip)('lean downloads against real servers with Digest auth', () => {
  let dir: TempDir;
  beforeAll(async () => {
    dir = await makeTempDir('camdl-lean-real-');
  });
  afterAll(async () => {
    await dir.cleanup();
  });

  describe('lighttpd (MD5 digest)', () => {
    const realm = 'camdl lighttpd';
    let server: RunningTestServer;
    beforeAll(async () => {
      server = await startLighttpdServer({
        files: { 'a.mkv': file, 'b.mkv': file, 'c.mkv': file },
        modules: ['mod_auth', 'mod_authn_file'],
        prepare: async (root) => {
          const ha1 = createHash('md5').update(`${username}:${realm}:${password}`).digest('hex');
          await writeFile(join(root, 'htdigest'), `${username}:${realm}:${ha1}\n`);
        },
        extraConfig: (root) => `
auth.backend = "htdigest"
auth.backend.htdigest.userfile = "${join(root, 'htdigest')}"
auth.require = ("/" => ("method" => "digest", "realm" => "${realm}", "require" => "valid-user", "algorithm" => "MD5"))`,
      });
    });
    afterAll(async () => {
      await server?.stop();
    });

    it('three files one after another: N + 1 requests, identical files', async () => {
      const dispatcher = new DownloadAgent({ connections: 1 }).compose(digestInterceptor({ username, password }));
      const before = (await server.readAccessLog()).length;
      for (const name of ['a', 'b', 'c']) {
        const dest = join(dir.path, `${name}.mkv`);
        const result = await download(`${server.url}/${name}.mkv`, dest, { dispatcher });
        expect(result).toMatchObject({ status: 'downloaded', size: file.length, verified: true });
        expect(sha256(readFileSync(dest))).toBe(sha256(file));
      }
      expect(statuses((await server.readAccessLog()).slice(before))).toEqual(['401', '200', '200', '200']);
      await dispatcher.close();
    });

    it('resumes a .part with Range + If-Range (206) through the same agent', async () => {
      const dispatcher = new DownloadAgent().compose(digestInterceptor({ username, password }));
      const dest = join(dir.path, 'resumed.mkv');
      // The first run stops after about a MiB (abort), keeping its resumable .part.
      const controller = new AbortController();
      await expect(
        download(`${server.url}/a.mkv`, dest, {
          dispatcher,
          rateLimitMbps: 40,
          signal: controller.signal,
          onProgress: (progress) => {
            if (progress.bytes > 1024 * 1024) controller.abort();
          },
          progressInterval: 0,
        }),
      ).rejects.toMatchObject({ code: 'ERR_DOWNLOAD_ABORTED' });
      const kept = readFileSync(temporaryPaths(dest).part).length;
      expect(kept).toBeGreaterThan(0);
      const before = (await server.readAccessLog()).length;
      const result = await download(`${server.url}/a.mkv`, dest, { dispatcher });
      expect(result).toMatchObject({ status: 'resumed', bytes: file.length - kept, size: file.length });
      expect(sha256(readFileSync(dest))).toBe(sha256(file));
      // Pre-emptive: the nonce learned by the first run authenticates the Range request at once.
      expect(statuses((await server.readAccessLog()).slice(before))).toEqual(['206']);
      await dispatcher.close();
    });

    it('wrong password: ERR_DOWNLOAD_AUTH after one challenge, no retry, no file', async () => {
      const dispatcher = new DownloadAgent().compose(digestInterceptor({ username, password: 'wrong' }));
      const dest = join(dir.path, 'denied.mkv');
      const before = (await server.readAccessLog()).length;
      await expect(download(`${server.url}/a.mkv`, dest, { dispatcher, retryDelay: 0 })).rejects.toMatchObject({ code: 'ERR_DOWNLOAD_AUTH' });
      expect(statuses((await server.readAccessLog()).slice(before))).toEqual(['401', '401']);
      await dispatcher.close();
    });
  });

  describe('Apache httpd (mod_auth_digest, AuthDigestNcCheck On, nonces living 1 s)', () => {
    const realm = 'camdl apache';
    let server: RunningTestServer;
    beforeAll(async () => {
      let root = '';
      server = await startApacheServer({
        files: { 'a.mkv': file },
        extraConfig: 'AuthDigestShmemSize 1048576',
        prepare: async (dirRoot) => {
          root = dirRoot;
          const ha1 = createHash('md5').update(`${username}:${realm}:${password}`).digest('hex');
          writeFileSync(join(dirRoot, 'htdigest'), `${username}:${realm}:${ha1}\n`);
        },
        get directoryConfig() {
          return `
  AuthType Digest
  AuthName "${realm}"
  AuthDigestProvider file
  AuthUserFile "${root}/htdigest"
  AuthDigestNcCheck On
  AuthDigestNonceLifetime 1
  Require valid-user`;
        },
      });
    });
    afterAll(async () => {
      await server?.stop();
    });

    it('pre-emptive with the cached nonce, then a stale nonce answered once', async () => {
      const dispatcher = new DownloadAgent().compose(digestInterceptor({ username, password }));
      const dest = (n: number): string => join(dir.path, `apache-${n}.mkv`);
      const before = (await server.readAccessLog()).length;
      await download(`${server.url}/a.mkv`, dest(1), { dispatcher });
      await download(`${server.url}/a.mkv`, dest(2), { dispatcher });
      expect(statuses((await server.readAccessLog()).slice(before))).toEqual(['401', '200', '200']);
      await new Promise((resolve) => setTimeout(resolve, 2100));
      const middle = (await server.readAccessLog()).length;
      const result = await download(`${server.url}/a.mkv`, dest(3), { dispatcher });
      expect(result).toMatchObject({ status: 'downloaded', size: file.length, attempts: 1 });
      expect(statuses((await server.readAccessLog()).slice(middle))).toEqual(['401', '200']);
      for (const n of [1, 2, 3]) expect(sha256(readFileSync(dest(n)))).toBe(sha256(file));
      await dispatcher.close();
    });
  });
});
