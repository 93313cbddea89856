import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** A file the fault server serves. */
export interface FaultServerFile {
  content: Buffer;
  /** Send a strong ETag (hash of the content). @default true */
  etag?: boolean;
  /** Send Last-Modified (changes with every `setFile`/`change`). @default true */
  lastModified?: boolean;
  /** Honour `Range` / `If-Range` and send `Accept-Ranges: bytes`. @default true */
  ranges?: boolean;
  /** Send Content-Length; false = a close-delimited body (`Connection: close`). @default true */
  contentLength?: boolean;
  /** Pace the body at this many bytes per second. @default unlimited */
  bytesPerSecond?: number;
  /** Answer 401 (with a Digest challenge) unless the request carries exactly this Authorization. @default none */
  authorization?: string;
  /** `Content-Type` of the answer. @default none */
  contentType?: string;
  /** More response headers, sent as they are (e.g. `content-encoding: gzip`). @default {} */
  headers?: Record<string, string>;
  /** Answer `DELETE` with `200 OK` (and forget the file). @default false */
  deletable?: boolean;
}

/** What to do to one request (faults are queued per path, one per request). */
export type Fault =
  | { kind: 'status'; status: number; headers?: Record<string, string> }
  /** Send `afterBytes` of the body, then reset the connection. */
  | { kind: 'reset'; afterBytes: number }
  /** `Connection: close` with the full Content-Length, but end the body after `afterBytes`. */
  | { kind: 'close'; afterBytes: number }
  /** Send `afterBytes` of the body, then go silent. */
  | { kind: 'stall'; afterBytes: number }
  /** Send `bytes` more than Content-Length. */
  | { kind: 'extra'; bytes: number }
  /** Answer a Range request with 200 and the whole file. */
  | { kind: 'ignore-range' }
  /** Serve a Range request even when `If-Range` does not match (a broken server). */
  | { kind: 'ignore-if-range' }
  /** Replace the file's content before answering (new ETag and Last-Modified). */
  | { kind: 'change'; content: Buffer }
  /** Send the body `bytes` at a time, one write every `intervalMs` (a camera that never quite stops). */
  | { kind: 'trickle'; bytes: number; intervalMs: number };

export interface FaultServerRequest {
  /** The path without the query. */
  path: string;
  /** The request-target as received (path and query). */
  target: string;
  method: string;
  headers: IncomingMessage['headers'];
  status: number;
}

export interface FaultServer {
  origin: string;
  url(path: string): string;
  setFile(path: string, file: FaultServerFile): void;
  /** Faults for the next requests of `path`, in order. */
  queueFaults(path: string, ...faults: Fault[]): void;
  requests: FaultServerRequest[];
  close(): Promise<void>;
}

/** Deterministic pseudo-random bytes (xorshift32), the same for the same size and seed. */
export function deterministicBytes(size: number, seed = 1): Buffer {
  const buffer = Buffer.allocUnsafe(size);
  let x = seed >>> 0 || 1;
  let i = 0;
  for (; i + 4 <= size; i += 4) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    buffer.writeUInt32LE(x >>> 0, i);
  }
  for (; i < size; i++) buffer[i] = (i * 31 + seed) & 0xff;
  return buffer;
}

interface Entry {
  file: FaultServerFile;
  etag: string;
  lastModified: string;
}

const BASE_TIME = Date.UTC(2024, 0, 1);

/**
 * A node:http file server on 127.0.0.1 (port 0) with per-request faults: statuses, resets,
 * short bodies, stalls, overlong bodies, Range refused, content changing between requests.
 */
