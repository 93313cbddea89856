import { createHash } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { missingSystemTools, makeTempDir, startApacheServer, type RunningTestServer, type TempDir } from '@camdl/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTimelapseClient, type TimelapseArchive } from '@camdl/axis-timelapse2';

/**
 * The 1.x encoding against the real thing in front of the ACAP: Apache httpd with mod_auth_digest
 * passes QUERY_STRING undecoded to a CGI that parses it exactly as the ACAP's
 * `ACAP_HTTP_Request_Param` does (value after `filename=` up to the next `&`, no decoding) and opens
 * that name. Digest's `uri` carries the normalised (percent-encoded) form, the request line the raw
 * bytes: Apache matches them after unescaping both.
 */
const skip = missingSystemTools('apache2', 'python3');
const NAMES = ["O'Brien's_Shop_2025_09_30_0000.avi", 'Café_Zürich_2025_09_30_0000.avi', 'a+b=c(1)!$,;@~_2025.avi', 'Plain_2025_09_30_0000.avi'];
const CGI = `#!/usr/bin/env python3
import os, sys
q = os.environb.get(b'QUERY_STRING', b'')
value = None
start = 0
while True:
    i = q.find(b'filename=', start)
    if i < 0: break
    if i == 0 or q[i-1:i] == b'&':
        rest = q[i+9:]
        value = rest.split(b'&', 1)[0]
        break
    start = i + 1
out = sys.stdout.buffer
if value is None:
    out.write(b'Status: 400 Client Error\\r\\nContent-Type: text/plain\\r\\n\\r\\nMissing filename parameter'); sys.exit()
path = os.path.join(os.environb[b'ARCHIVE_DIR'], value)
try:
    data = open(path, 'rb').read()
except OSError:
    out.write(b'Status: 404 Client Error\\r\\nContent-Type: text/plain\\r\\n\\r\\nFile not found'); sys.exit()
out.write(b'Content-Type: video/x-msvideo\\r\\nContent-Length: ' + str(len(data)).encode() + b'\\r\\n\\r\\n' + data)
`;

describe.skipIf(skip !== undefined)('Timelapse2 1.x names through real Apache + mod_auth_digest', () => {
  let server: RunningTestServer;
  let archiveDir: TempDir;
  let out: TempDir;
  const password = 'pässword';
  beforeAll(async () => {
    archiveDir = await makeTempDir('camdl-acap-archive-');
    await chmod(archiveDir.path, 0o755);
    await mkdir(join(archiveDir.path, 'files'));
    for (const name of NAMES) await writeFile(join(archiveDir.path, 'files', name), `content of ${name}`);
    out = await makeTempDir('camdl-apache-out-');
    await mkdir(join(archiveDir.path, 'cgi'));
    await writeFile(join(archiveDir.path, 'cgi', 'download.py'), CGI, { mode: 0o755 });
    const ha1 = createHash('md5').update(`root:AXIS_ACCC8EB3494E:${password}`).digest('hex');
    await writeFile(join(archiveDir.path, 'digest.pw'), `root:AXIS_ACCC8EB3494E:${ha1}\n`);
    await chmod(join(archiveDir.path, 'digest.pw'), 0o644);
    server = await startApacheServer({
      modules: ['cgi', 'alias', 'env'],
      extraConfig: `SetEnv ARCHIVE_DIR ${archiveDir.path}/files
ScriptAlias /local/timelapse2/download "${archiveDir.path}/cgi/download.py"
<Location "/local/timelapse2">
  AuthType Digest
  AuthName "AXIS_ACCC8EB3494E"
  AuthDigestProvider file
  AuthUserFile "${archiveDir.path}/digest.pw"
  Require valid-user
</Location>`,
    });
  }, 20_000);
  afterAll(async () => {
    await server?.stop();
    await archiveDir?.cleanup();
    await out?.cleanup();
  });

  it.each(NAMES)('downloads %s', async (filename) => {
    const client = createTimelapseClient({ baseUrl: server.url, username: 'root', password, api: 'timelapse2-v1', timeout: 5000 });
    try {
      const archive: TimelapseArchive = { id: 'X', filename, size: undefined, frames: undefined, fps: undefined, first: undefined, last: undefined, raw: {} };
      const destination = join(out.path, createHash('sha1').update(filename).digest('hex'));
      const result = await client.downloadArchive(archive, destination, { maxRetries: 0 });
      expect(result.status).toBe('downloaded');
      expect(await readFile(destination, 'utf8')).toBe(`content of ${filename}`);
    } catch (error) {
      const log = await readFile(server.errorLog, 'utf8').catch(() => '');
      throw new Error(`${String(error)}\n${log}`, { cause: error });
    } finally {
      await client.close();
    }
  });

  it.each(["O'Brien's_Shop_2025_09_30_0000.avi", 'Café_Zürich_2025_09_30_0000.avi'])(
    'the web UI spelling (encodeURIComponent) of %s is not found; a 3.x client without a version falls back to the raw one',
    async (filename) => {
      // Requests it the 3.1.3+ way first: percent-encoded, which this app compares literally (404).
      const warnings: string[] = [];
      const client = createTimelapseClient({ baseUrl: server.url, username: 'root', password, api: 'timelapse3', timeout: 5000, onWarning: (text) => warnings.push(text) });
      try {
        const archive: TimelapseArchive = { id: 'X', filename, size: undefined, frames: undefined, fps: undefined, first: undefined, last: undefined, raw: {} };
        const destination = join(out.path, `fallback-${createHash('sha1').update(filename).digest('hex')}`);
        const before = (await server.readAccessLog()).length;
        expect((await client.downloadArchive(archive, destination, { maxRetries: 0 })).status).toBe('downloaded');
        expect(await readFile(destination, 'utf8')).toBe(`content of ${filename}`);
        expect(warnings).toEqual([`${filename}: not found percent-encoded; trying the raw name (Timelapse 3.0.0–3.1.2 compare the undecoded query text)`]);
        const log = (await server.readAccessLog()).slice(before);
        expect(log.filter((line) => line.includes('/download?')).map((line) => / (\d{3}) /.exec(line.split('"')[2] ?? '')?.[1])).toEqual(['401', '404', '200']);
      } finally {
        await client.close();
      }
    },
  );
});
