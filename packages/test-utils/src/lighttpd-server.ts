import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { launchTestServer, type RunningTestServer } from './apache-server.js';
import { findFreePort } from './free-port.js';
import { findSystemTool } from './system-tool.js';
import { makeTempDir } from './temp-dir.js';

export interface LighttpdServerOptions {
  /** Extra lighttpd.conf lines (auth.require, auth.backend...). `${root}` is not expanded: use `prepare`. */
  extraConfig?: string | ((root: string) => string);
  /** Modules to load besides mod_accesslog, e.g. `['mod_auth', 'mod_authn_file']`. */
  modules?: string[];
  /** Files to create under the docroot: relative path → content. */
  files?: Record<string, string | Buffer>;
  /** Called with the root dir before start, to write password files and the like. */
  prepare?: (root: string) => Promise<void>;
}

/** Starts lighttpd (`lighttpd -D`) on 127.0.0.1 and a free port with a config generated in a temp dir. */
export async function startLighttpdServer(options: LighttpdServerOptions = {}): Promise<RunningTestServer> {
  const binary = findSystemTool('lighttpd');
  if (binary === undefined) throw new Error('lighttpd not found');
  const temp = await makeTempDir('camdl-lighttpd-');
  const root = temp.path;
  const docroot = join(root, 'htdocs');
  await mkdir(docroot, { recursive: true });
  for (const [name, content] of Object.entries(options.files ?? {})) {
    const path = join(docroot, name);
    await mkdir(join(path, '..'), { recursive: true });
    await writeFile(path, content);
  }
  await options.prepare?.(root);
  const port = await findFreePort();
  const accessLog = join(root, 'access.log');
  const errorLog = join(root, 'error.log');
  const modules = ['mod_accesslog', ...(options.modules ?? [])].map((name) => `"${name}"`).join(', ');
  const extra = typeof options.extraConfig === 'function' ? options.extraConfig(root) : (options.extraConfig ?? '');
  const config = `
server.modules = (${modules})
server.document-root = "${docroot}"
server.bind = "127.0.0.1"
server.port = ${port}
server.errorlog = "${errorLog}"
accesslog.filename = "|exec cat >> '${accessLog}'"
accesslog.format = "%h %t \\"%r\\" %>s %b"
mimetype.assign = (".txt" => "text/plain", "" => "application/octet-stream")
${extra}
`;
  const configPath = join(root, 'lighttpd.conf');
  await writeFile(configPath, config);
  return launchTestServer({ name: 'lighttpd', binary, args: ['-D', '-f', configPath], port, root, docroot, accessLog, errorLog, cleanup: temp.cleanup });
}