export async function startFaultServer(files: Record<string, FaultServerFile> = {}): Promise<FaultServer> {
  const entries = new Map<string, Entry>();
  const faults = new Map<string, Fault[]>();
  const requests: FaultServerRequest[] = [];
  const sockets = new Set<Socket>();
  let version = 0;

  const setFile = (path: string, file: FaultServerFile): void => {
    version += 1;
    const hash = createHash('sha256').update(file.content).digest('hex').slice(0, 16);
    entries.set(path, { file, etag: `"${hash}"`, lastModified: new Date(BASE_TIME + version * 60_000).toUTCString() });
  };
  for (const [path, file] of Object.entries(files)) setFile(path, file);

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const target = req.url ?? '/';
    const pathname = new URL(target, 'http://x').pathname;
    // A file registered under its full target (path + query) wins over one under the path alone.
    const path = entries.has(target) ? target : pathname;
    const log = (status: number): void => {
      requests.push({ path: pathname, target, method: req.method ?? 'GET', headers: req.headers, status });
    };
    // An auth challenge does not use up the path's next fault.
    const required = entries.get(path)?.file.authorization;
    if (required !== undefined && req.headers.authorization !== required) {
      log(401);
      res.writeHead(401, { 'www-authenticate': 'Digest realm="fault-server", nonce="abc", qop="auth"', 'content-type': 'text/plain' });
      res.end('unauthorized\n');
      return;
    }
    const fault = faults.get(path)?.shift();
    if (fault?.kind === 'change') {
      const current = entries.get(path);
      if (current) setFile(path, { ...current.file, content: fault.content });
    }
    const entry = entries.get(path);
    if (fault?.kind === 'status') {
      log(fault.status);
      res.writeHead(fault.status, { 'content-type': 'text/plain', ...fault.headers });
      res.end(`status ${fault.status}\n`);
      return;
    }
    if (entry?.file.deletable && req.method === 'DELETE') {
      log(200);
      entries.delete(path);
      res.writeHead(200, { 'content-type': 'text/plain' }).end('OK\n');
      return;
    }
    if (!entry || req.method !== 'GET') {
      const status = entry ? 405 : 404;
      log(status);
      res.writeHead(status, { 'content-type': 'text/plain' }).end('no\n');
      return;
    }
    const { file } = entry;
    const size = file.content.length;
    const headers: Record<string, string> = { ...file.headers };
    if (file.contentType !== undefined) headers['content-type'] = file.contentType;
    if (file.etag ?? true) headers['etag'] = entry.etag;
    if (file.lastModified ?? true) headers['last-modified'] = entry.lastModified;
    const ranges = (file.ranges ?? true) && fault?.kind !== 'ignore-range';
    if (file.ranges ?? true) headers['accept-ranges'] = 'bytes';

    let status = 200;
    let start = 0;
    let end = size - 1;
    const rangeHeader = req.headers.range;
    const ifRange = req.headers['if-range'];
    const ifRangeOk = ifRange === undefined || fault?.kind === 'ignore-if-range' || ifRange === headers['etag'] || ifRange === headers['last-modified'];
    const match = typeof rangeHeader === 'string' ? /^bytes=(\d+)-(\d*)$/.exec(rangeHeader) : null;
    if (ranges && match && ifRangeOk) {
      start = Number(match[1]);
      if (match[2]) end = Math.min(end, Number(match[2]));
      if (start >= size) {
        log(416);
        res.writeHead(416, { ...headers, 'content-range': `bytes */${size}` }).end();
        return;
      }
      status = 206;
      headers['content-range'] = `bytes ${start}-${end}/${size}`;
    }
    const body = file.content.subarray(start, end + 1);
    if (file.contentLength ?? true) headers['content-length'] = String(body.length);
    else headers['connection'] = 'close';
    if (fault?.kind === 'close') headers['connection'] = 'close';
    log(status);
    res.writeHead(status, headers);

    let limit = body.length;
    if (fault?.kind === 'reset' || fault?.kind === 'close' || fault?.kind === 'stall') limit = Math.min(limit, fault.afterBytes);
    const finish = (): void => {
      if (fault?.kind === 'reset') {
        // Let the bytes reach the client, then reset.
        setTimeout(() => req.socket.resetAndDestroy(), 20);
      } else if (fault?.kind === 'stall') {
        // Go silent; close() ends it.
      } else if (fault?.kind === 'extra') {
        req.socket.write(Buffer.alloc(fault.bytes, 0x58));
        res.end();
      } else if (fault?.kind === 'close') {
        // Let the client store the bytes first, then end the connection short of Content-Length.
        setTimeout(() => {
          res.end();
          res.once('finish', () => req.socket.end());
        }, 50);
      } else {
        res.end();
        if (!(file.contentLength ?? true)) res.once('finish', () => req.socket.end());
      }
    };
    if (fault?.kind === 'trickle') {
      let sent = 0;
      const timer = setInterval(() => {
        if (res.destroyed || sent >= limit) {
          clearInterval(timer);
          if (!res.destroyed) finish();
          return;
        }
        const next = Math.min(limit, sent + fault.bytes);
        res.write(body.subarray(sent, next));
        sent = next;
      }, fault.intervalMs);
      res.once('close', () => clearInterval(timer));
      return;
    }
    const rate = file.bytesPerSecond;
    if (!rate) {
      res.write(body.subarray(0, limit), finish);
      return;
    }
    const tickMs = 20;
    const perTick = Math.max(1, Math.round((rate * tickMs) / 1000));
    let sent = 0;
    const timer = setInterval(() => {
      if (res.destroyed) {
        clearInterval(timer);
        return;
      }
      const next = Math.min(limit, sent + perTick);
      res.write(body.subarray(sent, next));
      sent = next;
      if (sent >= limit) {
        clearInterval(timer);
        finish();
      }
    }, tickMs);
    res.once('close', () => clearInterval(timer));
  };

  const server = createServer(handle);
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  return {
    origin,
    url: (path) => `${origin}${path}`,
    setFile,
    queueFaults: (path, ...list) => {
      faults.set(path, [...(faults.get(path) ?? []), ...list]);
    },
    requests,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
