import { spawn } from 'node:child_process';
import { PassThrough, type Readable } from 'node:stream';
import { offsiteError, systemErrorCode, type OffsiteError, type TargetIdentity } from './errors.js';

/** What an rclone child gets from camdl's environment: what it needs to run and reach the network, no secret. */
const INHERITED_ENV = ['PATH', 'HOME', 'USER', 'TMPDIR', 'LANG', 'LC_ALL', 'TZ', 'XDG_CONFIG_HOME', 'XDG_CACHE_HOME', 'SSL_CERT_FILE', 'SSL_CERT_DIR', 'HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'http_proxy', 'https_proxy', 'no_proxy'];

/** Most of rclone's stderr kept for a message: enough for its last error lines, never unbounded. */
const STDERR_CAP_BYTES = 64 * 1024;
const SUMMARY_CHARS = 300;

export interface RcloneRunner {
  identity: TargetIdentity;
  binary: string;
  /** Global flags of every call (config file, timeouts). */
  flags: string[];
  /** Extra environment (RCLONE_CONFIG_*): passed to the child, redacted from every message. */
  env: Record<string, string>;
}

export interface RcloneCall {
  args: string[];
  /** The whole call's deadline. */
  deadlineMs: number;
  signal: AbortSignal | undefined;
  key?: string | undefined;
  /** Fed to the child's stdin (then closed); ignored stdin otherwise. */
  stdin?: (stdin: NodeJS.WritableStream) => Promise<void>;
}

/** A finished call: its exit code and what it printed. */
export interface RcloneResult {
  code: number;
  stdout: string;
}

export function childEnv(runner: RcloneRunner): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const name of INHERITED_ENV) if (process.env[name] !== undefined) env[name] = process.env[name];
  return { ...env, ...runner.env };
}

/** The last error lines of rclone's stderr, short, with every configured env value blanked out. */
export function summarizeStderr(stderr: string, secrets: string[]): string {
  const lines = stderr.split('\n').map((line) => line.trim()).filter((line) => line !== '');
  const errors = lines.filter((line) => /ERROR|Failed|error|fatal/i.test(line));
  let text = (errors.length > 0 ? errors.slice(-2) : lines.slice(-2)).join(' | ');
  for (const secret of secrets) if (secret.length >= 4) text = text.split(secret).join('***');
  // Control characters from a server's message never reach a terminal.
  // eslint-disable-next-line no-control-regex -- the point is to strip them
  text = text.replace(/[\u0000-\u001f\u007f]/g, ' ');
  return text.length > SUMMARY_CHARS ? `${text.slice(0, SUMMARY_CHARS)}…` : text;
}

/** Maps a failed rclone call (exit code + stderr) to one {@link OffsiteError}. */
export function rcloneError(runner: RcloneRunner, call: { args: string[]; key?: string | undefined }, code: number | null, stderr: string, cause?: unknown): OffsiteError {
  const identity = runner.identity;
  const extra = { ...(call.key === undefined ? {} : { key: call.key }), ...(cause === undefined ? {} : { cause }) };
  const summary = summarizeStderr(stderr, Object.values(runner.env));
  const what = `rclone ${call.args[0]} failed (exit ${code ?? 'signal'}): ${summary}`;
  const text = stderr.toLowerCase();
  if (/didn't find section in config|config file .* not found|unknown backend|failed to load config|couldn't find type|no such remote/.test(text)) {
    return offsiteError(identity, 'ERR_OFFSITE_CONFIG', `${what}; check the remote and rclone-config`, extra);
  }
  if (/\b(401|403)\b|unauthori[sz]ed|forbidden|permission denied|unable to authenticate|handshake failed|access denied|invalid credentials|authentication/.test(text)) {
    return offsiteError(identity, 'ERR_OFFSITE_AUTH', `${what}; check the remote's user and password or key`, extra);
  }
  if (/\b507\b|no space left|insufficient storage|quota|disk full/.test(text)) {
    return offsiteError(identity, 'ERR_OFFSITE_QUOTA', `${what}; free space on the remote or raise its quota`, extra);
  }
  if (/connection refused|no such host|i\/o timeout|connection reset|network is unreachable|no route to host|broken pipe|unexpected eof|tls handshake timeout|context deadline exceeded/.test(text)) {
    return offsiteError(identity, 'ERR_OFFSITE_UNREACHABLE', `${what}; check the remote's host and the network`, { ...extra, retryable: true });
  }
  if (/\b(429|503)\b|too many requests|slow down|rate limit/.test(text)) {
    return offsiteError(identity, 'ERR_OFFSITE_THROTTLED', `${what}`, { ...extra, retryable: true });
  }
  if (/\b5\d\d\b/.test(text) || code === 5) {
    return offsiteError(identity, 'ERR_OFFSITE_SERVER', `${what}`, { ...extra, retryable: true });
  }
  if (code === 3 || code === 4 || /directory not found|object not found|not found/.test(text)) {
    return offsiteError(identity, 'ERR_OFFSITE_NOT_FOUND', `${what}; check the remote path exists`, extra);
  }
  return offsiteError(identity, 'ERR_OFFSITE_TOOL', what, extra);
}

