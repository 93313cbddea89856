import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { findFreePort } from './free-port.js';
import { findSystemTool } from './system-tool.js';
import { makeTempDir } from './temp-dir.js';

/** A running test server (Apache or lighttpd) on 127.0.0.1. */
export interface RunningTestServer {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  url: string;
  port: number;
  /** The server's root directory (files to serve go under `docroot`). */
  root: string;
  docroot: string;
  accessLog: string;
  errorLog: string;
  /** Access-log lines so far (one per request that reached the server). */
  readAccessLog(): Promise<string[]>;
  stop(): Promise<void>;
}

export interface ApacheServerOptions {
  /** Extra config placed inside `<Directory docroot>` (e.g. AuthType Digest ...). */
  directoryConfig?: string;
  /** Extra top-level config lines. */
  extraConfig?: string;
  /** Extra modules to load, by name (`headers` → mod_headers.so). */
  modules?: string[];
  /** Files to create under the docroot: relative path → content. */
  files?: Record<string, string | Buffer>;
  /** Called with the root dir before start, to write password files and the like. */
  prepare?: (root: string) => Promise<void>;
}

const MODULE_DIR = '/usr/lib/apache2/modules';
const BASE_MODULES = ['mpm_event', 'authn_core', 'authn_file', 'authz_core', 'authz_user', 'auth_digest', 'auth_basic', 'mime', 'socache_shmcb'];

/** Waits until something accepts TCP connections on the port. */
export async function waitForPort(port: number, timeoutMs = 10_000, isAlive: () => boolean = () => true): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    if (!isAlive()) throw new Error(`server exited before listening on ${port}`);
    if (Date.now() > deadline) throw new Error(`nothing listening on 127.0.0.1:${port} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export async function stopProcess(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

async function readLines(path: string): Promise<string[]> {
  try {
    return (await readFile(path, 'utf8')).split('\n').filter((line) => line !== '');
  } catch {
    return [];
  }
}

/**
 * Starts Apache httpd (`apache2 -X`, one process in the foreground) on 127.0.0.1 and a free port,
 * with a config generated in a temp dir. Works as root (drops to nobody) and as a normal user.
 */
export async function startApacheServer(options: ApacheServerOptions = {}): Promise<RunningTestServer> {
  const binary = findSystemTool('apache2') ?? findSystemTool('httpd');
  if (binary === undefined) throw new Error('apache2 not found');
  const temp = await makeTempDir('camdl-apache-');
  const root = temp.path;
  const docroot = join(root, 'htdocs');
  await mkdir(docroot, { recursive: true });
  await mkdir(join(root, 'run'), { recursive: true });
  for (const [name, content] of Object.entries(options.files ?? {})) {
    const path = join(docroot, name);
    await mkdir(join(path, '..'), { recursive: true });
    await writeFile(path, content);
  }
  await options.prepare?.(root);
  // Worker threads run as nobody when started as root: everything must be readable.
  await chmod(root, 0o755);
  const port = await findFreePort();
  const accessLog = join(root, 'access.log');
  const errorLog = join(root, 'error.log');
  const modules = [...BASE_MODULES, ...(options.modules ?? [])]
    .map((name) => `LoadModule ${name}_module ${MODULE_DIR}/mod_${name}.so`)
    .join('\n');
  const asRoot = process.getuid?.() === 0;
  const config = `
ServerRoot "${root}"
ServerName 127.0.0.1
Listen 127.0.0.1:${port}
PidFile "${join(root, 'run', 'httpd.pid')}"
DefaultRuntimeDir "${join(root, 'run')}"
Mutex file:${join(root, 'run')} default
${modules}
${asRoot ? 'User nobody\nGroup nogroup' : ''}
ErrorLog "${errorLog}"
LogLevel warn auth_digest:info
LogFormat "%h %t \\"%r\\" %>s %b" camdl
CustomLog "${accessLog}" camdl
DocumentRoot "${docroot}"
TypesConfig /dev/null
KeepAlive On
MaxKeepAliveRequests 0
${options.extraConfig ?? ''}
<Directory "${docroot}">
  ${options.directoryConfig ?? 'Require all granted'}
</Directory>
`;
  const configPath = join(root, 'httpd.conf');
  await writeFile(configPath, config);
  return launchTestServer({ name: 'apache', binary, args: ['-X', '-f', configPath], port, root, docroot, accessLog, errorLog, cleanup: temp.cleanup });
}

/** What {@link launchTestServer} needs to start a server process and describe it. */
export interface TestServerLaunch {
  name: string;
  binary: string;
  args: string[];
  port: number;
  root: string;
  docroot: string;
  accessLog: string;
  errorLog: string;
  cleanup: () => Promise<void>;
}

/**
 * Starts a configured server process (Apache, lighttpd) in the foreground, waits until it listens on
 * 127.0.0.1:`port` (or fails with its output and error log), and returns the handle tests use.
 */
export async function launchTestServer(launch: TestServerLaunch): Promise<RunningTestServer> {
  const { name, binary, args, port, root, docroot, accessLog, errorLog, cleanup } = launch;
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  try {
    await waitForPort(port, 10_000, () => child.exitCode === null);
  } catch (error) {
    await stopProcess(child);
    const log = (await readLines(errorLog)).join('\n');
    await cleanup();
    throw new Error(`${name} did not start: ${String(error)}\n${output}\n${log}`, { cause: error });
  }
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    root,
    docroot,
    accessLog,
    errorLog,
    // Both write the log line just after the response (lighttpd through a piped `cat`, since its
    // file logs are buffered): give it a moment.
    readAccessLog: async () => {
      await new Promise((resolve) => setTimeout(resolve, 50));
      return readLines(accessLog);
    },
    async stop() {
      await stopProcess(child);
      await cleanup();
    },
  };
}
