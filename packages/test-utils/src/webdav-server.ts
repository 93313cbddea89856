import { createHash, randomBytes } from 'node:crypto';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startApacheServer, type RunningTestServer } from './apache-server.js';

/** Apache httpd with mod_dav on 127.0.0.1: a real WebDAV server (an rclone `webdav` remote). */
export interface WebDavServer {
  /** The WebDAV collection, e.g. `http://127.0.0.1:41234/dav`. */
  url: string;
  username: string;
  password: string;
  /** Where the collection's files are on disk. */
  directory: string;
  apache: RunningTestServer;
  close(): Promise<void>;
}

/** Starts Apache with mod_dav (basic auth, a random password) serving a fresh, writable directory at /dav. */
export async function startWebDavServer(): Promise<WebDavServer> {
  const username = 'camdl';
  const password = randomBytes(12).toString('base64url');
  const apache = await startApacheServer({
    modules: ['dav', 'dav_fs'],
    prepare: async (root) => {
      const dav = join(root, 'htdocs', 'dav');
      await mkdir(dav, { recursive: true });
      await mkdir(join(root, 'davlock'), { recursive: true });
      // Worker threads run as nobody when the tests run as root.
      await chmod(dav, 0o777);
      await chmod(join(root, 'davlock'), 0o777);
      const sha1 = createHash('sha1').update(password).digest('base64');
      await writeFile(join(root, 'htpasswd'), `${username}:{SHA}${sha1}\n`);
    },
    // Relative paths are under the ServerRoot (the server's temp dir).
    extraConfig: 'DavLockDB davlock/lock',
    directoryConfig: [
      'Dav On',
      'AuthType Basic',
      'AuthName "camdl"',
      'AuthBasicProvider file',
      'AuthUserFile htpasswd',
      'Require valid-user',
    ].join('\n  '),
  });
  return {
    url: `${apache.url}/dav`,
    username,
    password,
    directory: join(apache.docroot, 'dav'),
    apache,
    close: () => apache.stop(),
  };
}
