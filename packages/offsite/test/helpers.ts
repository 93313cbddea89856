import { spawn, type ChildProcess } from 'node:child_process';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type closeAfterEach, deterministicBytes, makeTempDir, sha256, startFaultProxy, startS3Server, type S3Server } from '@camdl/test-utils';
import { createTarget, type S3TargetOptions } from '@camdl/offsite';

const fixture = fileURLToPath(new URL('./fixtures/put-child.ts', import.meta.url));
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

export const MIB = 1024 * 1024;

/** Target options for the test server (or a proxy in front of it), failing fast: no real waiting between retries. */
export function s3Options(server: S3Server, overrides: Partial<S3TargetOptions> = {}): S3TargetOptions {
  return {
    kind: 's3',
    name: 'offsite',
    endpoint: server.endpoint,
    region: server.region,
    bucket: server.buckets[0]!,
    prefix: 'site-a/',
    pathStyle: true,
    accessKeyId: server.accessKeyId,
    secretAccessKey: server.secretAccessKey,
    partSizeBytes: 5 * MIB,
    retryDelayMs: 1,
    timeoutMs: 20_000,
    ...overrides,
  };
}

/** A real S3 server, a fault proxy in front of it, a temporary folder and a target through the proxy, closed by `track`. */
export async function proxiedS3(track: ReturnType<typeof closeAfterEach>, overrides: Partial<S3TargetOptions> = {}) {
  const server = track(await startS3Server());
  const proxy = track(await startFaultProxy(server.port));
  const work = track(await makeTempDir('camdl-offsite-proxied-'));
  const target = track(createTarget(s3Options(server, { endpoint: proxy.origin, ...overrides })));
  return { server, proxy, work, target };
}

export interface LocalFile {
  path: string;
  size: number;
  sha256: string;
  content: Buffer;
}

export async function writeLocalFile(dir: string, name: string, size: number, seed = 1): Promise<LocalFile> {
  const content = deterministicBytes(size, seed);
  const path = join(dir, name);
  await writeFile(path, content);
  return { path, size, sha256: sha256(content), content };
}

/** Every file under `dir`, hidden ones included, as sorted paths relative to it. */
export async function allFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(dir.length + 1))
    .sort();
}

/** The part numbers of the UploadPart requests the server stored (status 200) for an upload. */
export function storedParts(requests: { method: string; url: string; status: number }[], uploadId: string): number[] {
  return requests
    .filter((request) => request.method === 'PUT' && request.status === 200 && request.url.includes(`uploadId=${uploadId}`))
    .map((request) => Number(new URL(request.url, 'http://x').searchParams.get('partNumber')))
    .sort((a, b) => a - b);
}

export interface PutChild {
  process: ChildProcess;
  lines: Record<string, unknown>[];
  waitFor(predicate: (line: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>;
  exited: Promise<void>;
}

/** Runs one put in its own process (see fixtures/put-child.ts). */
export function spawnPut(options: S3TargetOptions, file: LocalFile, key: string): PutChild {
  const child = spawn(process.execPath, ['--import', 'tsx', fixture, JSON.stringify(options), file.path, key, JSON.stringify({ size: file.size, sha256: file.sha256 })], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines: Record<string, unknown>[] = [];
  const waiters: { predicate: (line: Record<string, unknown>) => boolean; resolve: (line: Record<string, unknown>) => void }[] = [];
  let buffered = '';
  child.stdout.setEncoding('utf8').on('data', (data: string) => {
    buffered += data;
    let newline;
    while ((newline = buffered.indexOf('\n')) >= 0) {
      const line = JSON.parse(buffered.slice(0, newline)) as Record<string, unknown>;
      buffered = buffered.slice(newline + 1);
      lines.push(line);
      for (const waiter of waiters.filter((candidate) => candidate.predicate(line))) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(line);
      }
    }
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    process: child,
    lines,
    exited,
    waitFor(predicate) {
      const seen = lines.find(predicate);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        waiters.push({ predicate, resolve });
        void exited.then(() => reject(new Error(`the put child exited first; it printed ${JSON.stringify(lines)}`)));
      });
    },
  };
}
