import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { get as httpGet, type IncomingMessage } from 'node:http';
import { get as httpsGet } from 'node:https';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { stopProcess } from './apache-server.js';
import { makeTempDir } from './temp-dir.js';

/** One request the S3 server answered. */
export interface S3ServerRequest {
  method: string;
  /** Path and query, e.g. `/bucket/key?partNumber=2&uploadId=…`. */
  url: string;
  status: number;
}

/** A real S3 protocol server (s3rver) in its own process on 127.0.0.1. */
export interface S3Server {
  /** `http://127.0.0.1:<port>` */
  endpoint: string;
  port: number;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** The buckets created at start. */
  buckets: string[];
  /** Where s3rver keeps its buckets (objects, metadata and unfinished multipart uploads). */
  directory: string;
  /** Every request answered so far, oldest first (see {@link S3Server.settledRequests}). */
  requests: S3ServerRequest[];
  /** {@link S3Server.requests} once every request answered before this call is in it. */
  settledRequests(): Promise<S3ServerRequest[]>;
  close(): Promise<void>;
}

export interface S3ServerOptions {
  /** Buckets to create before listening. @default ['camdl'] */
  buckets?: string[];
  /** Serve https with this PEM key and certificate (e.g. from makeSelfSignedCert). @default undefined (http) */
  tls?: { key: string; cert: string };
  /**
   * ListParts answered as some stores do: at most `pageSize` parts a page, ETags `bare` (unquoted, upper case)
   * or `entity`-quoted (`&quot;`), `nextMarker: false` to leave out `NextPartNumberMarker`, `size: false` each part's `Size`.
   * @default { pageSize: 1000, etag: 'quoted', nextMarker: true, size: true }
   */
  listParts?: { pageSize?: number; etag?: 'quoted' | 'bare' | 'entity'; nextMarker?: boolean; size?: boolean };
  /** ListObjectsV2 answered in pages of `pageSize` keys, and without `NextContinuationToken` when `nextToken` is false. @default { pageSize: 1000, nextToken: true } */
  listObjects?: { pageSize?: number; nextToken?: boolean };
}

const processScript = fileURLToPath(new URL('./s3-server-process.mjs', import.meta.url));

/**
 * Starts s3rver as its own process on 127.0.0.1 and a free port, with a throwaway directory and a random key
 * pair (the well-known S3RVER key is revoked, so wrong keys are refused as by a real store).
 */
export async function startS3Server(options: S3ServerOptions = {}): Promise<S3Server> {
  const dir = await makeTempDir('camdl-s3rver-');
  const buckets = options.buckets ?? ['camdl'];
  const accessKeyId = `AK${randomBytes(8).toString('hex').toUpperCase()}`;
  const secretAccessKey = randomBytes(20).toString('base64url');
  const child = spawn(process.execPath, [processScript, JSON.stringify({ directory: dir.path, accessKeyId, secretAccessKey, buckets, tls: options.tls, listParts: options.listParts, listObjects: options.listObjects })], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  const requests: S3ServerRequest[] = [];
  const flushes = new Map<string, () => void>();
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`s3rver did not start within 15 s: ${stderr}`)), 15_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`s3rver exited (${code}) before listening: ${stderr}`));
    });
    createInterface({ input: child.stdout }).on('line', (line) => {
      let message: { port?: number; flush?: string } & Partial<S3ServerRequest>;
      try {
        message = JSON.parse(line) as typeof message;
      } catch {
        return;
      }
      if (typeof message.flush === 'string') flushes.get(message.flush)?.();
      else if (typeof message.port === 'number') {
        clearTimeout(timer);
        resolve(message.port);
      } else if (typeof message.method === 'string') requests.push({ method: message.method, url: String(message.url), status: Number(message.status) });
    });
  }).catch(async (error: unknown) => {
    child.kill('SIGKILL');
    await dir.cleanup();
    throw error;
  });
  return {
    endpoint: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    port,
    region: 'us-east-1',
    accessKeyId,
    secretAccessKey,
    buckets,
    directory: dir.path,
    requests,
    async settledRequests() {
      const marker = randomBytes(6).toString('hex');
      const seen = new Promise<void>((resolve) => flushes.set(marker, resolve));
      await new Promise<void>((resolve, reject) => {
        const url = `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}/?camdl-flush=${marker}`;
        const onAnswer = (answer: IncomingMessage): void => {
          answer.resume().once('end', resolve);
        };
        (options.tls ? httpsGet(url, { ca: options.tls.cert }, onAnswer) : httpGet(url, onAnswer)).once('error', reject);
      });
      await seen;
      flushes.delete(marker);
      return requests;
    },
    async close() {
      await stopProcess(child);
      await dir.cleanup();
    },
  };
}

/**
 * The YAML lines of a camdl `targets:` entry for the server's first bucket (path-style, under `prefix`), up to
 * its secrets: the caller adds `access-key-id-env:` and `secret-access-key-env:` or `-file:` lines.
 */
export function s3TargetLines(server: S3Server, options: { name?: string; prefix?: string } = {}): string[] {
  return [
    `  - name: ${options.name ?? 'offsite'}`,
    '    kind: s3',
    `    endpoint: ${server.endpoint}`,
    `    region: ${server.region}`,
    `    bucket: ${server.buckets[0] ?? 'camdl'}`,
    ...(options.prefix === undefined ? [] : [`    prefix: ${options.prefix}`]),
    '    path-style: true',
  ];
}
