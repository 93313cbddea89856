import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type closeAfterEach, deterministicBytes, makeTempDir, sha256, spawnJsonLinesChild, startFaultProxy, startS3Server, type JsonLinesChild, type S3Server } from '@camdl/test-utils';
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

/** Runs one put in its own process (see fixtures/put-child.ts), which prints its progress as JSON lines. */
export function spawnPut(options: S3TargetOptions, file: LocalFile, key: string): JsonLinesChild {
  return spawnJsonLinesChild(fixture, [JSON.stringify(options), file.path, key, JSON.stringify({ size: file.size, sha256: file.sha256 })], repoRoot);
}
