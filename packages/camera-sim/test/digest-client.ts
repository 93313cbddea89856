import { createHash, randomBytes } from 'node:crypto';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { connect } from 'node:net';

/** Test-side digest client (independent of @camdl/http-digest): raw node:http, explicit nonce reuse. */
export interface RawResponse {
  status: number;
  statusMessage: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** Set when the connection broke before the body completed. */
  error?: NodeJS.ErrnoException;
}

export interface Challenge {
  realm: string;
  nonce: string;
  qop?: string;
  opaque?: string;
  stale?: boolean;
  algorithm?: string;
}

export function parseChallenge(header: string): Challenge {
  const params: Record<string, string> = {};
  for (const match of header.replace(/^Digest\s+/i, '').matchAll(/([a-z]+)=(?:"([^"]*)"|([^,\s]*))/gi)) {
    params[match[1]!.toLowerCase()] = match[2] ?? match[3] ?? '';
  }
  return { realm: params['realm']!, nonce: params['nonce']!, qop: params['qop'], opaque: params['opaque'], stale: params['stale'] === 'true', ...(params['algorithm'] !== undefined && { algorithm: params['algorithm'] }) };
}

const digestHash = (algorithm: 'MD5' | 'SHA-256', data: string | Buffer): string => createHash(algorithm === 'MD5' ? 'md5' : 'sha256').update(data).digest('hex');

export function authorization(options: {
  method: string;
  /** Raw request target; latin1 characters stand for raw bytes. */
  uri: string;
  username: string;
  password: string;
  challenge: Challenge;
  nc: number;
  /** @default 'MD5' */
  algorithm?: 'MD5' | 'SHA-256';
  /** `auth-int` hashes an empty body. @default 'auth' */
  qop?: 'auth' | 'auth-int';
}): string {
  const { method, uri, username, password, challenge, nc, algorithm = 'MD5', qop = 'auth' } = options;
  const cnonce = randomBytes(8).toString('hex');
  const ncText = nc.toString(16).padStart(8, '0');
  const ha1 = digestHash(algorithm, `${username}:${challenge.realm}:${password}`);
  const ha2 = digestHash(algorithm, Buffer.from(qop === 'auth-int' ? `${method}:${uri}:${digestHash(algorithm, '')}` : `${method}:${uri}`, 'latin1'));
  const response = digestHash(algorithm, `${ha1}:${challenge.nonce}:${ncText}:${cnonce}:${qop}:${ha2}`);
  let header = `Digest username="${username}", realm="${challenge.realm}", nonce="${challenge.nonce}", uri="${uri}", algorithm=${algorithm}, qop=${qop}, nc=${ncText}, cnonce="${cnonce}", response="${response}"`;
  if (challenge.opaque !== undefined) header += `, opaque="${challenge.opaque}"`;
  return header;
}

/** One raw request; never throws on HTTP errors, reports broken bodies in `error`. */
export function rawRequest(origin: string, target: string, options: { method?: string; headers?: Record<string, string>; agent?: false } = {}): Promise<RawResponse> {
  const url = new URL(origin);
  return new Promise((resolve, reject) => {
    // Once the response has started, a socket error (Node 24 reports a mid-body reset on the request
    // too) ends that response with an error instead of rejecting.
    let finishResponse: ((error?: NodeJS.ErrnoException) => void) | undefined;
    const request = httpRequest(
      { host: url.hostname, port: url.port, path: target, method: options.method ?? 'GET', headers: options.headers, agent: false },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        const finish = (error?: NodeJS.ErrnoException): void =>
          resolve({ status: response.statusCode ?? 0, statusMessage: response.statusMessage ?? '', headers: response.headers, body: Buffer.concat(chunks), ...(error && { error }) });
        finishResponse = finish;
        response.on('end', () => finish());
        response.on('error', (error) => finish(error));
        response.on('aborted', () => finish(Object.assign(new Error('aborted'), { code: 'ECONNRESET' })));
      },
    );
    request.on('error', (error) => (finishResponse ? finishResponse(error) : reject(error)));
    request.end();
  });
}

/** A digest session: first request gets the challenge, later ones reuse the nonce with increasing nc. */
export class DigestSession {
  challenge: Challenge | undefined;
  nc = 0;
  constructor(
    readonly origin: string,
    readonly username: string,
    readonly password: string,
  ) {}

  async request(target: string, options: { method?: string; headers?: Record<string, string> } = {}): Promise<RawResponse> {
    const method = options.method ?? 'GET';
    if (!this.challenge) {
      const first = await rawRequest(this.origin, target, { method, headers: options.headers });
      if (first.status !== 401) return first;
      this.challenge = parseChallenge(String(first.headers['www-authenticate']));
      this.nc = 0;
    }
    const send = (): Promise<RawResponse> => {
      this.nc++;
      const header = authorization({ method, uri: target, username: this.username, password: this.password, challenge: this.challenge!, nc: this.nc });
      return rawRequest(this.origin, target, { method, headers: { ...options.headers, Authorization: header } });
    };
    let response = await send();
    if (response.status === 401 && parseChallenge(String(response.headers['www-authenticate'])).stale) {
      this.challenge = parseChallenge(String(response.headers['www-authenticate']));
      this.nc = 0;
      response = await send();
    }
    return response;
  }
}

/** Sends raw request bytes (for targets node:http would not send, like raw UTF-8). */
export function rawBytesRequest(port: number, head: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('close', () => resolve(Buffer.concat(chunks)));
    socket.on('error', reject);
    socket.write(head);
  });
}

/** The key=value lines of a Dahua CGI reply (mediaFileFind and the like). */
export function parseBody(body: Buffer): Map<string, string> {
  const map = new Map<string, string>();
  for (const line of body.toString('utf8').split(/\r?\n/)) {
    const eq = line.indexOf('=');
    if (eq > 0) map.set(line.slice(0, eq), line.slice(eq + 1));
  }
  return map;
}
