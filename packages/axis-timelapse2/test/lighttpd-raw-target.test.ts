import { createHash } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir, missingSystemTools, startLighttpdServer, type RunningTestServer, type TempDir } from '@camdl/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTimelapseClient } from '@camdl/axis-timelapse2';

/**
 * Names that must go raw on the wire (the ACAP compares the undecoded query text) against a server
 * that checks the Digest `uri` byte for byte: lighttpd `mod_auth` (RFC 7616 §3.4) in front of a CGI
 * that reads `filename=` exactly as the ACAP's `ACAP_HTTP_Request_Param` does (no decoding, up to the
 * next `&`). Timelapse2 1.x and Timelapse 3.0.0–3.1.2 behave alike here; `GET app` tells the version.
 */
const skip = missingSystemTools('lighttpd', 'python3');
const NAMES = ["O'Brien_Site_2026_01_15_0000.avi", 'Café_Zürich_(2)_2026_01_15_0000.avi', 'a+b=c,d!$;@~_2026_01_15_0000.avi', 'Plain_2026_01_15_0000.avi'];
const realm = 'AXIS_ACCC8EB3494E';
const password = 'pässword';

function cgi(archiveDir: string): string {
  return `#!/usr/bin/env python3
import os, sys
q = os.environb.get(b'QUERY_STRING', b'')
value = None
for part in q.split(b'&'):
    if part.startswith(b'filename='):
        value = part[9:]
        break
out = sys.stdout.buffer
if value is None:
    out.write(b'Status: 400\\r\\nContent-Type: text/plain\\r\\n\\r\\nMissing filename parameter'); sys.exit()
try:
    data = open(os.path.join(${JSON.stringify(archiveDir)}.encode(), value), 'rb').read()
except OSError:
    out.write(b'Status: 404\\r\\nContent-Type: text/plain\\r\\n\\r\\nFile not found'); sys.exit()
out.write(b'Content-Type: video/x-msvideo\\r\\nContent-Length: ' + str(len(data)).encode() + b'\\r\\n\\r\\n' + data)
`;
}

async function startAcap(version: string, dir: TempDir): Promise<RunningTestServer> {
  const archives = join(dir.path, 'archives');
  await mkdir(archives, { recursive: true });
  for (const name of NAMES) await writeFile(join(archives, name), `content of ${name}`);
  const listing = NAMES.map((filename) => ({ id: 'X', filename, size: 10, frames: 1, fps: 1, first: 1, last: 2 }));
  return startLighttpdServer({
    modules: ['mod_auth', 'mod_authn_file', 'mod_cgi'],
    files: {
      'local/timelapse2/app': JSON.stringify({ manifest: { acapPackageConf: { setup: { version } } } }),
      'local/timelapse2/archive': JSON.stringify(listing),
      'local/timelapse2/download': cgi(archives),
    },
    prepare: async (root) => {
      const ha1 = createHash('md5').update(`root:${realm}:${password}`).digest('hex');
      await writeFile(join(root, 'htdigest'), `root:${realm}:${ha1}\n`);
      await chmod(join(root, 'htdocs', 'local', 'timelapse2', 'download'), 0o755);
    },
    extraConfig: (root) => `
auth.backend = "htdigest"
auth.backend.htdigest.userfile = "${join(root, 'htdigest')}"
auth.require = ("/local/timelapse2" => ("method" => "digest", "realm" => "${realm}", "require" => "valid-user", "algorithm" => "MD5"))
cgi.assign = ("/download" => "/usr/bin/python3")
# The camera's Apache hands the query to the ACAP undecoded and unnormalised; so does this.
server.http-parseopts = ("url-normalize" => "disable")`,
  });
}

for (const version of ['1.2.3', '3.0.4', '3.1.2']) {
  describe.skipIf(skip !== undefined)(`Timelapse ${version} names through real lighttpd (byte-exact Digest uri)`, () => {
    let server: RunningTestServer;
    let dir: TempDir;
    beforeAll(async () => {
      dir = await makeTempDir('camdl-lighttpd-acap-');
      server = await startAcap(version, dir);
    }, 20_000);
    afterAll(async () => {
      await server?.stop();
      await dir?.cleanup();
    });

    it.each(NAMES)('downloads %s (GET app decides the spelling)', async (filename) => {
      const client = createTimelapseClient({ baseUrl: server.url, username: 'root', password, timeout: 5000 });
      try {
        const { archives } = await client.listArchives();
        const archive = archives.find((entry) => entry.filename === filename)!;
        const destination = join(dir.path, createHash('sha1').update(filename).digest('hex'));
        const result = await client.downloadArchive(archive, destination, { maxRetries: 0 });
        expect(result.status).toBe('downloaded');
        expect(await readFile(destination, 'utf8')).toBe(`content of ${filename}`);
        // The request line carried the raw UTF-8 name, not a percent-encoded one (lighttpd's access log
        // writes bytes above 0x7e as \xHH).
        const logged = [...Buffer.from(filename, 'utf8')].map((byte) => (byte > 0x7e ? `\\x${byte.toString(16).toUpperCase()}` : String.fromCharCode(byte))).join('');
        expect((await server.readAccessLog()).join('\n')).toContain(`?filename=${logged} `);
      } catch (error) {
        const log = await readFile(server.errorLog, 'utf8').catch(() => '');
        throw new Error(`${String(error)}\n${log}`, { cause: error });
      } finally {
        await client.close();
      }
    });
  });
}