function spawnError(runner: RcloneRunner, error: unknown, key: string | undefined): OffsiteError {
  const code = systemErrorCode(error);
  const extra = { cause: error, ...(key === undefined ? {} : { key }) };
  if (code === 'ENOENT') return offsiteError(runner.identity, 'ERR_OFFSITE_TOOL', `rclone not found (${runner.binary}): install it (apt install rclone) or set rclone-binary`, extra);
  return offsiteError(runner.identity, 'ERR_OFFSITE_TOOL', `cannot run rclone (${code ?? String(error)})`, extra);
}

interface Started {
  stdout: Readable;
  /** Resolves with the exit code once the child exited and its output was read; rejects on spawn failure. */
  finished: Promise<{ code: number | null; stderr: string; timedOut: boolean }>;
}

function start(runner: RcloneRunner, call: RcloneCall): Started {
  const child = spawn(runner.binary, [...call.args, ...runner.flags], { env: childEnv(runner), stdio: [call.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    if (stderr.length < STDERR_CAP_BYTES) stderr += chunk.slice(0, STDERR_CAP_BYTES - stderr.length);
  });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, call.deadlineMs);
  const onAbort = (): void => {
    child.kill('SIGKILL');
  };
  call.signal?.addEventListener('abort', onAbort, { once: true });
  const finished = new Promise<{ code: number | null; stderr: string; timedOut: boolean }>((resolve, reject) => {
    child.once('error', (error) => {
      clearTimeout(timer);
      call.signal?.removeEventListener('abort', onAbort);
      reject(spawnError(runner, error, call.key));
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      call.signal?.removeEventListener('abort', onAbort);
      resolve({ code, stderr, timedOut });
    });
  });
  if (call.stdin && child.stdin) {
    const stdin = child.stdin;
    // A child that exits early closes its stdin: the feeder fails with EPIPE, and the exit code tells why.
    stdin.on('error', () => undefined);
    // A feeder that failed (a local read error, an abort) must not look like the end of the data.
    call.stdin(stdin).catch(() => {
      child.kill('SIGKILL');
      stdin.destroy();
    });
  }
  return { stdout: child.stdout!, finished };
}

/** Runs one rclone call to its end, collecting stdout (small answers: listings, stats). */
export async function runRclone(runner: RcloneRunner, call: RcloneCall): Promise<RcloneResult> {
  if (call.signal?.aborted) throw call.signal.reason;
  const started = start(runner, call);
  let stdout = '';
  started.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  const { code, stderr, timedOut } = await started.finished;
  if (call.signal?.aborted) throw call.signal.reason;
  if (timedOut) throw offsiteError(runner.identity, 'ERR_OFFSITE_UNREACHABLE', `rclone ${call.args[0]} gave no result within ${call.deadlineMs} ms; check the remote's host and the network`, { retryable: true, ...(call.key === undefined ? {} : { key: call.key }) });
  return { code: code ?? -1, stdout: code === 0 ? stdout : stderr };
}

/** Throws the mapped error of a call that did not exit 0. */
export function expectSuccess(runner: RcloneRunner, call: RcloneCall, result: RcloneResult): string {
  if (result.code !== 0) throw rcloneError(runner, call, result.code, result.stdout);
  return result.stdout;
}

/**
 * Starts a call whose stdout is the payload (`rclone cat`): the stream ends only if rclone exits 0, and errors
 * with the mapped failure otherwise, so a cut read never passes for a whole one.
 */
export function streamRclone(runner: RcloneRunner, call: RcloneCall): Readable {
  const started = start(runner, call);
  const output = new PassThrough({ highWaterMark: 1024 * 1024 });
  started.stdout.pipe(output, { end: false });
  started.finished.then(
    ({ code, stderr, timedOut }) => {
      if (call.signal?.aborted) output.destroy(call.signal.reason as Error);
      else if (timedOut) output.destroy(offsiteError(runner.identity, 'ERR_OFFSITE_UNREACHABLE', `rclone ${call.args[0]} did not finish within ${call.deadlineMs} ms`, { retryable: true, ...(call.key === undefined ? {} : { key: call.key }) }));
      else if (code !== 0) output.destroy(rcloneError(runner, call, code, stderr));
      else output.end();
    },
    (error: unknown) => output.destroy(error as Error),
  );
  return output;
}
